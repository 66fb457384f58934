//! The checks that read this host only: the config file, the key files, the
//! systemd unit, the ufw profile and state, the clock and the free disk.
//! Commands (`systemctl`, `timedatectl`) are found through `PATH`.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use snode_conf::Settings;
use snode_keys::format::AnyKey;
use snode_keys::write::SECRET_MODE;
use snode_keys::KeyKind;

use super::report::Finding;

/// The unit the package installs.
pub const UNIT: &str = "oxen-stagenet-node.service";
/// The ufw application profile the package installs (debian/ufw/), under
/// `<ufw dir>/applications.d/`.
pub const UFW_PROFILE: &str = "oxend-stagenet";
/// Below this much free space under the data directory the node is in trouble.
pub const CRITICAL_FREE_MIB: u64 = 256;

const RESTART: &str = "sudo systemctl restart oxen-stagenet-node";

/// The config file as doctor read it.
pub struct Loaded {
    /// The settings (each faulty option at its default).
    pub settings: Settings,
    /// The file read, if any.
    pub path: Option<PathBuf>,
}

/// Reads and checks the config file as the daemon does; the settings are
/// returned even when the file has errors, so the other checks still run.
pub fn config(path: Option<&Path>, overrides: &[(String, String)]) -> (Loaded, Finding) {
    let id = "config";
    let fallback = |path: Option<&Path>| Loaded {
        settings: Settings::from_sources_collect(None, overrides, &mut Vec::new()),
        path: path.map(Path::to_path_buf),
    };
    let Some(path) = path else {
        return (
            fallback(None),
            Finding::problem(
                id,
                format!("no config file: {} does not exist", super::SYSTEM_CONFIG),
                "install the package (sudo apt-get install session-stagenet-node) or name the \
                 file with --config-file",
            ),
        );
    };
    let shown = path.display().to_string();
    let text = match snode_conf::read_text(path) {
        Ok(t) => t,
        Err(snode_conf::ConfError::Read { source, .. })
            if source.kind() == io::ErrorKind::PermissionDenied =>
        {
            return (
                fallback(Some(path)),
                Finding::problem(
                    id,
                    format!("{shown} is not readable by this user"),
                    "run doctor with sudo (or as a member of group _loki)",
                ),
            );
        }
        Err(e) => {
            return (
                fallback(Some(path)),
                Finding::problem(
                    id,
                    e.to_string(),
                    format!("check that {shown} exists, or name the file with --config-file"),
                ),
            );
        }
    };
    let (doc, mut errors) = snode_conf::parse_collect(&text, &shown);
    let settings = Settings::from_sources_collect(Some(&doc), overrides, &mut errors);
    let problems = settings.validate();
    let loaded = Loaded {
        settings,
        path: Some(path.to_path_buf()),
    };
    let fix = format!(
        "edit {shown}; `oxen-sn-config validate {shown}` lists every problem with its line; \
         then {RESTART}"
    );
    let serious: Vec<String> = errors
        .iter()
        .map(ToString::to_string)
        .chain(
            problems
                .iter()
                .filter(|p| p.severity == snode_conf::Severity::Error)
                .map(ToString::to_string),
        )
        .collect();
    let warnings: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == snode_conf::Severity::Warning)
        .map(ToString::to_string)
        .collect();
    let finding = if let Some(first) = serious.first() {
        let more = match serious.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Finding::problem(id, format!("{shown} is not valid: {first}{more}"), fix)
    } else if let Some(first) = warnings.first() {
        Finding::warning(
            id,
            format!("{shown} is valid, with a warning: {first}"),
            fix,
        )
    } else {
        Finding::ok(id, format!("{shown} is valid"))
    };
    (loaded, finding)
}

/// The users of `/etc/passwd` as `(uid, name)` pairs (none when it cannot be
/// read). Doctor reads it once per run and passes it to [`resolve_user`].
pub fn passwd() -> Vec<(u32, String)> {
    parse_passwd(&std::fs::read_to_string("/etc/passwd").unwrap_or_default())
}

/// The `(uid, name)` pairs of a `/etc/passwd` text.
fn parse_passwd(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let uid: u32 = f.nth(1)?.parse().ok()?;
            Some((uid, name.to_string()))
        })
        .collect()
}

