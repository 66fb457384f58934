//! The command table ([`COMMANDS`]), `help`, and [`run_command`], which
//! runs one command with a lazily made connection.

use serde_json::Value;

use super::output::Out;
use super::session::{Command, Session};
use super::transport::{Client, ClientError};

/// The commands this client knows, sorted by name.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "exit",
        usage: "exit",
        description: "Stop the daemon.",
        local: false,
        run: super::info::cmd_stop,
    },
    Command {
        name: "help",
        usage: "help [<command>]",
        description: "Show the help section or the documentation about a <command>.",
        local: true,
        run: cmd_help,
    },
    Command {
        name: "l2_status",
        usage: "l2_status [+json]",
        description: "Show the L2 tracker: L2 height and synced block, providers with their \
                      health and failure counters (URLs redacted), this node's state in the \
                      ServiceNodeRewards contract and the latest contract events.",
        local: false,
        run: super::l2::cmd_l2_status,
    },
    Command {
        name: "prepare_eth_registration",
        usage: "prepare_eth_registration <operator address> [\"print\"]",
        description: "Older name of `register`. With `print`, only print the registration \
                      data (pubkeys, Ed25519 signature, BLS proof of possession) without \
                      submitting it.",
        local: false,
        run: super::register::cmd_prepare_eth_registration,
    },
    Command {
        name: "print_cn",
        usage: "print_cn",
        description: "Print the chain follower's P2P connections (oxend's columns; the \
                      current rates are not measured: -).",
        local: false,
        run: super::chain::cmd_print_cn,
    },
    Command {
        name: "print_sn_key",
        usage: "print_sn_key",
        description: "Print this daemon's service node key, if it is one and launched in service \
                      node mode.",
        local: false,
        run: super::keys::cmd_print_sn_key,
    },
    Command {
        name: "print_sn_status",
        usage: "print_sn_status [+json|+detail]",
        description: "Print service node registration info for this service node",
        local: false,
        run: super::sn_status::cmd_print_sn_status,
    },
    Command {
        name: "register",
        usage: "register <operator address> [URL|print]",
        description: "Sign this node's registration for the operator's Ethereum address \
                      (0x + 40 hex, EIP-55 checked) and submit it to the staking website \
                      (staking-url in the config, or URL); its answer is checked and the \
                      registration page is printed. With `print`, only print the data.",
        local: false,
        run: super::register::cmd_register,
    },
    Command {
        name: "status",
        usage: "status",
        description: "Show the current status.",
        local: false,
        run: super::info::cmd_status,
    },
    Command {
        name: "stop_daemon",
        usage: "stop_daemon",
        description: "Stop the daemon.",
        local: false,
        run: super::info::cmd_stop,
    },
    Command {
        name: "version",
        usage: "version",
        description: "Print version information.",
        local: false,
        run: super::info::cmd_version,
    },
];

/// Upstream commands that need the Oxen blockchain, which this daemon does not run
/// (the chain follower keeps block headers only; `print_cn` is served).
pub const CHAIN_COMMANDS: &[&str] = &[
    "alt_chain_info",
    "ban",
    "banned",
    "bans",
    "bc_dyn_stats",
    "check_blockchain_pruning",
    "claim_rewards",
    "diff",
    "flush_cache",
    "flush_txpool",
    "in_peers",
    "is_key_image_spent",
    "limit",
    "mining_status",
    "out_peers",
    "output_histogram",
    "pop_blocks",
    "prepare_registration",
    "print_bc",
    "print_block",
    "print_checkpoints",
    "print_coinbase_tx_sum",
    "print_height",
    "print_net_stats",
    "print_pl",
    "print_pl_stats",
    "print_pool",
    "print_pool_sh",
    "print_pool_stats",
    "print_quorum_state",
    "print_sn",
    "print_sn_state_changes",
    "print_sr",
    "print_tx",
    "relay_tx",
    "save",
    "start_mining",
    "stop_mining",
    "sync_info",
    "test_trigger_uptime_proof",
    "unban",
];

