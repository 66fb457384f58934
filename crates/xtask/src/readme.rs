//! The README's examples run as written (issue 12): every command line of
//! README.md that starts with a packaged tool (`oxen-sn-config`,
//! `oxen-sn-keys-snapshot`, `oxen-sn-public-ip`, `oxend-stagenet`), in a fenced
//! code block or an inline code span, is parsed by that tool's clap definition
//! (the one `--help`, man pages and completions come from). A misspelt
//! subcommand or an option the tool does not have is a problem; a line that
//! names a command without its operands (`oxen-sn-config set`) is not. For
//! `oxend-stagenet`, the client command word must be one `oxend-stagenet help`
//! lists. Nothing is run.

/// The packaged tool `name`'s clap definition (one of xtask's [`crate::commands`]).
fn tool(name: &str) -> Option<clap::Command> {
    crate::commands().into_iter().find(|c| c.get_name() == name)
}

/// The code of a Markdown text: each line of a fenced block (a trailing
/// `# comment` dropped), and each inline code span outside the blocks (line
/// breaks inside a span read as spaces).
pub fn code_snippets(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            prose.push('\n');
            continue;
        }
        if in_block {
            let code = match line.find(" #") {
                Some(i) => &line[..i],
                None => line,
            };
            out.push(code.trim().to_string());
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let mut parts = prose.split('`');
    parts.next(); // text before the first span
    while let Some(span) = parts.next() {
        out.push(span.split_whitespace().collect::<Vec<_>>().join(" "));
        parts.next(); // text after it
    }
    out
}

/// Shell words of a simple command line: blanks separate words, `'…'` and
/// `"…"` quote (no escapes, no expansion).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

/// The tool invocations of one snippet: each stage of a pipeline that starts
/// (after `sudo` and `VAR=value` words) with a packaged tool, as its words.
/// An optional part written `[+detail]` is given (its brackets dropped).
pub fn invocations(snippet: &str) -> Vec<Vec<String>> {
    snippet
        .split(['|', ';'])
        .filter_map(|stage| {
            let words: Vec<String> = shell_words(stage)
                .into_iter()
                .skip_while(|w| w == "sudo" || (w.contains('=') && !w.starts_with('-')))
                .map(
                    |w| match w.strip_prefix('[').and_then(|w| w.strip_suffix(']')) {
                        Some(inner) => inner.to_string(),
                        None => w,
                    },
                )
                .collect();
            tool(words.first()?)?;
            Some(words)
        })
        .collect()
}

/// Whether an `oxend-stagenet` client command word is one the client knows
/// (one `oxend-stagenet help` lists).
fn client_command_known(word: &str) -> bool {
    oxend_stagenet::CLIENT_COMMANDS
        .iter()
        .any(|c| c.name == word)
}

/// What is wrong with one invocation, `None` when its tool accepts it.
pub fn check_invocation(words: &[String]) -> Option<String> {
    use clap::error::ErrorKind;
    let line = words.join(" ");
    let cmd = tool(words.first()?)?;
    match cmd.try_get_matches_from(words) {
        Ok(m) => {
            let word = m
                .try_get_many::<String>("command")
                .ok()
                .flatten()
                .and_then(|mut w| w.next().cloned());
            match word {
                Some(w) if !client_command_known(&w) => Some(format!(
                    "`{line}`: `{w}` is not an oxend-stagenet command (see `oxend-stagenet help`)"
                )),
                _ => None,
            }
        }
        // the line names the command; its operands are explained around it
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::MissingRequiredArgument
                    | ErrorKind::MissingSubcommand
                    | ErrorKind::DisplayHelp
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                    | ErrorKind::DisplayVersion
            ) =>
        {
            None
        }
        Err(e) => {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or_default().to_string();
            Some(format!("`{line}`: {first}"))
        }
    }
}

/// Every problem of the examples in `markdown`, and how many invocations
/// were checked.
pub fn check(markdown: &str) -> (Vec<String>, usize) {
    let all: Vec<Vec<String>> = code_snippets(markdown)
        .iter()
        .flat_map(|s| invocations(s))
        .collect();
    let problems = all.iter().filter_map(|w| check_invocation(w)).collect();
    (problems, all.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_readme_examples_are_accepted_by_the_tools() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (problems, checked) = check(&readme);
        assert!(problems.is_empty(), "README.md: {problems:#?}");
        // the examples this check is about are found
        let found: Vec<String> = code_snippets(&readme)
            .iter()
            .flat_map(|s| invocations(s))
            .map(|w| w.join(" "))
            .collect();
        for want in [
            "oxen-sn-keys-snapshot show /var/lib/oxen/stagenet/key_ed25519",
            "oxen-sn-keys-snapshot restore-bls key_bls",
            "oxen-sn-config probe-l2 --config /etc/oxen/stagenet.conf",
            "oxen-sn-config show --effective /etc/oxen/stagenet.conf",
            "oxend-stagenet print_sn_status +detail",
            "oxend-stagenet register 0xYOUR_ETH_ADDRESS",
        ] {
            assert!(found.iter().any(|f| f == want), "{want}: {found:#?}");
        }
        assert!(checked >= 10, "{found:#?}");
    }

    #[test]
    fn snippets_come_from_blocks_and_inline_spans() {
        let md = "Run `sudo oxen-sn-config validate\n/etc/x.conf` now.\n\n```sh\n\
                  printf %s \"$HEX\" | oxen-sn-keys-snapshot restore-bls key_bls   # pipe it\n\
                  ```\nand `oxend-stagenet status`.";
        let found: Vec<Vec<String>> = code_snippets(md)
            .iter()
            .flat_map(|s| invocations(s))
            .collect();
        assert_eq!(
            found,
            vec![
                words(&["oxen-sn-keys-snapshot", "restore-bls", "key_bls"]),
                words(&["oxen-sn-config", "validate", "/etc/x.conf"]),
                words(&["oxend-stagenet", "status"]),
            ]
        );
    }

    #[test]
    fn a_wrong_subcommand_option_or_client_command_is_a_problem() {
        for bad in [
            &["oxen-sn-config", "probe-l2", "--conf", "/etc/x.conf"][..],
            &["oxen-sn-config", "validat", "/etc/x.conf"],
            &["oxen-sn-keys-snapshot", "restore", "--force", "key_ed25519"],
            &["oxend-stagenet", "--config", "/etc/x.conf", "status"],
            &["oxend-stagenet", "print_status"],
        ] {
            let problem = check_invocation(&words(bad));
            assert!(problem.is_some(), "{bad:?} was accepted");
            assert!(problem
                .unwrap()
                .starts_with(&format!("`{}`", bad.join(" "))));
        }
        for good in [
            &["oxen-sn-config", "set"][..],
            &[
                "oxen-sn-keys-snapshot",
                "restore",
                "--overwrite",
                "key_ed25519",
            ],
            &["oxend-stagenet", "--config-file", "/etc/x.conf", "status"],
            &["oxend-stagenet", "register", "0x1234", "print"],
            &["oxen-sn-public-ip"],
        ] {
            assert_eq!(check_invocation(&words(good)), None, "{good:?}");
        }
    }
}