/// A user (name or numeric uid) as `passwd` (from [`passwd`]) has it: `(uid, name)`.
pub fn resolve_user(passwd: &[(u32, String)], user: &str) -> Option<(u32, String)> {
    match user.parse::<u32>() {
        Ok(uid) => Some(
            passwd
                .iter()
                .find(|(u, _)| *u == uid)
                .cloned()
                .unwrap_or((uid, uid.to_string())),
        ),
        Err(_) => passwd.iter().find(|(_, n)| n == user).cloned(),
    }
}

/// The public keys the running daemon reports, hex.
#[derive(Clone, Debug, Default)]
pub struct DaemonKeys {
    /// `service_node_ed25519_pubkey`.
    pub ed25519: Option<String>,
    /// `service_node_bls_pubkey`.
    pub bls: Option<String>,
    /// `service_node_pubkey` (the legacy key's when there is one).
    pub primary: Option<String>,
}

/// One key file: present, 0400, owned by `owner` (looked up in `passwd`, from
/// [`passwd`]), and the key the daemon runs on.
pub fn key_file(
    dir: &Path,
    kind: KeyKind,
    owner: &str,
    passwd: &[(u32, String)],
    daemon: Option<&DaemonKeys>,
    optional: bool,
) -> Option<Finding> {
    let name = kind.file_name();
    let id = name.to_string();
    let path = dir.join(name);
    let shown = path.display();
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if optional {
                return None;
            }
            return Some(Finding::problem(
                id,
                format!("{shown} is missing"),
                format!(
                    "if this node was ever registered, restore the key from your backup: sudo \
                     oxen-sn-keys-snapshot {} {shown}; a new node gets a new key at the next \
                     start ({RESTART})",
                    if kind == KeyKind::Bls {
                        "restore-bls"
                    } else {
                        "restore"
                    }
                ),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            return Some(Finding::warning(
                id,
                format!("{shown} cannot be looked at by this user ({e})"),
                "run doctor with sudo",
            ));
        }
        Err(e) => {
            return Some(Finding::problem(
                id,
                format!("{shown}: {e}"),
                format!("check {}", dir.display()),
            ))
        }
    };
    let mut problems = Vec::new();
    let mut fixes = Vec::new();
    if !meta.is_file() {
        return Some(Finding::problem(
            id,
            format!("{shown} is not a regular file"),
            "move it away and restore the key from your backup (oxen-sn-keys-snapshot)",
        ));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode != SECRET_MODE {
        problems.push(format!("mode {mode:04o}, not 0400"));
        fixes.push(format!("sudo chmod 0400 {shown}"));
    }
    let owner_text = match resolve_user(passwd, owner) {
        Some((uid, name)) if meta.uid() != uid => {
            let is = resolve_user(passwd, &meta.uid().to_string())
                .map_or(meta.uid().to_string(), |u| u.1);
            problems.push(format!("owned by {is}, not {name}"));
            fixes.push(format!("sudo chown {name}: {shown}"));
            name
        }
        Some((_, name)) => name,
        None => {
            problems.push(format!("user {owner} does not exist on this host"));
            fixes.push(format!(
                "reinstall the package, which creates it (sudo apt-get install --reinstall \
                 session-stagenet-node), then sudo chown {owner}: {shown}"
            ));
            owner.to_string()
        }
    };
    // Compare with the daemon's keys when both can be read.
    let mut note = String::new();
    if let Some(daemon) = daemon {
        let want = match kind {
            KeyKind::Ed25519 => daemon.ed25519.as_ref(),
            KeyKind::Bls => daemon.bls.as_ref(),
            KeyKind::Legacy => daemon.primary.as_ref(),
        };
        match AnyKey::load(&path, Some(kind)) {
            Ok(key) => match want {
                Some(w) if w.eq_ignore_ascii_case(&key.public_hex()) => {
                    note = ", matches the daemon".to_string();
                }
                Some(w) => {
                    problems.push(format!(
                        "the daemon runs on another key ({}…, the file has {}…): the file was \
                         replaced after the daemon started",
                        &w[..w.len().min(16)],
                        &key.public_hex()[..16]
                    ));
                    fixes.push(format!(
                        "if the file is the node's key, {RESTART}; if not, restore the right \
                         one from your backup before any restart"
                    ));
                }
                None => note = ", the daemon reports no such key".to_string(),
            },
            Err(snode_keys::KeyError::Read { source, .. })
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                note = ", not compared with the daemon (not readable by this user: use sudo)"
                    .to_string();
            }
            Err(e) => {
                problems.push(format!("not a valid key: {e}"));
                fixes.push("restore it from your backup (oxen-sn-keys-snapshot)".to_string());
            }
        }
    }
    Some(if problems.is_empty() {
        Finding::ok(id, format!("present, 0400 {owner_text}{note}"))
    } else {
        Finding::problem(
            id,
            format!("{shown}: {}", problems.join("; ")),
            fixes.join("; "),
        )
    })
}

