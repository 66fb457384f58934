//! The line-preserving document: parsing as boost `parse_config_file` does (docs/compat/config.md)
//! and the edits the package makes (docs/compat/systemd-and-package.md, done without sed).

use std::net::Ipv4Addr;
use std::path::Path;

use crate::error::{ConfError, Origin};
use crate::settings::{find_option, split_list, Scope, Secret};

/// Reads a config file as UTF-8 text (for [`parse`]).
pub fn read_text(path: &Path) -> Result<String, ConfError> {
    let bytes = std::fs::read(path).map_err(|source| ConfError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| ConfError::NotUtf8 {
        path: path.to_path_buf(),
    })
}

/// The packaged config template, `debian/stagenet.conf` (docs/compat/config.md, with a header).
pub const TEMPLATE: &str = include_str!("../../../debian/stagenet.conf");

/// One `name=value` line as oxend reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The full option name, with a `section.` prefix inside a `[section]`.
    pub name: String,
    /// The value: text after the first `=`, cut at `#`, blanks trimmed.
    pub value: String,
    /// 1-based line number.
    pub line: usize,
}

impl Entry {
    pub(crate) fn origin(&self, doc: &Document) -> Origin {
        Origin::File {
            source: doc.source_name.clone(),
            line: self.line,
        }
    }
}

#[derive(Clone, Debug)]
enum Kind {
    /// Blank, comment-only or unparseable: kept as is, means nothing.
    Other,
    /// `[section]`.
    Section,
    /// `name=value`, with the name already prefixed.
    Entry { name: String, value: String },
}

#[derive(Clone, Debug)]
struct Line {
    /// The line without its terminator.
    text: String,
    /// `"\n"`, `"\r\n"` or `""` (last line without a newline).
    ending: &'static str,
    kind: Kind,
}

/// A config file kept line by line, so that edits change only the lines they own and
/// [`Document::to_text`] gives every other byte back unchanged.
#[derive(Clone, Debug)]
pub struct Document {
    source_name: String,
    lines: Vec<Line>,
}

fn is_blank(c: char) -> bool {
    c.is_ascii_whitespace()
}

/// Parses config text, failing at the first problem: a line that is not
/// `name=value`/comment/blank/`[section]`, an unknown option, or an option the file
/// may not carry. `source_name` (usually the path) names the file in errors.
pub fn parse(text: &str, source_name: &str) -> Result<Document, ConfError> {
    let (doc, errors) = parse_collect(text, source_name);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(doc),
    }
}

/// Parses config text and returns the document together with every error found
/// (see [`parse`]); faulty lines are kept verbatim and mean nothing.
pub fn parse_collect(text: &str, source_name: &str) -> (Document, Vec<ConfError>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut prefix = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (raw, ending, next) = match rest.find('\n') {
            Some(i) if rest[..i].ends_with('\r') => (&rest[..i - 1], "\r\n", &rest[i + 1..]),
            Some(i) => (&rest[..i], "\n", &rest[i + 1..]),
            None => (rest, "", ""),
        };
        rest = next;
        let number = lines.len() + 1;
        let origin = || Origin::File {
            source: source_name.to_string(),
            line: number,
        };
        let content = raw.split('#').next().unwrap_or("").trim_matches(is_blank);
        let kind = if content.is_empty() {
            Kind::Other
        } else if content.starts_with('[') && content.ends_with(']') {
            let section = content[1..content.len() - 1].trim_matches(is_blank);
            prefix = if section.is_empty() {
                String::new()
            } else {
                format!("{section}.")
            };
            Kind::Section
        } else if let Some((name, value)) = content.split_once('=') {
            let name = name.trim_matches(is_blank);
            if name.is_empty() {
                errors.push(ConfError::Syntax { origin: origin() });
                Kind::Other
            } else {
                let name = format!("{prefix}{name}");
                match find_option(&name) {
                    None => errors.push(ConfError::UnknownOption {
                        origin: origin(),
                        name: name.clone(),
                    }),
                    Some(spec) if spec.scope == Scope::CommandLineOnly => {
                        errors.push(ConfError::CommandLineOnly {
                            origin: origin(),
                            name: name.clone(),
                        })
                    }
                    Some(_) => {}
                }
                Kind::Entry {
                    name,
                    value: value.trim_matches(is_blank).to_string(),
                }
            }
        } else {
            errors.push(ConfError::Syntax { origin: origin() });
            Kind::Other
        };
        lines.push(Line {
            text: raw.to_string(),
            ending,
            kind,
        });
    }
    let doc = Document {
        source_name: source_name.to_string(),
        lines,
    };
    (doc, errors)
}

