//! Client mode (spec §2.2–§2.5, §2.7): `oxend-stagenet [--config-file FILE] <command>
//! [args]` sends JSON-RPC 2.0 requests to the running daemon's admin RPC and prints
//! upstream's layout for the fields it has. Exit status 0 when the command
//! succeeded, 1 otherwise (spec §2.2). Creates no files.
//!
//! Commands are a table ([`COMMANDS`]); another command is one more entry.

use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// How to start the daemon, said when it is not running.
pub const START_HINT: &str = "sudo systemctl start oxen-stagenet-node";

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answers at the admin RPC address.
    #[error(
        "oxend-stagenet is not running (nothing answers at {url}: {reason}); start it with: \
         {START_HINT}"
    )]
    NotRunning {
        /// The admin RPC URL.
        url: String,
        /// The connection error.
        reason: String,
    },
    /// The request failed in another way.
    #[error("HTTP request failed: {0}")]
    Transport(String),
    /// The client could not be set up (config file, `rpc-admin`): no request
    /// was made, so no "HTTP request failed" prefix (spec §2.2).
    #[error("{0}")]
    Setup(String),
    /// Non-200 HTTP status.
    #[error("HTTP request failed; server returned {0}")]
    Status(String),
    /// A JSON-RPC error object.
    #[error("JSON RPC returned an error response: {0}")]
    Rpc(String),
    /// `result.status` was not `OK` (`(empty)` when missing, as oxend says).
    #[error("Received status {0} != OK")]
    NotOk(String),
    /// A command's request failed: oxend's words for what the command was
    /// doing, then why (`Failed to retrieve node info: …`).
    #[error("{what}: {source}")]
    Failed {
        /// What the command was doing, e.g. `Failed to retrieve node info`.
        what: &'static str,
        /// Why.
        source: Box<ClientError>,
    },
    /// The reply is not what a JSON-RPC server sends.
    #[error("invalid reply from the daemon: {0}")]
    BadReply(String),
}

/// A connection to the daemon's admin RPC.
pub struct Client {
    url: String,
    login: Option<String>,
    agent: ureq::Agent,
    next_id: u64,
}

impl Client {
    /// A client for `url` (`http://IP:PORT/json_rpc`), with HTTP Basic `login`.
    pub fn new(url: String, login: Option<String>) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            url,
            login,
            agent,
            next_id: 0,
        }
    }

    /// Calls `method` and returns its `result`, which must have `status: "OK"`.
    pub fn call(&mut self, method: &str, params: Option<Value>) -> Result<Value, ClientError> {
        let mut body = json!({ "id": self.next_id, "jsonrpc": "2.0", "method": method });
        self.next_id += 1;
        if let Some(p) = params {
            body["params"] = p;
        }
        let mut rq = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json; charset=utf-8");
        if let Some(login) = &self.login {
            rq = rq.header(
                "Authorization",
                format!("Basic {}", crate::rpc::base64(login.as_bytes())),
            );
        }
        let mut resp = rq.send(body.to_string()).map_err(|e| match e {
            ureq::Error::Io(io) => ClientError::NotRunning {
                url: self.url.clone(),
                reason: io.to_string(),
            },
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => ClientError::NotRunning {
                url: self.url.clone(),
                reason: e.to_string(),
            },
            e => ClientError::Transport(e.to_string()),
        })?;
        let status = resp.status();
        if status != 200 {
            // The whole status line, as oxend (curl) reports it.
            return Err(ClientError::Status(format!(
                "{:?} {} {}",
                resp.version(),
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )));
        }
        let reply: Value = resp
            .body_mut()
            .read_json()
            .map_err(|e| ClientError::BadReply(e.to_string()))?;
        if let Some(err) = reply.get("error") {
            let msg = err
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| err.to_string());
            return Err(ClientError::Rpc(msg));
        }
        let result = reply
            .get("result")
            .cloned()
            .ok_or_else(|| ClientError::BadReply("no result".into()))?;
        match result.get("status").and_then(Value::as_str) {
            Some("OK") => Ok(result),
            Some(s) => Err(ClientError::NotOk(s.to_string())),
            None => Err(ClientError::NotOk("(empty)".to_string())),
        }
    }
}

