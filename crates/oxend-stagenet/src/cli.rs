//! The command line (docs/compat/rpc-and-client.md, docs/compat/config.md): `--config-file`, `--non-interactive`,
//! every setting of the config file as `--name[=value]` (from snode-conf's option
//! table, so `--help`, the man page and completions list them all), and the
//! positional command words of client mode.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser};
use snode_conf::{Kind, Scope, OPTIONS};

/// The text after the options in `--help`.
pub const AFTER_HELP: &str = "\
Client mode: with COMMAND words, oxend-stagenet sends the command to the running daemon's
admin RPC (the first rpc-admin address of the same config file: --config-file, else
/etc/oxen/stagenet.conf when present) and creates no files. `oxend-stagenet help` lists
the commands.

Exit status:
  0   success (daemon: stopped cleanly; client: command succeeded)
  1   failure (daemon: runtime error such as an admin RPC port in use; client: command
      failed or the daemon is not running)
  78  configuration error (EX_CONFIG): bad config file or option, failed startup check
      (public IP, L2 providers, chain id), invalid key file. systemd does not restart
      the unit on it (RestartPreventExitStatus=78); fix the configuration and start it.";

/// The daemon's own flags; the settings are added from snode-conf's table.
#[derive(Debug, Parser)]
#[command(
    name = "oxend-stagenet",
    about = "Session stagenet service node daemon (oxend-compatible admin RPC, keys, systemd), \
             and the client for its commands",
    disable_version_flag = true,
    after_help = AFTER_HELP
)]
pub struct Flags {
    /// Config file (oxend format). Daemon default: <data-dir>/oxen.conf when present;
    /// client default: /etc/oxen/stagenet.conf when present.
    #[arg(long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,

    /// Run without an interactive console (as the systemd unit does).
    #[arg(long)]
    pub non_interactive: bool,

    /// Print the version and exit.
    #[arg(long)]
    pub version: bool,

    /// Testing: write the bound admin RPC addresses (one per line) to FILE once the
    /// daemon listens.
    #[arg(long, value_name = "FILE", hide = true)]
    pub rpc_address_file: Option<PathBuf>,

    /// Testing: seconds between WATCHDOG=1/STATUS= notifications (default 10).
    #[arg(long, value_name = "SECONDS", hide = true)]
    pub watchdog_interval: Option<f64>,

    /// A command for the running daemon (client mode), e.g. `status`.
    #[arg(value_name = "COMMAND", trailing_var_arg = true)]
    pub command: Vec<String>,
}

/// An option's doc without rustdoc cross-references (`See [`Settings::x`].`).
fn plain_doc(doc: &str) -> String {
    let mut s = doc.to_string();
    while let Some(i) = s.find("[`") {
        let Some(len) = s[i..].find("`]") else { break };
        let end = i + len + 2;
        let start = s[..i].rfind([';', '.']).unwrap_or(i);
        let rest = s[end..].trim_start_matches('.').to_string();
        s = format!("{}.{rest}", &s[..start]);
    }
    s
}

/// The complete command definition, for parsing, `--help`, man pages and shell
/// completions.
pub fn command() -> clap::Command {
    let mut cmd = Flags::command().next_help_heading("Settings (also accepted in the config file)");
    for spec in OPTIONS.iter().filter(|o| o.scope == Scope::Anywhere) {
        let hidden = spec.doc.starts_with("Hidden");
        let mut help = plain_doc(spec.doc);
        if !spec.default.is_empty() {
            help.push_str(&format!(" [default: {}]", spec.default));
        }
        let arg = Arg::new(spec.name).long(spec.name).help(help).hide(hidden);
        let arg = match spec.kind {
            Kind::Flag => arg
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("1")
                .value_name("BOOL")
                .action(ArgAction::Set),
            Kind::Scalar => arg.value_name("VALUE").action(ArgAction::Set),
            Kind::Vector => arg.value_name("VALUE").action(ArgAction::Append),
        };
        cmd = cmd.arg(arg);
    }
    cmd
}