/// The packaged template with the package-owned lines filled in: `service-node=1`,
/// the public IP (when given) and the providers (when any).
pub fn render(public_ip: Option<Ipv4Addr>, l2_providers: &[String]) -> Result<String, ConfError> {
    let mut doc = parse(TEMPLATE, "debian/stagenet.conf")?;
    doc.set_service_node(true)?;
    if let Some(ip) = public_ip {
        doc.set_public_ip(ip)?;
    }
    if !l2_providers.is_empty() {
        doc.set_l2_providers(l2_providers)?;
    }
    Ok(doc.to_text())
}

/// Refuses a value that would not read back identically.
fn check_writable(name: &str, value: &str, secret: Secret) -> Result<(), ConfError> {
    let refuse = |reason: &str| ConfError::UnsafeValue {
        name: name.to_string(),
        value: secret.show(value),
        reason: reason.to_string(),
    };
    if value.contains('\n') || value.contains('\r') {
        return Err(refuse(
            "a line break cannot be written into a one-line value",
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(refuse(
            "control characters cannot be written into the config file",
        ));
    }
    if value.contains('#') {
        return Err(refuse(
            "'#' starts a comment in this file, so everything after it would be lost; \
             write it percent-encoded as %23 if the server accepts that",
        ));
    }
    if value != value.trim_matches(is_blank) {
        return Err(refuse(
            "leading or trailing blanks would be trimmed when the file is read",
        ));
    }
    if name == "l2-provider" {
        if value.is_empty() {
            return Err(refuse("an empty URL is not a provider"));
        }
        if value.contains(|c: char| c == ',' || is_blank(c)) {
            return Err(refuse(
                "l2-provider values are split on commas and blanks; \
                 percent-encode them (%2C, %20) or give the URLs separately",
            ));
        }
    }
    Ok(())
}

impl Document {
    /// An empty document (a file that does not exist yet).
    pub fn empty(source_name: &str) -> Document {
        Document {
            source_name: source_name.to_string(),
            lines: Vec::new(),
        }
    }

    /// Reads and parses the file at `path` (errors name it by its path).
    pub fn load(path: &Path) -> Result<Document, ConfError> {
        parse(&read_text(path)?, &path.display().to_string())
    }

    /// The name errors use for this document.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// The `name=value` lines, in file order.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match &l.kind {
                Kind::Entry { name, value } => Some(Entry {
                    name: name.clone(),
                    value: value.clone(),
                    line: i + 1,
                }),
                _ => None,
            })
    }

    /// The text, byte for byte as read apart from the edits made.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            out.push_str(&l.text);
            out.push_str(l.ending);
        }
        out
    }

    /// Sets `service-node=1` or `service-node=0`.
    pub fn set_service_node(&mut self, on: bool) -> Result<(), ConfError> {
        self.set_scalar("service-node", if on { "1" } else { "0" })
    }

    /// Sets `service-node-public-ip`.
    pub fn set_public_ip(&mut self, ip: Ipv4Addr) -> Result<(), ConfError> {
        self.set_scalar("service-node-public-ip", &ip.to_string())
    }

    /// Sets a single-valued option (a flag or scalar of the option table).
    ///
    /// The first active `name=` line outside any section is replaced; otherwise the
    /// first commented `#name=` line (the template's placeholder) is replaced in
    /// place; otherwise a line is added before the first `[section]`, or at the end.
    /// Every other line is kept byte for byte.
    pub fn set_scalar(&mut self, name: &str, value: &str) -> Result<(), ConfError> {
        let secret = find_option(name).map_or(Secret::No, |s| s.secret);
        check_writable(name, value, secret)?;
        let active = self.active_lines(name);
        if active.len() == 1 && self.value_at(active[0]) == Some(value) {
            return Ok(()); // already so: leave the operator's spelling alone
        }
        let line = self.new_line(name, value);
        if let Some(&first) = active.first() {
            self.replace(first, line);
        } else if let Some(i) = self.commented_line(name, true) {
            self.replace(i, line);
        } else {
            let at = self.insertion_point();
            self.insert(at, vec![line]);
        }
        Ok(())
    }

    /// Replaces the `l2-provider` list with `urls`, one `l2-provider=URL` line each.
    ///
    /// The new lines take the place of the first active `l2-provider=` line and the
    /// other active ones are removed; with none, they go after the last commented
    /// `#l2-provider=` example (kept), or before the first `[section]`, or at the end.
    /// Each URL is written exactly as given or refused ([`ConfError::UnsafeValue`]).
    pub fn set_l2_providers(&mut self, urls: &[String]) -> Result<(), ConfError> {
        if urls.is_empty() {
            return Err(ConfError::UnsafeValue {
                name: "l2-provider".to_string(),
                value: String::new(),
                reason: "give at least one provider URL".to_string(),
            });
        }
        for url in urls {
            check_writable("l2-provider", url, Secret::Url)?;
        }
        let active = self.active_lines("l2-provider");
        let current: Vec<&str> = active
            .iter()
            .filter_map(|&i| self.value_at(i))
            .flat_map(split_list)
            .collect();
        if current == urls {
            return Ok(()); // already so: leave the operator's lines alone
        }
        let mut new: Vec<Line> = urls
            .iter()
            .map(|u| self.new_line("l2-provider", u))
            .collect();
        if let Some((&first, later)) = active.split_first() {
            // The file's own terminators stay: the new lines end as the replaced line
            // did, and a file that ended without a newline still does.
            let unterminated_end = self.lines.last().is_some_and(|l| l.ending.is_empty());
            let ending = self.lines[first].ending;
            let between = if ending.is_empty() {
                self.dominant_ending()
            } else {
                ending
            };
            for l in &mut new {
                l.ending = between;
            }
            if let Some(l) = new.last_mut() {
                l.ending = ending;
            }
            for &i in later.iter().rev() {
                self.lines.remove(i);
            }
            self.lines.splice(first..=first, new);
            if unterminated_end {
                if let Some(l) = self.lines.last_mut() {
                    l.ending = "";
                }
            }
        } else if let Some(i) = self.commented_line("l2-provider", false) {
            self.insert(i + 1, new);
        } else {
            let at = self.insertion_point();
            self.insert(at, new);
        }
        Ok(())
    }

    /// The line terminator new lines get: CRLF when most lines use it.
    fn dominant_ending(&self) -> &'static str {
        let crlf = self.lines.iter().filter(|l| l.ending == "\r\n").count();
        let lf = self.lines.iter().filter(|l| l.ending == "\n").count();
        if crlf > lf {
            "\r\n"
        } else {
            "\n"
        }
    }

    fn new_line(&self, name: &str, value: &str) -> Line {
        Line {
            text: format!("{name}={value}"),
            ending: self.dominant_ending(),
            kind: Kind::Entry {
                name: name.to_string(),
                value: value.to_string(),
            },
        }
    }

    fn value_at(&self, i: usize) -> Option<&str> {
        match &self.lines[i].kind {
            Kind::Entry { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Replaces line `i`, keeping its terminator.
    fn replace(&mut self, i: usize, mut line: Line) {
        line.ending = self.lines[i].ending;
        self.lines[i] = line;
    }

    /// Inserts lines at `at`, first giving a final unterminated line its newline.
    fn insert(&mut self, at: usize, new: Vec<Line>) {
        let ending = self.dominant_ending();
        if at > 0 && self.lines[at - 1].ending.is_empty() {
            self.lines[at - 1].ending = ending;
        }
        self.lines.splice(at..at, new);
    }

    /// Active (uncommented) lines for `name`, outside any section.
    fn active_lines(&self, name: &str) -> Vec<usize> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(&l.kind, Kind::Entry { name: n, .. } if n == name))
            .map(|(i, _)| i)
            .collect()
    }

    /// The first (or last) commented `#name=` line before any section: `#` then the
    /// name then `=`, with nothing between them (blanks before the `#` are allowed).
    fn commented_line(&self, name: &str, first: bool) -> Option<usize> {
        let end = self.insertion_point();
        // The postinst's `^#?name=` (docs/compat/systemd-and-package.md), leading blanks allowed: `#name=`
        // exactly, so a prose comment such as `# name = set by the package` stays.
        let is_placeholder = |l: &Line| {
            l.text
                .trim_start_matches(is_blank)
                .strip_prefix('#')
                .and_then(|t| t.strip_prefix(name))
                .is_some_and(|t| t.starts_with('='))
        };
        let mut hits = (0..end).filter(|&i| is_placeholder(&self.lines[i]));
        if first {
            hits.next()
        } else {
            hits.next_back()
        }
    }

    /// Where new top-level lines go: before the first `[section]`, else at the end.
    fn insertion_point(&self) -> usize {
        self.lines
            .iter()
            .position(|l| matches!(l.kind, Kind::Section))
            .unwrap_or(self.lines.len())
    }
}