/// Looks a command up.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// `help` output (docs/compat/rpc-and-client.md): banner, `Commands:`, one usage line per command, a
/// blank line.
pub fn help_text() -> String {
    let mut cmds: Vec<&Command> = COMMANDS.iter().collect();
    cmds.sort_by_key(|c| c.name);
    let mut s = format!("{}\nCommands:\n", crate::version::banner());
    for c in cmds {
        s.push_str(&format!("  {}\n", c.usage));
    }
    s
}

/// `help <command>` output (docs/compat/rpc-and-client.md).
pub fn command_help(c: &Command) -> String {
    format!(
        "Command usage: \n  {}\n\nCommand description:\n  {}",
        c.usage,
        c.description.replace('\n', "\n  ")
    )
}

/// Why `name`, an upstream command that needs the Oxen blockchain, is not here.
fn chain_command(name: &str) -> String {
    format!(
        "{name} is not available in oxend-stagenet: it needs the Oxen blockchain, which this \
         daemon does not run (its chain follower keeps block headers only). Try 'help' for \
         available commands"
    )
}

/// `help <name>` for a command this client does not have.
fn unknown_command(name: &str) -> String {
    if CHAIN_COMMANDS.contains(&name) {
        return chain_command(name);
    }
    if name == "doctor" {
        // a subcommand of the tool, not a daemon command: it works while the
        // daemon is stopped
        return "doctor is not a daemon command but the tool's local health check:                 `oxend-stagenet doctor --help` explains it"
            .to_string();
    }
    format!("unknown command '{name}'; `oxend-stagenet help` lists the commands")
}

fn cmd_help(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    match args {
        [] => {
            s.out.msg(&help_text());
            Ok(true)
        }
        [name, ..] => match find(name) {
            Some(c) => {
                s.out.msg(&command_help(c));
                Ok(true)
            }
            // oxend succeeds here; a script asking for help on a misspelt
            // command is told it failed.
            None => {
                s.out.fail(&unknown_command(name));
                Ok(false)
            }
        },
    }
}

/// Runs one command (`words[0]` and its arguments) with a lazily built client;
/// returns whether it succeeded.
pub fn run_command(
    words: &[String],
    connect: impl FnOnce() -> Result<Client, ClientError>,
    out: &Out,
) -> bool {
    let Some((name, args)) = words.split_first() else {
        return false;
    };
    let Some(cmd) = find(name) else {
        if CHAIN_COMMANDS.contains(&name.as_str()) {
            out.fail(&chain_command(name));
        } else {
            out.msg(&format!(
                "Unknown command: {name}. Try 'help' for available commands"
            ));
        }
        return false;
    };
    let mut client = None;
    let mut connect = Some(connect);
    let mut call = |method: &str, params: Option<Value>| -> Result<Value, ClientError> {
        if client.is_none() {
            let make = connect.take().expect("connect once");
            client = Some(make()?);
        }
        client.as_mut().expect("set above").call(method, params)
    };
    let mut session = Session {
        client: &mut call,
        out,
    };
    match (cmd.run)(&mut session, args) {
        Ok(ok) => ok,
        Err(e) => {
            out.fail(&e.to_string());
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_layout() {
        let h = help_text();
        assert!(h.starts_with(&format!(
            "{}\nCommands:\n  exit\n  help [<command>]\n",
            crate::version::banner()
        )));
        assert_eq!(
            command_help(find("status").unwrap()).lines().next(),
            Some("Command usage: ")
        );
    }

    #[test]
    fn help_has_one_line_per_command() {
        let h = help_text();
        let lines: Vec<&str> = h.lines().collect();
        // banner, `Commands:`, then one usage line per command, nothing else
        assert_eq!(lines.len(), 2 + COMMANDS.len(), "{h}");
        for c in COMMANDS {
            let n = lines
                .iter()
                .filter(|l| **l == format!("  {}", c.usage))
                .count();
            assert_eq!(n, 1, "{}: {h}", c.name);
        }
    }

    #[test]
    fn help_for_an_unknown_command_names_it() {
        assert_eq!(
            unknown_command("frobnicate"),
            "unknown command 'frobnicate'; `oxend-stagenet help` lists the commands"
        );
        assert!(unknown_command("print_height").contains("needs the Oxen blockchain"));
        assert!(unknown_command("doctor").contains("oxend-stagenet doctor --help"));
    }
}