/// A parsed command line.
#[derive(Debug)]
pub struct Invocation {
    /// The daemon's own flags and the command words.
    pub flags: Flags,
    /// Settings given on the command line, as `(name, value)` for snode-conf.
    pub overrides: Vec<(String, String)>,
}

impl Invocation {
    /// The watchdog interval asked for (default 10 s).
    pub fn watchdog_interval(&self) -> Duration {
        self.flags
            .watchdog_interval
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .filter(|d| !d.is_zero())
            .unwrap_or(snode_node::notify::WATCHDOG_INTERVAL)
    }
}

fn overrides(matches: &ArgMatches) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for spec in OPTIONS.iter().filter(|o| o.scope == Scope::Anywhere) {
        if let Some(values) = matches.get_many::<String>(spec.name) {
            out.extend(values.map(|v| (spec.name.to_string(), v.clone())));
        }
    }
    out
}

/// Parses the command line (`args[0]` is the program name).
pub fn parse<I, T>(args: I) -> Result<Invocation, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = command().try_get_matches_from(args)?;
    let flags = Flags::from_arg_matches(&matches)?;
    Ok(Invocation {
        overrides: overrides(&matches),
        flags,
    })
}

/// Whether a command line that did not parse was meant for client mode (it
/// has COMMAND words): client failures exit 1, while a bad
/// option of the daemon is a configuration error (78).
pub fn has_command_words<I, T>(args: I) -> bool
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cmd = command();
    let takes_value = |long: &str| {
        cmd.get_arguments().any(|a| {
            a.get_long() == Some(long)
                && a.get_action().takes_values()
                && !a.is_require_equals_set()
        })
    };
    let mut words = args.into_iter().skip(1).map(|a| a.into());
    while let Some(word) = words.next() {
        let word = word.to_string_lossy().into_owned();
        if word == "--" {
            return words.next().is_some();
        }
        match word.strip_prefix("--") {
            Some(opt) if !opt.contains('=') && takes_value(opt) => {
                words.next(); // its value
            }
            Some(_) => {}
            None if word.starts_with('-') => {}
            None => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_of_a_bad_command_line() {
        assert!(has_command_words(["oxend-stagenet", "--bogus", "status"]));
        assert!(has_command_words([
            "oxend-stagenet",
            "--config-file",
            "x.conf",
            "--bogus",
            "print_sn_key"
        ]));
        assert!(!has_command_words(["oxend-stagenet", "--bogus"]));
        assert!(!has_command_words([
            "oxend-stagenet",
            "--config-file",
            "x.conf",
            "--bogus"
        ]));
    }

    #[test]
    fn docs_without_rustdoc_links() {
        assert_eq!(
            plain_doc("Data directory. Unset means `~/x`; see [`Settings::data_dir`]."),
            "Data directory. Unset means `~/x`."
        );
        assert_eq!(
            plain_doc("Log file; relative. See [`Settings::log_file`]."),
            "Log file; relative."
        );
        assert_eq!(plain_doc("Plain."), "Plain.");
    }

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn settings_and_commands() {
        let inv = parse([
            "oxend-stagenet",
            "--config-file",
            "/x.conf",
            "--service-node",
            "--l2-provider",
            "http://a",
            "--l2-provider=http://b",
            "--dev-allow-local-ips=0",
            "print_sn_status",
            "+detail",
        ])
        .unwrap();
        assert_eq!(inv.flags.config_file.as_deref(), Some("/x.conf".as_ref()));
        assert_eq!(inv.flags.command, ["print_sn_status", "+detail"]);
        let o: Vec<(&str, &str)> = inv
            .overrides
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert!(o.contains(&("service-node", "1")));
        assert!(o.contains(&("dev-allow-local-ips", "0")));
        assert!(o.contains(&("l2-provider", "http://a")));
        assert!(o.contains(&("l2-provider", "http://b")));
        assert!(parse(["oxend-stagenet", "--no-such-option"]).is_err());
    }
}