/// Where output goes: stdout (green when a terminal) and stderr for errors (red
/// when a terminal), as spec/README.md decides.
pub struct Out {
    colour_out: bool,
    colour_err: bool,
}

impl Default for Out {
    fn default() -> Out {
        Out {
            colour_out: std::io::stdout().is_terminal(),
            colour_err: std::io::stderr().is_terminal(),
        }
    }
}

impl Out {
    /// Plain output, no colour (tests).
    pub fn plain() -> Out {
        Out {
            colour_out: false,
            colour_err: false,
        }
    }

    /// A success message (green on a terminal), followed by a newline.
    pub fn success(&self, text: &str) {
        let mut o = std::io::stdout().lock();
        let _ = if self.colour_out {
            writeln!(o, "\x1b[32m{text}\x1b[0m")
        } else {
            writeln!(o, "{text}")
        };
    }

    /// An uncoloured message.
    pub fn msg(&self, text: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    /// `Error: <text>` on stderr (red on a terminal).
    pub fn fail(&self, text: &str) {
        let mut e = std::io::stderr().lock();
        let _ = if self.colour_err {
            writeln!(e, "\x1b[31mError: {text}\x1b[0m")
        } else {
            writeln!(e, "Error: {text}")
        };
    }
}

/// Calls an admin RPC method: `(method, params) -> result`.
pub type Call<'a> = dyn FnMut(&str, Option<Value>) -> Result<Value, ClientError> + 'a;

/// What a command handler gets.
pub struct Session<'a> {
    /// The daemon connection (made only when a command needs it).
    pub client: &'a mut Call<'a>,
    /// Output.
    pub out: &'a Out,
}

/// A command: its usage and description (for `help`), and its handler, which
/// returns whether it succeeded.
pub struct Command {
    /// Name.
    pub name: &'static str,
    /// Usage line, e.g. `print_sn_status [+json|+detail]`.
    pub usage: &'static str,
    /// Description for `help <command>`.
    pub description: &'static str,
    /// Whether it runs without the daemon.
    pub local: bool,
    /// The handler.
    pub run: fn(&mut Session<'_>, &[String]) -> Result<bool, ClientError>,
}

/// The commands this client knows, sorted by name.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "exit",
        usage: "exit",
        description: "Stop the daemon.",
        local: false,
        run: cmd_stop,
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
        run: crate::l2text::cmd_l2_status,
    },
    Command {
        name: "prepare_eth_registration",
        usage: "prepare_eth_registration <operator address> [\"print\"]",
        description: "Older name of `register`. With `print`, only print the registration \
                      data (pubkeys, Ed25519 signature, BLS proof of possession) without \
                      submitting it.",
        local: false,
        run: crate::register::cmd_prepare_eth_registration,
    },
    Command {
        name: "print_sn_key",
        usage: "print_sn_key",
        description: "Print this daemon's service node key, if it is one and launched in service \
                      node mode.",
        local: false,
        run: cmd_print_sn_key,
    },
    Command {
        name: "print_sn_status",
        usage: "print_sn_status [+json|+detail]",
        description: "Print service node registration info for this service node",
        local: false,
        run: cmd_print_sn_status,
    },
    Command {
        name: "register",
        usage: "register <operator address> [URL|print]",
        description: "Sign this node's registration for the operator's Ethereum address \
                      (0x + 40 hex, EIP-55 checked) and submit it to the staking website \
                      (staking-url in the config, or URL); its answer is checked and the \
                      registration page is printed. With `print`, only print the data.",
        local: false,
        run: crate::register::cmd_register,
    },
    Command {
        name: "status",
        usage: "status",
        description: "Show the current status.",
        local: false,
        run: cmd_status,
    },
    Command {
        name: "stop_daemon",
        usage: "stop_daemon",
        description: "Stop the daemon.",
        local: false,
        run: cmd_stop,
    },
    Command {
        name: "version",
        usage: "version",
        description: "Print version information.",
        local: false,
        run: cmd_version,
    },
];

/// Upstream commands that need the Oxen blockchain, which this daemon does not run.
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
    "print_cn",
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

