//! The subcommands the maintainer scripts use (`get`, `check-ip`,
//! `check-providers`), the default FILE and `--config-file`, and the operator's
//! words on errors (sudo, did-you-mean), on real files and loopback stubs.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{ok, run, stub};

const KEY: &str = "Zx9aQ2mK7vB4nR8tL1pW3yE6";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn get_prints_the_value_the_daemon_uses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(
        &file,
        format!(
            "service-node=1\nservice-node-public-ip=51.15.0.7  # ours\n\
             l2-provider=https://a.example/v2/{KEY}, http://127.0.0.1:8545\n\
             l2-provider=https://b.example/rpc?x=1&y=2\n"
        ),
    )
    .unwrap();
    let (code, out, err) = run(&["get", "service-node-public-ip", p(&file)]);
    assert_eq!((code, out.as_str()), (0, "51.15.0.7\n"), "{err}");
    // A list on one line, in full (scripts write it back), in order.
    let (code, out, _) = run(&["get", "l2-provider", p(&file)]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!("https://a.example/v2/{KEY} http://127.0.0.1:8545 https://b.example/rpc?x=1&y=2\n")
    );
    // Digests as the package keeps them (sha256sum of the line, "" when empty).
    let (_, out, _) = run(&["get", "--digest", "service-node-public-ip", p(&file)]);
    let (_, same, _) = run(&["normalize", "--digest", " 51.15.0.7 "]);
    assert_eq!(out, same);
    assert_eq!(out.trim(), sha256_hex("51.15.0.7"));
    let (_, out, _) = run(&["normalize", "a.example,b.example  c.example"]);
    assert_eq!(out, "a.example b.example c.example\n");
    let (code, out, _) = run(&["normalize", "--digest", " , "]);
    assert_eq!((code, out.as_str()), (0, "\n"));
    // Not in the file: the default; `--config-file` names the file as FILE does.
    let (code, out, _) = run(&["--config-file", p(&file), "get", "l2-refresh"]);
    assert_eq!((code, out.as_str()), (0, "60\n"));
    let (code, out, _) = run(&["get", "--config-file", p(&file), "l2-max-logs"]);
    assert_eq!((code, out.as_str()), (0, "1000\n"));
    // A misspelt option is a usage error with the option meant.
    let (code, out, err) = run(&["get", "l2-provders", p(&file)]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("did you mean 'l2-provider'?"), "{err}");
    // Missing file: status 3; an invalid file: status 1.
    let (code, _, err) = run(&["get", "l2-provider", p(&dir.path().join("none.conf"))]);
    assert_eq!(code, 3, "{err}");
    fs::write(&file, "l2-provider=http://a.example\nnonsense line\n").unwrap();
    let (code, out, _) = run(&["get", "l2-provider", p(&file)]);
    assert_eq!((code, out.as_str()), (1, ""));
    // Two different files named: refused, not guessed.
    let (code, _, err) = run(&["--config-file", "/x.conf", "get", "l2-provider", p(&file)]);
    assert_eq!(code, 2);
    assert!(err.contains("two config files"), "{err}");
}

#[test]
fn file_defaults_to_the_package_config() {
    let (_, out, _) = run(&["--help"]);
    assert!(
        out.contains("FILE defaults to /etc/oxen/stagenet.conf"),
        "{out}"
    );
    // Whatever this machine has there, the tool reads that path.
    let (code, _, err) = run(&["validate"]);
    if !Path::new("/etc/oxen/stagenet.conf").exists() {
        assert_eq!(code, 3);
        assert!(err.contains("cannot read /etc/oxen/stagenet.conf"), "{err}");
    } else {
        assert!(!err.contains("required"), "{err}");
    }
}

#[test]
fn permission_denied_says_run_with_sudo_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(&file, "service-node=1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    let bin = env!("CARGO_BIN_EXE_oxen-sn-config");
    // As root (who reads any file), run the tool as nobody.
    let mut cmd = if rustix::process::geteuid().is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    let out = cmd.args(["show", p(&file)]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("run this with sudo"), "{err}");
    assert_eq!(err.matches("Permission denied").count(), 1, "{err}");
}

#[test]
fn check_ip_answers_with_its_status() {
    let (code, out, _) = run(&["check-ip", "51.15.0.7"]);
    assert_eq!((code, out.as_str()), (0, ""));
    for (ip, want) in [
        (
            "192.168.1.4",
            "192.168.1.4 is not public: it is in a range the internet does not route to (private network 192.168.0.0/16, RFC 1918)",
        ),
        ("100.64.0.1", "carrier-grade NAT"),
        ("51.15.0.7:22022", "not an IPv4 address"),
        ("51.15.0", "not an IPv4 address"),
    ] {
        let (code, out, _) = run(&["check-ip", ip]);
        assert_eq!(code, 1, "{ip}");
        assert_eq!(out.lines().count(), 1, "{ip}: {out}");
        assert!(out.contains(want), "{ip}: {out}");
    }
}