/// Runs a command; `Ok(None)` when it is not installed.
fn run(program: &str, args: &[&str]) -> io::Result<Option<std::process::Output>> {
    match Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .output()
    {
        Ok(o) => Ok(Some(o)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `KEY=value` lines as pairs.
fn properties(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The unit's state and last exit, from `systemctl show`.
pub fn unit(unit: &str) -> Finding {
    let id = "unit";
    let journal = format!("journalctl -u {} -n 50", unit.trim_end_matches(".service"));
    let out = match run(
        "systemctl",
        &[
            "show",
            unit,
            "-p",
            "LoadState,ActiveState,SubState,Result,ExecMainStatus,NRestarts",
        ],
    ) {
        Ok(Some(o)) => o,
        Ok(None) => {
            return Finding::warning(
                id,
                "systemctl not found: the unit cannot be checked (not a systemd host?)",
                format!("run the node under systemd: the package's {unit} restarts it and keeps it supervised"),
            )
        }
        Err(e) => {
            return Finding::warning(id, format!("systemctl could not be run: {e}"), "check PATH")
        }
    };
    let props = properties(&String::from_utf8_lossy(&out.stdout));
    let get = |k: &str| {
        props
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    if !out.status.success() || get("ActiveState").is_empty() {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Finding::warning(
            id,
            format!("systemctl show {unit} failed: {said}"),
            "check that systemd runs this host (`systemctl status`)",
        );
    }
    if get("LoadState") == "not-found" {
        return Finding::problem(
            id,
            format!("{unit} is not installed"),
            "sudo apt-get install session-stagenet-node",
        );
    }
    let (active, sub, result) = (get("ActiveState"), get("SubState"), get("Result"));
    let status = get("ExecMainStatus");
    let restarts: u64 = get("NRestarts").parse().unwrap_or(0);
    let what = format!(
        "{unit} {active} ({sub}), last result {result}, last exit status {status}, {restarts} \
         automatic restart(s)"
    );
    let config_fix = format!(
        "the last run stopped on a configuration error (exit status 78): `{journal}` says \
         what; fix the file (`oxen-sn-config validate`), then {RESTART}"
    );
    match active {
        "active" | "reloading" if restarts >= 3 => Finding::warning(
            id,
            what,
            format!("it restarted often: see why with `{journal}`"),
        ),
        "active" | "reloading" => Finding::ok(id, what),
        "failed" if status == "78" => Finding::problem(id, what, config_fix),
        "failed" => Finding::problem(
            id,
            what,
            format!("see why with `{journal}`, fix it, then {RESTART}"),
        ),
        "activating" => Finding::problem(
            id,
            what,
            format!("the daemon keeps restarting: see why with `{journal}`"),
        ),
        _ if status == "78" => Finding::problem(id, what, config_fix),
        _ => Finding::warning(
            id,
            what,
            format!(
                "start it: sudo systemctl enable --now {}",
                unit.trim_end_matches(".service")
            ),
        ),
    }
}

/// Clock synchronisation, from `timedatectl show -p NTPSynchronized`.
pub fn clock() -> Finding {
    let id = "clock";
    let fix = "enable time synchronisation: sudo timedatectl set-ntp true (systemd-timesyncd, \
               chrony or ntpd must be installed)";
    match run("timedatectl", &["show", "-p", "NTPSynchronized"]) {
        Ok(Some(o)) if o.status.success() => {
            let props = properties(&String::from_utf8_lossy(&o.stdout));
            match props
                .iter()
                .find(|(k, _)| k == "NTPSynchronized")
                .map(|(_, v)| v.as_str())
            {
                Some("yes") => Finding::ok(id, "the system clock is synchronised (NTP)"),
                Some(v) => Finding::warning(
                    id,
                    format!(
                        "the system clock is not synchronised (NTPSynchronized={v}): L2 head \
                         ages and uptime proofs depend on it"
                    ),
                    fix,
                ),
                None => Finding::warning(
                    id,
                    "timedatectl did not say whether the clock is synchronised",
                    "check with: timedatectl status",
                ),
            }
        }
        Ok(Some(o)) => Finding::warning(
            id,
            format!(
                "timedatectl failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            "check with: timedatectl status",
        ),
        Ok(None) => Finding::warning(
            id,
            "timedatectl not found: clock synchronisation cannot be checked",
            "make sure an NTP client (systemd-timesyncd, chrony) keeps the clock right",
        ),
        Err(e) => Finding::warning(
            id,
            format!("timedatectl could not be run: {e}"),
            "check PATH",
        ),
    }
}

/// The ports of a ufw application profile's `ports=` line, e.g.
/// `11022,11025/tcp` → `[(11022, "tcp"), (11025, "tcp")]` (a port without a
/// protocol is `any`).
pub fn profile_ports(text: &str) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(value) = line.trim().strip_prefix("ports=") else {
            continue;
        };
        for group in value.split('|') {
            let (ports, proto) = group.split_once('/').unwrap_or((group, "any"));
            for p in ports.split(',') {
                let range = p.split_once(':').unwrap_or((p, p));
                if let (Ok(a), Ok(b)) =
                    (range.0.trim().parse::<u16>(), range.1.trim().parse::<u16>())
                {
                    out.extend((a..=b).map(|n| (n, proto.trim().to_string())));
                }
            }
        }
    }
    out
}

/// The package's ufw profile and whether it holds the node's ports.
pub fn ufw_profile(ufw_dir: &Path, settings: &Settings) -> Finding {
    let id = "ufw_profile";
    let path = ufw_dir.join("applications.d").join(UFW_PROFILE);
    let shown = path.display();
    let want = [settings.p2p_bind_port, settings.quorumnet_port];
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound && !ufw_dir.exists() => {
            return Finding::warning(
                id,
                format!(
                    "ufw is not installed ({} does not exist)",
                    ufw_dir.display()
                ),
                format!(
                    "make sure your firewall lets TCP ports {} and {} in (or install ufw: sudo \
                     apt-get install ufw, then sudo ufw allow {UFW_PROFILE})",
                    want[0], want[1]
                ),
            )
        }
        Err(e) => {
            return Finding::warning(
                id,
                format!("the ufw profile {shown} cannot be read: {e}"),
                "restore it: sudo apt-get install --reinstall session-stagenet-node",
            )
        }
    };
    let ports = profile_ports(&text);
    let missing: Vec<String> = want
        .iter()
        .filter(|p| {
            !ports
                .iter()
                .any(|(n, proto)| n == *p && (proto == "tcp" || proto == "any"))
        })
        .map(|p| format!("{p}/tcp"))
        .collect();
    let listed: Vec<String> = ports.iter().map(|(n, p)| format!("{n}/{p}")).collect();
    if missing.is_empty() {
        Finding::ok(id, format!("{shown} opens {}", listed.join(", ")))
    } else {
        Finding::warning(
            id,
            format!(
                "{shown} opens {}, not {} that the config uses",
                if listed.is_empty() {
                    "no port".to_string()
                } else {
                    listed.join(", ")
                },
                missing.join(", ")
            ),
            format!(
                "allow them yourself (sudo ufw allow {}), or go back to the default ports",
                missing.join(" && sudo ufw allow ")
            ),
        )
    }
}

/// Whether ufw is enabled (`ENABLED=` of `ufw.conf`) and, when its rules can
/// be read, whether the profile is allowed.
pub fn ufw_active(ufw_dir: &Path) -> Option<Finding> {
    let id = "ufw_active";
    let conf = std::fs::read_to_string(ufw_dir.join("ufw.conf")).ok()?;
    let enabled = properties(&conf)
        .iter()
        .any(|(k, v)| k == "ENABLED" && v.eq_ignore_ascii_case("yes"));
    if !enabled {
        return Some(Finding::warning(
            id,
            "ufw is installed but not enabled: the host has no ufw firewall",
            format!(
                "sudo ufw allow OpenSSH && sudo ufw allow {UFW_PROFILE} && sudo ufw enable \
                 (or keep the ports open in the firewall you use)"
            ),
        ));
    }
    let rules = ufw_dir.join("user.rules");
    match std::fs::read_to_string(&rules) {
        Ok(text) => {
            let allowed = text.lines().any(|l| {
                l.starts_with("### tuple ### allow")
                    && l.split_whitespace().any(|w| w == UFW_PROFILE)
            });
            Some(if allowed {
                Finding::ok(id, format!("ufw is enabled and allows {UFW_PROFILE}"))
            } else {
                Finding::problem(
                    id,
                    format!("ufw is enabled but does not allow {UFW_PROFILE}: other nodes cannot reach this one"),
                    format!("sudo ufw allow {UFW_PROFILE}"),
                )
            })
        }
        Err(_) => Some(Finding::ok(
            id,
            format!(
                "ufw is enabled (its rules are not readable by this user: `sudo ufw status` \
                 shows whether {UFW_PROFILE} is allowed)"
            ),
        )),
    }
}

/// Free space on the file system of the data directory (or of its nearest
/// existing parent).
pub fn disk(data_dir: &Path, min_free_mib: u64) -> Finding {
    let id = "disk";
    let mut at = data_dir;
    while !at.exists() {
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p,
            _ => break,
        }
    }
    let stat = match rustix::fs::statvfs(at) {
        Ok(s) => s,
        Err(e) => {
            return Finding::warning(
                id,
                format!("free space under {} cannot be read: {e}", at.display()),
                "check with: df -h",
            )
        }
    };
    let free_mib = stat.f_bavail.saturating_mul(stat.f_frsize) / (1024 * 1024);
    let what = format!("{free_mib} MiB free under {}", at.display());
    let fix = "free space on that file system (old logs: sudo journalctl --vacuum-size=200M; \
               apt-get clean), or move data-dir to a larger one";
    if free_mib < CRITICAL_FREE_MIB.min(min_free_mib) {
        Finding::problem(id, format!("{what}: the node's databases may fail"), fix)
    } else if free_mib < min_free_mib {
        Finding::warning(id, format!("{what}, less than {min_free_mib} MiB"), fix)
    } else {
        Finding::ok(id, what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ufw_ports() {
        assert_eq!(
            profile_ports("[x]\nports=11022,11025/tcp\n"),
            [(11022, "tcp".to_string()), (11025, "tcp".to_string())]
        );
        assert_eq!(
            profile_ports("ports=80|443/tcp|5000:5001/udp\n"),
            [
                (80, "any".to_string()),
                (443, "tcp".to_string()),
                (5000, "udp".to_string()),
                (5001, "udp".to_string())
            ]
        );
    }

    #[test]
    fn passwd_lines() {
        let p = parse_passwd("root:x:0:0:root:/root:/bin/bash\n_loki:x:997:997::/var/lib/oxen:/usr/sbin/nologin\nbroken\n");
        assert_eq!(p, [(0, "root".to_string()), (997, "_loki".to_string())]);
        assert_eq!(resolve_user(&p, "_loki"), Some((997, "_loki".to_string())));
        assert_eq!(resolve_user(&p, "0"), Some((0, "root".to_string())));
        assert_eq!(resolve_user(&p, "1234"), Some((1234, "1234".to_string())));
        assert_eq!(resolve_user(&p, "nobody"), None);
    }

    #[test]
    fn property_lines() {
        let p = properties("ActiveState=failed\nExecMainStatus=78\n");
        assert_eq!(p[0], ("ActiveState".to_string(), "failed".to_string()));
        assert_eq!(p[1].1, "78");
    }
}
