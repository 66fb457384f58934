//! What `doctor` found: [`Finding`]s (id, level, what, fix), their one-line
//! text form and the JSON report, and the exit status of the worst one.

use serde::Serialize;

use crate::Exit;

/// How bad a finding is; the order is the severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Nothing to do.
    Ok,
    /// Worth a look; the node works.
    Warning,
    /// The node does not work (or will not after a restart) until it is fixed.
    Problem,
}

impl Level {
    /// The first column of the text output, 8 wide.
    pub fn column(self) -> &'static str {
        match self {
            Level::Ok => "ok      ",
            Level::Warning => "WARNING ",
            Level::Problem => "PROBLEM ",
        }
    }

    /// The exit status for a run whose worst finding is this (the only
    /// level → status table; the JSON `exit_status` is its code).
    pub fn exit(self) -> Exit {
        match self {
            Level::Ok => Exit::Ok,
            Level::Warning => Exit::Failure,
            Level::Problem => Exit::Problem,
        }
    }
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable name of the check, e.g. `key_bls`, `l2_provider_1`.
    pub id: String,
    /// How bad.
    pub level: Level,
    /// What was found.
    pub what: String,
    /// What to do (empty when nothing).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fix: String,
}

impl Finding {
    /// A finding at this level.
    pub fn new(
        level: Level,
        id: impl Into<String>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            id: id.into(),
            level,
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// A finding with nothing to fix.
    pub fn ok(id: impl Into<String>, what: impl Into<String>) -> Finding {
        Finding::new(Level::Ok, id, what, "")
    }

    /// A warning and its fix.
    pub fn warning(
        id: impl Into<String>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding::new(Level::Warning, id, what, fix)
    }

    /// A problem and its fix.
    pub fn problem(
        id: impl Into<String>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding::new(Level::Problem, id, what, fix)
    }

    /// `ok      id: what` or `PROBLEM id: what (fix: …)`, on one line.
    pub fn line(&self) -> String {
        let mut line = format!("{}{}: {}", self.level.column(), self.id, self.what);
        if !self.fix.is_empty() {
            line.push_str(&format!(" (fix: {})", self.fix));
        }
        line.replace('\n', " ")
    }
}

/// Every finding of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// In the order the checks ran.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The worst level found (`Ok` when there is nothing).
    pub fn worst(&self) -> Level {
        self.findings
            .iter()
            .map(|f| f.level)
            .max()
            .unwrap_or(Level::Ok)
    }

    /// One line per finding.
    pub fn text(&self) -> String {
        self.findings.iter().map(|f| f.line() + "\n").collect()
    }

    /// `{"worst": …, "exit_status": …, "findings": [{id, level, what, fix}]}`.
    pub fn json(&self) -> String {
        let worst = self.worst();
        let value = serde_json::json!({
            "worst": worst,
            "exit_status": worst.exit().code(),
            "findings": self.findings,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
    }

    /// Applies `scrub` to every text (the last guard against a secret).
    pub fn scrub(&mut self, scrub: impl Fn(&str) -> String) {
        for f in &mut self.findings {
            f.what = scrub(&f.what);
            f.fix = scrub(&f.fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_worst() {
        let mut r = Report::default();
        assert_eq!(r.worst(), Level::Ok);
        r.findings.push(Finding::ok("key_ed25519", "present"));
        r.findings.push(Finding::problem(
            "key_bls",
            "mode 0644",
            "sudo chmod 0400 /x/key_bls",
        ));
        r.findings
            .push(Finding::warning("clock", "not synchronised", "y"));
        assert_eq!(
            r.text(),
            "ok      key_ed25519: present\n\
             PROBLEM key_bls: mode 0644 (fix: sudo chmod 0400 /x/key_bls)\n\
             WARNING clock: not synchronised (fix: y)\n"
        );
        assert_eq!(r.worst(), Level::Problem);
        assert_eq!(r.worst().exit().code(), 2);
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(v["worst"], "problem");
        assert_eq!(v["exit_status"], 2);
        assert_eq!(v["findings"][1]["level"], "problem");
        assert!(v["findings"][0].get("fix").is_none());
    }
}