#[test]
fn check_providers_names_unusable_urls_and_probes_the_rest() {
    // Unusable: status 1, one line each, nothing contacted, keys hidden.
    let (code, out, _) = run(&[
        "check-providers",
        &format!("\"https://arb.example/v2/{KEY}\""),
        &format!("arb.example/v2/{KEY}"),
        "ftp://127.0.0.1/",
        "http://127.0.0.1:9/fine",
    ]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].contains("'https://arb.example/…'") && lines[0].contains("quotes"));
    assert!(lines[1].contains("scheme is missing") && lines[1].contains("arb.example"));
    assert!(lines[2].starts_with("Invalid l2-provider URL 'ftp://127.0.0.1'"));
    assert!(!out.contains(KEY), "{out}");
    let (code, out, _) = run(&["check-providers", "--no-probe", "http://127.0.0.1:9/"]);
    assert_eq!((code, out.as_str()), (0, ""));

    // Usable in form: probed; a wrong chain is status 4 with its report.
    let wrong = stub(|_| ok(json!("0xa4b1")));
    let (code, out, _) = run(&["check-providers", "--timeout", "5", &wrong]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("NOT USABLE"), "{out}");
}

/// SHA-256 of `text` in hex, by coreutils' sha256sum (as older packages computed it).
fn sha256_hex(text: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// The installer's dialog texts say what really happens (issue 12 point 8),
/// and the config script fills in what they show.
#[test]
fn debconf_templates_say_what_happens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let templates = fs::read_to_string(root.join("debian/templates")).unwrap();
    let config = fs::read_to_string(root.join("debian/config")).unwrap();
    let template = |name: &str| -> String {
        let start = templates
            .find(&format!("Template: session-stagenet-node/{name}\n"))
            .unwrap();
        let rest = &templates[start..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    let bad = template("bad-l2-provider");
    assert!(!bad.contains("kept as given"), "{bad}");
    assert!(bad.contains("dropped") && bad.contains("${ERROR}"), "{bad}");
    assert!(bad.contains("quotes") && bad.contains("blanks"), "{bad}");
    let confirm = template("confirm-detected-ip");
    assert!(
        confirm.contains("NAT") && confirm.contains("floating IP"),
        "{confirm}"
    );
    assert!(confirm.contains("${NOTE}"), "{confirm}");
    assert!(
        config.contains("confirm-detected-ip\" NOTE"),
        "NOTE is filled in"
    );
    // One-line reasons, from the tools' own checks (no prose parsed).
    assert!(config.contains("oxen-sn-public-ip --brief"));
    assert!(config.contains("oxen-sn-config check-ip"));
    assert!(config.contains("oxen-sn-config check-providers"));
    let invalid = template("invalid-ip");
    assert!(invalid.contains("${REASON}"), "{invalid}");
    // No shell function is defined twice across the maintainer scripts.
    let postinst = fs::read_to_string(root.join("debian/postinst")).unwrap();
    let functions = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| {
                l.strip_suffix("() {")
                    .or_else(|| l.split_once("() { ").map(|(n, _)| n))
            })
            .map(|n| n.trim().to_string())
            .collect()
    };
    let ours = functions(&config);
    assert!(ours.contains(&"sync_from_file".to_string()), "{ours:?}");
    for f in functions(&postinst) {
        assert!(!ours.contains(&f), "{f} is defined in both scripts");
    }
}

/// Issue 12 point 11: options accepted only for compatibility are marked in
/// `show` and listed in --help; the template's commented defaults are the real
/// defaults.
#[test]
fn options_without_effect_are_marked_and_template_defaults_are_real() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(&file, "service-node=1\nout-peers=8\nl2-refresh=30\n").unwrap();
    let (code, out, _) = run(&["show", p(&file)]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("out-peers=8  # {}:2 (no effect)\n", p(&file))),
        "{out}"
    );
    assert!(
        out.contains(&format!("l2-refresh=30  # {}:3\n", p(&file))),
        "{out}"
    );
    let (_, out, _) = run(&["show", "--effective", p(&file)]);
    assert!(out.contains("seed-node=  # default (no effect)\n"), "{out}");
    assert!(!out
        .lines()
        .any(|l| l.starts_with("l2-provider=") && l.contains("no effect")));
    let (_, help, _) = run(&["--help"]);
    assert!(
        help.contains("no effect in this node") && help.contains("p2p-use-ipv6"),
        "{help}"
    );

    // Every commented `#name=value` of the template is that option's default.
    let template = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../debian/stagenet.conf"),
    )
    .unwrap();
    let empty = dir.path().join("empty.conf");
    fs::write(&empty, "").unwrap();
    let mut checked = 0;
    for line in template.lines() {
        let Some((name, value)) = line.strip_prefix('#').and_then(|l| l.split_once('=')) else {
            continue;
        };
        if name.contains(' ') || ["service-node-public-ip", "l2-provider"].contains(&name) {
            continue; // prose, or examples of values the installer fills in
        }
        let (code, default, err) = run(&["get", name, p(&empty)]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(value, default.trim(), "#{name}= in the template");
        checked += 1;
    }
    assert!(checked >= 3, "{template}");
}