/// `help` output (spec §2.3): banner, `Commands:`, one usage line per command, a
/// blank line.
pub fn help_text() -> String {
    let mut cmds: Vec<&Command> = COMMANDS.iter().collect();
    cmds.sort_by_key(|c| c.name);
    let mut s = format!("{}\nCommands:\n", crate::banner());
    for c in cmds {
        s.push_str(&format!("  {}\n", c.usage));
    }
    s
}

/// `help <command>` output (spec §2.3).
pub fn command_help(c: &Command) -> String {
    format!(
        "Command usage: \n  {}\n\nCommand description:\n  {}",
        c.usage,
        c.description.replace('\n', "\n  ")
    )
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
            // oxend prints this with a blank line after it, and succeeds.
            None => {
                s.out.msg(&format!("Unknown command: {name}\n"));
                Ok(true)
            }
        },
    }
}

/// Calls `method` (no params) as oxend's commands do: a failure says what the
/// command was doing first (`Failed to retrieve node info: …`). "Not running"
/// and setup errors are left as they are: no request was answered, and their
/// message says what to do.
fn call_for(s: &mut Session<'_>, method: &str, what: &'static str) -> Result<Value, ClientError> {
    (s.client)(method, None).map_err(|e| match e {
        e @ (ClientError::NotRunning { .. } | ClientError::Setup(_)) => e,
        e => ClientError::Failed {
            what,
            source: Box::new(e),
        },
    })
}

/// What oxend's commands say when `get_info` fails.
const NODE_INFO: &str = "Failed to retrieve node info";

// oxend's `version` ignores arguments.
fn cmd_version(s: &mut Session<'_>, _args: &[String]) -> Result<bool, ClientError> {
    let info = call_for(s, "get_info", NODE_INFO)?;
    s.out.success(info["version"].as_str().unwrap_or("unknown"));
    Ok(true)
}

fn cmd_stop(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    call_for(s, "stop_daemon", "Couldn't stop daemon")?;
    s.out.success("Stop signal sent");
    Ok(true)
}

