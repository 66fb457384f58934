//! The chain follower in the client: `print_cn` (oxend's connection table)
//! and the chain lines of `status`.

use super::session::Session;
use super::transport::ClientError;
use crate::api::chain::{ChainReport, ConnectionsReply, STATE_FAILED};
use crate::api::info::InfoReply;

/// What oxend's `print_cn` says when `get_connections` fails.
pub const CONNECTION_INFO: &str = "Failed to retrieve connection info";

/// oxend's `print_cn` header, as upstream oxend v11 prints it (column widths
/// 30, 8, 20, 30, 25, 20, 12, 14, 10, 13; `Down (kB/sec)` overruns its 12).
pub fn connections_header() -> String {
    format!(
        "{:<30}{:<8}{:<20}{:<30}{:<25}{:<20}{:<12}{:<14}{:<10}{:<13}",
        "Remote Host",
        "Type",
        "Peer id",
        "Recv/Sent (inactive,sec)",
        "State",
        "Livetime(sec)",
        "Down (kB/sec)",
        "Down(now)",
        "Up (kB/s)",
        "Up(now)"
    )
}

/// `print_cn`: one line per P2P connection under oxend's header, in oxend's
/// columns. The current rates (`Down(now)`, `Up(now)`) are not measured
/// here: `-`.
pub fn cmd_print_cn(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    let reply: ConnectionsReply = s.call_for("get_connections", CONNECTION_INFO)?;
    let mut lines = vec![connections_header()];
    for c in &reply.connections {
        let address = format!(
            "{}{}:{}",
            if c.incoming { "INC " } else { "OUT " },
            c.ip,
            c.port
        );
        let kind = match c.address_type {
            1 => "IPv4",
            2 => "IPv6",
            _ => "Invalid",
        };
        let counts = format!(
            "{}({})/{}({})",
            c.recv_count, c.recv_idle_time, c.send_count, c.send_idle_time
        );
        lines.push(format!(
            "{address:<30}{kind:<8}{:<20}{counts:<30}{:<25}{:<20}{:<12}{:<14}{:<10}{:<13}{}",
            c.peer_id,
            c.state,
            c.live_time,
            c.avg_download,
            "-",
            c.avg_upload,
            "-",
            if c.localhost { "[LOCALHOST]" } else { "" }
        ));
    }
    s.out.success(&lines.join("\n"));
    Ok(true)
}

/// The start of `status`'s first line: oxend's `Height: <h>[/<net> (<pct>%)]`.
pub fn height_text(r: &ChainReport) -> String {
    let mut t = format!("Height: {}", r.height);
    if r.target_height > r.height {
        t.push_str(&format!(
            "/{} ({:.1}%)",
            r.target_height,
            crate::api::chain::sync_percent(r.height, r.target_height)
        ));
    }
    t
}

/// The chain lines of `status`: the top block, the P2P side (`no peers` when
/// nobody is connected), or why there is no chain.
pub fn status_lines(info: &InfoReply) -> Vec<String> {
    let Some(r) = &info.chain else {
        return vec![if info.chain_follower {
            "Chain: the chain follower has not reported yet".to_string()
        } else {
            "Chain: off (chain-follower=0): the Oxen chain is not followed, no P2P".to_string()
        }];
    };
    let mut lines = vec![format!("Top block id: {}", r.top_block_hash)];
    let peers = r.outgoing_connections_count + r.incoming_connections_count;
    let listen = r
        .p2p_bind
        .as_deref()
        .map(|b| format!(" on {b}"))
        .unwrap_or_default();
    let sync = if peers == 0 {
        "no peers".to_string()
    } else if r.synchronized {
        format!("{peers} peer(s), synchronized")
    } else {
        format!("{peers} peer(s), syncing")
    };
    lines.push(if r.offline {
        format!(
            "Chain: offline (offline=1): the stored {} chain only, no P2P listener or peers",
            r.nettype
        )
    } else {
        format!("Chain: following {} over P2P{listen}; {sync}", r.nettype)
    });
    if r.state == STATE_FAILED {
        let why = r.last_error.as_deref().unwrap_or("unknown error");
        lines.push(format!(
            "Chain: the follower stopped ({why}); it is restarted every minute"
        ));
    }
    lines
}