/// `2d3h4m5s`, or `Ns` under a minute (spec §2.4).
pub fn friendly_duration(secs: u64) -> String {
    if secs < 60 {
        return format!("{secs}s");
    }
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if d > 0 {
        out.push_str(&format!("{d}d"));
    }
    if d > 0 || h > 0 {
        out.push_str(&format!("{h}h"));
    }
    out.push_str(&format!("{m}m{s}s"));
    out
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn cmd_status(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    let info = call_for(s, "get_info", NODE_INFO)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // oxend's first line with the parts this daemon has: no `Height: …`, no
    // `(net v21)`, no connections (spec §2.4).
    let mut first = format!(
        "oxend-stagenet ON STAGENET, v{}",
        str_field(&info, "version").unwrap_or("?")
    );
    if let Some(t) = info["start_time"].as_u64().filter(|t| *t > 0) {
        first.push_str(&format!(
            ", uptime {}",
            friendly_duration(now.saturating_sub(t))
        ));
    }
    let mut lines = vec![first];
    match info.get("l2").filter(|v| v.is_object()) {
        Some(l2) => lines.extend(crate::l2text::status_lines(l2, now)),
        None => {
            // The L2 part of the status line, as the daemon summarises it.
            let status_line = str_field(&info, "status_line").unwrap_or("");
            let l2 = status_line
                .split("; ")
                .find(|p| p.starts_with("L2"))
                .unwrap_or(crate::state::L2_NOT_TRACKED);
            lines.push(l2.to_string());
        }
    }
    if info["service_node"].as_bool() == Some(true) {
        let keys = call_for(s, "get_service_keys", SN_KEYS)?;
        let pk = str_field(&keys, "service_node_pubkey").unwrap_or("?");
        let state = call_for(
            s,
            "get_service_node_status",
            "Failed to retrieve service node info",
        )?;
        let reg = match str_field(&state["service_node_state"], "registration_state") {
            // oxend's word in `status`
            Some("awaiting contr.") => "awaiting",
            Some(r) => r,
            None => "registration unknown",
        };
        // No `, proof: …`: this daemon sends no uptime proofs.
        lines.push(format!("SN: {pk} {reg}"));
        if let Some(c) = crate::l2text::contract_state_text(&info["l2"]) {
            lines.push(format!("SN in the L2 contract: {c}"));
        }
        if let Some(bls) = str_field(&keys, "service_node_bls_pubkey") {
            lines.push(format!("BLS pk: {bls}"));
        }
    } else {
        // oxend prints no SN line then; say why there is none in print_sn_key's words.
        lines.push(NOT_SN_NOTE.to_string());
    }
    lines.push(format!(
        "Note: {}",
        str_field(&info, "note").unwrap_or(crate::rpc::NO_CHAIN_NOTE)
    ));
    s.out.success(&lines.join("\n"));
    Ok(true)
}

/// oxend's note for a daemon that is not a service node (`print_sn_key`).
pub const NOT_SN_NOTE: &str = "Note: this oxend is NOT configured as a service node";

/// What oxend's commands say when `get_service_keys` fails.
const SN_KEYS: &str = "Failed to retrieve service node keys";

/// The `print_sn_key` block (spec §2.5), labels right-aligned to 18 characters.
pub fn sn_key_text(keys: &Value) -> String {
    let mut lines = Vec::new();
    let ed = str_field(keys, "service_node_ed25519_pubkey").unwrap_or("");
    if let Some(pk) = str_field(keys, "service_node_pubkey").filter(|pk| *pk != ed) {
        lines.push(format!("{:>18}: {pk}", "Legacy Public Key"));
    }
    lines.push(format!("{:>18}: {ed}", "Ed25519 Public Key"));
    lines.push(format!(
        "{:>18}: {}",
        "X25519 Public Key",
        str_field(keys, "service_node_x25519_pubkey").unwrap_or("")
    ));
    if let Some(bls) = str_field(keys, "service_node_bls_pubkey") {
        lines.push(format!("{:>18}: {bls}", "BLS Public Key"));
    }
    let mut text = lines.join("\n") + "\n";
    // The Note line has no newline of its own; the writer adds the last one (spec §2.5).
    if keys["is_service_node"].as_bool() != Some(true) {
        text.push_str(NOT_SN_NOTE);
    }
    text
}

fn cmd_print_sn_key(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    let keys = call_for(s, "get_service_keys", SN_KEYS)?;
    s.out.success(&sn_key_text(&keys));
    Ok(true)
}

/// The `print_sn_status` text for a `get_service_node_status` result, with the
/// L2 block from `get_info.l2` when the daemon tracks the contract. Lines
/// come in oxend's order (spec §2.5); `+detail` adds the staking requirement,
/// the operator address and the auxiliary public keys, as it does upstream.
pub fn sn_status_text(info: &Value, status: &Value, detail: bool) -> String {
    let st = &status["service_node_state"];
    let l2 = &info["l2"];
    let pk = str_field(st, "service_node_pubkey").unwrap_or("?");
    let reg = str_field(st, "registration_state").unwrap_or("registration unknown");
    let mut lines = Vec::new();
    let in_contract =
        st.get("l2_service_node_id").is_some() && matches!(reg, "registered" | "exit requested");
    let registered = st.get("registration_height").is_some() || in_contract;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let l2_block = |lines: &mut Vec<String>, indent: &str| {
        if l2.is_object() {
            for line in crate::l2text::status_lines(l2, now) {
                lines.push(format!("{indent}{line}"));
            }
        }
    };
    let note = format!(
        "Note: {}",
        str_field(status, "note").unwrap_or(crate::rpc::NO_CHAIN_NOTE)
    );
    if matches!(reg, "not registered" | "exited") {
        lines.push(format!(
            "Service node {pk} is not currently registered on the network"
        ));
        if let Some(c) = crate::l2text::contract_state_text(l2) {
            lines.push(format!("  L2 contract state: {c}"));
        }
        if !l2.is_object() {
            return lines.join("\n");
        }
        l2_block(&mut lines, "  ");
        lines.push(note);
        return lines.join("\n");
    }
    let indent = if registered { "    " } else { "  " };
    let awaiting = reg.starts_with("awaiting");
    if registered {
        lines.push(if awaiting {
            "Service Node Awaiting State [1]".to_string()
        } else {
            "Service Node Registration State [1]".to_string()
        });
        let version = st["service_node_version"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .unwrap_or_else(|| "(unknown)".to_string());
        lines.push(format!("  [0] Service Node: {pk} v{version}"));
    } else {
        let why = if l2.is_object() {
            "the L2 tracker has not synced the contract yet"
        } else {
            "this daemon does not track the L2 contract (no l2-provider), so it cannot tell \
             whether the node is registered; the staking website shows it"
        };
        lines.push(format!("Service node {pk}: {reg} ({why})"));
    }
    if detail {
        // where oxend has `Total Contributed/Staking Requirement`
        match st.get("staking_requirement").and_then(crate::l2text::sesh) {
            Some(req) => lines.push(format!("{indent}Staking Requirement: {req}")),
            // tracked, but the contract has not told it yet
            None if st.get("l2_contract_state").is_some() => lines.push(format!(
                "{indent}Staking Requirement: unknown (not read from the contract yet)"
            )),
            None => {}
        }
    }
    if registered {
        if let Some(h) = st.get("registration_height") {
            lines.push(format!("{indent}Registration: Height: {h}"));
        } else if let Some(c) = crate::l2text::contract_state_text(l2) {
            lines.push(format!(
                "{indent}Registration: ServiceNodeRewards {}: {c}",
                str_field(l2, "rewards_contract").unwrap_or("contract")
            ));
        }
    }
    if detail {
        if let Some(op) = str_field(st, "operator_address") {
            lines.push(format!("{indent}Operator Address: {op}"));
        }
    }
    if let Some(ip) = str_field(st, "public_ip") {
        lines.push(format!(
            "{indent}IP Address & Ports: {ip} : {} (oxen quorums)",
            st["quorumnet_port"]
        ));
    }
    if detail {
        lines.push(format!("{indent}Auxiliary Public Keys:"));
        for (key, label) in [
            ("pubkey_ed25519", "Ed25519"),
            ("pubkey_x25519", "X25519"),
            ("pubkey_bls", "BLS"),
        ] {
            if let Some(v) = str_field(st, key) {
                lines.push(format!("{indent}  {v} ({label})"));
            }
        }
    }
    if registered {
        if awaiting {
            lines.push(format!("{indent}Current Status: awaiting contributions"));
        } else {
            let suffix = if in_contract { " (L2 contract)" } else { "" };
            lines.push(format!("{indent}Current Status: {reg}{suffix}"));
        }
    }
    l2_block(&mut lines, indent);
    lines.push(note);
    lines.join("\n")
}

fn cmd_print_sn_status(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    let mut detail = false;
    for a in args {
        match a.as_str() {
            "+json" => s.out.fail("+json is no longer supported"),
            "+detail" => detail = true,
            _ => {
                s.out.fail("print_sn_status takes no pubkey arguments");
                return Ok(false);
            }
        }
    }
    let info = call_for(s, "get_info", NODE_INFO)?;
    let status = call_for(
        s,
        "get_service_node_status",
        "Failed to retrieve service node status",
    )?;
    // uncoloured, as oxend's msg_writer
    s.out.msg(&sn_status_text(&info, &status, detail));
    Ok(true)
}

/// Runs one command (`words[0]` and its arguments) with a lazily built client;
/// returns the exit status (0 or 1).
pub fn run_command(
    words: &[String],
    connect: impl FnOnce() -> Result<Client, String>,
    out: &Out,
) -> i32 {
    let Some((name, args)) = words.split_first() else {
        return 1;
    };
    let Some(cmd) = find(name) else {
        if CHAIN_COMMANDS.contains(&name.as_str()) {
            out.fail(&format!(
                "{name} is not available in oxend-stagenet: it needs the Oxen blockchain, which \
                 this daemon does not run. Try 'help' for available commands"
            ));
        } else {
            out.msg(&format!(
                "Unknown command: {name}. Try 'help' for available commands"
            ));
        }
        return 1;
    };
    let mut client = None;
    let mut connect = Some(connect);
    let mut call = |method: &str, params: Option<Value>| -> Result<Value, ClientError> {
        if client.is_none() {
            let make = connect.take().expect("connect once");
            client = Some(make().map_err(ClientError::Setup)?);
        }
        client.as_mut().expect("set above").call(method, params)
    };
    let mut session = Session {
        client: &mut call,
        out,
    };
    match (cmd.run)(&mut session, args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            out.fail(&e.to_string());
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(friendly_duration(5), "5s");
        assert_eq!(friendly_duration(65), "1m5s");
        assert_eq!(friendly_duration(3 * 86_400 + 4 * 3600 + 5), "3d4h0m5s");
        assert_eq!(friendly_duration(3600), "1h0m0s");
    }

    #[test]
    fn key_block_layout() {
        let keys = json!({
            "service_node_pubkey": "aa", "service_node_ed25519_pubkey": "aa",
            "service_node_x25519_pubkey": "bb", "service_node_bls_pubkey": "cc",
            "is_service_node": true, "status": "OK"
        });
        assert_eq!(
            sn_key_text(&keys),
            "Ed25519 Public Key: aa\n X25519 Public Key: bb\n    BLS Public Key: cc\n"
        );
        let not_sn = json!({"service_node_ed25519_pubkey": "aa", "service_node_x25519_pubkey": "bb",
                            "is_service_node": false});
        assert_eq!(
            sn_key_text(&not_sn),
            "Ed25519 Public Key: aa\n X25519 Public Key: bb\n\
             Note: this oxend is NOT configured as a service node"
        );
        let legacy = json!({"service_node_pubkey": "11", "service_node_ed25519_pubkey": "aa",
                            "service_node_x25519_pubkey": "bb", "is_service_node": true});
        assert!(sn_key_text(&legacy).starts_with(" Legacy Public Key: 11\n"));
    }

    #[test]
    fn registered_status_in_upstreams_order() {
        let status = json!({"status": "OK", "note": "n", "service_node_state": {
            "service_node_pubkey": "aa", "registration_height": 42,
            "registration_state": "registered", "service_node_version": [0, 1, 0],
            "public_ip": "1.2.3.4", "quorumnet_port": 11025, "operator_address": "0x70",
            "pubkey_ed25519": "aa", "pubkey_x25519": "bb", "pubkey_bls": "cc"}});
        let info = json!({"status": "OK"});
        assert_eq!(
            sn_status_text(&info, &status, false),
            "Service Node Registration State [1]\n  [0] Service Node: aa v0.1.0\n    \
             Registration: Height: 42\n    IP Address & Ports: 1.2.3.4 : 11025 (oxen quorums)\n    \
             Current Status: registered\nNote: n"
        );
        assert_eq!(
            sn_status_text(&info, &status, true),
            "Service Node Registration State [1]\n  [0] Service Node: aa v0.1.0\n    \
             Registration: Height: 42\n    Operator Address: 0x70\n    \
             IP Address & Ports: 1.2.3.4 : 11025 (oxen quorums)\n    Auxiliary Public Keys:\n      \
             aa (Ed25519)\n      bb (X25519)\n      cc (BLS)\n    Current Status: registered\nNote: n"
        );
        let mut awaiting = status.clone();
        awaiting["service_node_state"]["registration_state"] = json!("awaiting contr.");
        awaiting["service_node_state"]
            .as_object_mut()
            .unwrap()
            .remove("service_node_version");
        let t = sn_status_text(&info, &awaiting, false);
        assert!(
            t.starts_with("Service Node Awaiting State [1]\n  [0] Service Node: aa v(unknown)\n")
        );
        assert!(
            t.contains("\n    Current Status: awaiting contributions\n"),
            "{t}"
        );
    }

    #[test]
    fn help_layout() {
        let h = help_text();
        assert!(h.starts_with(&format!(
            "{}\nCommands:\n  exit\n  help [<command>]\n",
            crate::banner()
        )));
        assert_eq!(
            command_help(find("status").unwrap()).lines().next(),
            Some("Command usage: ")
        );
    }
}
