//! The key guard: `--overwrite` of an Ed25519 or BLS key is refused when the
//! node is registered, when that cannot be checked, and when the running
//! daemon uses the key. A stub L2 provider on loopback answers
//! `allServiceNodeIDs()` and `ed25519ToServiceNodeID(uint256)` (by the
//! selector in the request); a stub admin RPC stands for a running daemon.
//! tests/anvil.rs runs the same refusals against anvil.

use std::fs;

use crate::common::{ed_file, names, NodeDir};
use snode_testkit::{free_port, serve_json};

const BLS_SK: &str = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
const OTHER_SK: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

/// Serves every HTTP request with `body`.
fn serve(body: String) -> u16 {
    serve_json(move |_| body.clone())
}

fn closed_port() -> u16 {
    free_port()
}

fn bls_pubkey(sk_hex: &str) -> [u8; 64] {
    snode_bls::public_key(&hex::decode(sk_hex).unwrap().try_into().unwrap())
}

fn ed_pubkey(seed_hex: &str) -> [u8; 32] {
    snode_keys::Ed25519Secret::from_seed(&hex::decode(seed_hex).unwrap().try_into().unwrap())
        .public_key()
}

fn word(id: u64) -> String {
    format!("{id:064x}")
}

/// A provider whose contract lists these (id, BLS secret) nodes, and maps
/// these (Ed25519 seed → id) for `ed25519ToServiceNodeID`.
fn provider_with(nodes: &[(u64, &str)], ed: &[(&str, u64)]) -> u16 {
    let list: Vec<(u64, [u8; 64])> = nodes.iter().map(|(id, sk)| (*id, bls_pubkey(sk))).collect();
    let all = hex::encode(snode_l2::abi::encode_all_service_node_ids(&list));
    let ed: Vec<(String, u64)> = ed
        .iter()
        .map(|(seed, id)| (hex::encode(ed_pubkey(seed)), *id))
        .collect();
    serve_json(move |request| {
        let result = if request.contains("0xabf2c503") {
            all.clone()
        } else if let Some(at) = request.find("0xc0ebedab") {
            let arg = &request[at + 10..at + 74];
            let id = ed.iter().find(|(pk, _)| pk == arg).map_or(0, |(_, id)| *id);
            word(id)
        } else {
            panic!("unexpected request {request}");
        };
        format!(r#"{{"jsonrpc":"2.0","id":1,"result":"0x{result}"}}"#)
    })
}

/// A provider whose contract lists these (id, BLS secret) nodes and no
/// Ed25519 key.
fn provider(nodes: &[(u64, &str)]) -> u16 {
    provider_with(nodes, &[])
}

/// A node whose config names the provider on `provider_port` and the admin
/// RPC on `rpc_port`.
fn setup(provider_port: u16, rpc_port: u16) -> NodeDir {
    NodeDir::new(
        SEED,
        BLS_SK,
        &format!(
            "l2-provider=http://127.0.0.1:{provider_port}/v2/SECRETKEY123\n\
             rpc-admin=127.0.0.1:{rpc_port}\n"
        ),
    )
}

#[test]
fn registered_bls_key_is_not_replaced_without_the_explicit_flag() {
    let s = setup(provider(&[(3, OTHER_SK), (7, BLS_SK)]), closed_port());
    let before = fs::read(s.data().join("key_bls")).unwrap();
    let (code, _, err) = s.run(&["restore-bls", "--overwrite", "key_bls"], OTHER_SK);
    assert_eq!(code, 15, "{err}");
    assert!(err.contains("lists as registered (id 7)"), "{err}");
    assert!(
        err.contains(&hex::encode(bls_pubkey(BLS_SK))),
        "names the pubkey: {err}"
    );
    assert!(
        err.contains("deregisters") && err.contains("--replace-registered-key"),
        "{err}"
    );
    assert!(
        !err.contains("SECRETKEY123"),
        "provider API key leaked: {err}"
    );
    assert_eq!(fs::read(s.data().join("key_bls")).unwrap(), before);
    assert_eq!(names(&s.data()), ["key_bls", "key_ed25519"]);

    let (code, out, err) = s.run(
        &[
            "restore-bls",
            "--overwrite",
            "key_bls",
            "--replace-registered-key",
        ],
        OTHER_SK,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Warning:") && err.contains("as you asked"),
        "{err}"
    );
    assert!(out.contains("previous key was kept in"), "{out}");
    assert_eq!(
        fs::read_to_string(s.data().join("key_bls")).unwrap(),
        format!("0x{OTHER_SK}\n")
    );
}

/// The Ed25519 key is looked up by its own pubkey, not through the
/// key_bls next to it.
#[test]
fn ed25519_key_is_guarded_by_its_own_pubkey() {
    // Registered: the contract maps this Ed25519 pubkey to a listed id,
    // although the key_bls next to it is not registered.
    let s = setup(provider_with(&[(7, OTHER_SK)], &[(SEED, 7)]), closed_port());
    let (code, _, err) = s.run(&["ed25519", "--overwrite", "key_ed25519"], "");
    assert_eq!(code, 15, "{err}");
    assert!(
        err.contains("key_ed25519") && err.contains("(id 7)"),
        "{err}"
    );
    assert!(
        err.contains(&hex::encode(ed_pubkey(SEED))),
        "names the pubkey: {err}"
    );
    assert_eq!(
        fs::read_to_string(s.data().join("key_ed25519")).unwrap(),
        ed_file(SEED)
    );
    assert_eq!(names(&s.data()), ["key_bls", "key_ed25519"]);

    // Not registered: the key_bls next to it is, but that is not the key
    // being replaced.
    let s = setup(provider_with(&[(7, BLS_SK)], &[]), closed_port());
    let (code, out, err) = s.run(&["ed25519", "--overwrite", "key_ed25519"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("previous key was kept in"), "{out}");

    // A stale mapping (the id is no longer listed) is not a registration.
    let s = setup(provider_with(&[(3, BLS_SK)], &[(SEED, 9)]), closed_port());
    let (code, _, err) = s.run(&["ed25519", "--overwrite", "key_ed25519"], "");
    assert_eq!(code, 0, "{err}");
}

/// The BLS key is looked up by its own pubkey, whatever key_ed25519 is.
#[test]
fn bls_key_is_not_guarded_by_the_ed25519_key_next_to_it() {
    let s = setup(provider_with(&[(3, OTHER_SK)], &[(SEED, 3)]), closed_port());
    let (code, _, err) = s.run(&["restore-bls", "--overwrite", "key_bls"], OTHER_SK);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn unregistered_node_keys_are_replaced() {
    let s = setup(provider(&[(3, OTHER_SK)]), closed_port());
    let (code, _, err) = s.run(&["restore-bls", "--overwrite", "key_bls"], OTHER_SK);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("Warning"), "{err}");
}

#[test]
fn unknown_registration_needs_the_flag() {
    let s = setup(closed_port(), closed_port());
    let (code, _, err) = s.run(&["bls", "--overwrite", "key_bls"], "");
    assert_eq!(code, 15, "{err}");
    assert!(err.contains("cannot tell whether"), "{err}");
    assert!(
        err.contains("127.0.0.1"),
        "says which provider failed: {err}"
    );
    assert!(
        !err.contains("SECRETKEY123"),
        "provider API key leaked: {err}"
    );
    assert_eq!(
        fs::read_to_string(s.data().join("key_bls")).unwrap(),
        format!("0x{BLS_SK}\n")
    );
    // A missing config is just as unknown.
    let (code, _, err) = s.run_only(
        &[
            "bls",
            "--overwrite",
            "--config-file=/nonexistent/stagenet.conf",
            "key_bls",
        ],
        "",
    );
    assert_eq!(code, 15, "{err}");
    assert!(err.contains("/nonexistent/stagenet.conf"), "{err}");
}

/// Whatever a provider answers — a JSON-RPC error that echoes the request's
/// URL path and credentials, a `result` that is not hex and holds the key —
/// the guard's message names the provider redacted and shows no secret:
/// through its own `ed25519ToServiceNodeID` call (an Ed25519 key) and
/// through snode-l2's `allServiceNodeIDs` (a BLS key).
#[test]
fn provider_errors_never_show_the_url_secrets() {
    const PATH_KEY: &str = "PATHKEY5150";
    const PASSWORD: &str = "hunter2pw";
    const QUERY_KEY: &str = "QUERYKEY77";
    let echoed = format!("/v2/{PATH_KEY}?apikey={QUERY_KEY}");
    let rpc_error = format!(
        r#"{{"jsonrpc":"2.0","id":1,"error":{{"code":-32001,"message":"invalid API key: POST {echoed} as user:{PASSWORD}"}}}}"#
    );
    let not_hex =
        format!(r#"{{"jsonrpc":"2.0","id":1,"result":"{PATH_KEY}: {QUERY_KEY} no access"}}"#);
    let empty_list = format!(
        r#"{{"jsonrpc":"2.0","id":1,"result":"0x{}"}}"#,
        hex::encode(snode_l2::abi::encode_all_service_node_ids(&[]))
    );
    let cases = [
        // (command, answer to allServiceNodeIDs, to ed25519ToServiceNodeID, shown)
        ("ed25519", &empty_list, &rpc_error, "invalid API key"),
        ("ed25519", &empty_list, &not_hex, "expected hex data"),
        ("bls", &rpc_error, &rpc_error, "invalid API key"),
        ("bls", &not_hex, &not_hex, "expected hex data"),
    ];
    for (command, all, by_ed, shows) in cases {
        let (all, by_ed) = (all.clone(), by_ed.clone());
        let port = serve_json(move |request| {
            if request.contains("0xabf2c503") {
                all.clone()
            } else {
                by_ed.clone()
            }
        });
        let s = NodeDir::new(
            SEED,
            BLS_SK,
            &format!(
                "l2-provider=http://user:{PASSWORD}@127.0.0.1:{port}{echoed}\n\
                 rpc-admin=127.0.0.1:{}\n",
                closed_port()
            ),
        );
        let file = format!("key_{command}");
        let (code, out, err) = s.run(&[command, "--overwrite", &file], "");
        assert_eq!(code, 15, "{command}: {err}");
        // the provider's answer was reached and reported…
        assert!(err.contains(shows), "{command}: {err}");
        assert!(
            err.contains(&format!("http://127.0.0.1:{port}/…")),
            "names the provider: {err}"
        );
        // …without any part of the URL that is secret
        for secret in [PATH_KEY, PASSWORD, QUERY_KEY] {
            assert!(
                !err.contains(secret) && !out.contains(secret),
                "{command}: {secret} leaked: {out}{err}"
            );
        }
    }
}

#[test]
fn keys_in_use_by_the_running_daemon_are_never_swapped() {
    let rpc = serve(r#"{"jsonrpc":"2.0","id":0,"result":{"status":"OK"}}"#.to_string());
    let s = setup(provider(&[]), rpc);
    for extra in [&[][..], &["--replace-registered-key"][..]] {
        let mut args = vec!["restore-bls", "--overwrite"];
        args.extend_from_slice(extra);
        args.push("key_bls");
        let (code, _, err) = s.run(&args, OTHER_SK);
        assert_eq!(code, 16, "{err}");
        assert!(err.contains("oxend-stagenet is running"), "{err}");
        assert!(
            err.contains("sudo systemctl stop oxen-stagenet-node"),
            "{err}"
        );
        assert!(
            err.contains("sudo systemctl start oxen-stagenet-node"),
            "{err}"
        );
    }
    assert_eq!(
        fs::read_to_string(s.data().join("key_bls")).unwrap(),
        format!("0x{BLS_SK}\n")
    );
}

#[test]
fn new_files_and_legacy_keys_are_not_guarded() {
    let s = setup(closed_port(), closed_port());
    let (code, _, err) = s.run(&["bls", "--overwrite", "fresh_bls"], "");
    assert_eq!(code, 0, "{err}");
    fs::write(s.data().join("key"), [9u8; 32]).unwrap();
    let (code, _, err) = s.run(&["legacy", "--overwrite", "key"], "");
    assert_eq!(code, 0, "{err}");
}

/// Runs the tool in `s`'s data directory as another user than the files'
/// owner: as nobody when the tests run as root (root reads any file),
/// otherwise as this user after `lock` made the file unreadable.
fn run_unprivileged(s: &NodeDir, lock: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};
    let bin = crate::common::BIN;
    let root = s.config().parent().unwrap().to_path_buf();
    let mut cmd = if rustix::process::geteuid().is_root() {
        // Everything open to nobody but `lock` (0400/0600 root).
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(s.data(), fs::Permissions::from_mode(0o777)).unwrap();
        fs::set_permissions(s.config(), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(lock, fs::Permissions::from_mode(0o600)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        fs::set_permissions(lock, fs::Permissions::from_mode(0o000)).unwrap();
        Command::new(bin)
    };
    let out = cmd
        .args(args)
        .args(["--config-file", s.config().to_str().unwrap()])
        .current_dir(s.data())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A key or a config this user cannot read: exit 2 and "run this with sudo",
/// not exit 15 and --replace-registered-key advice; and before the secret is
/// asked for (the input is empty: reading it would end with exit 7).
#[test]
fn unreadable_key_or_config_asks_for_sudo() {
    let s = setup(provider(&[(7, BLS_SK)]), closed_port());
    let key = s.data().join("key_bls");
    let (code, out, err) = run_unprivileged(&s, &key, &["restore-bls", "--overwrite", "key_bls"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("the key being replaced") && err.contains("run this with sudo"),
        "{err}"
    );
    assert!(!err.contains("--replace-registered-key"), "{err}");
    assert!(!out.contains("Enter the BLS secret key"), "{out}");

    let s = setup(provider(&[(7, BLS_SK)]), closed_port());
    let config = s.config();
    let (code, _, err) = run_unprivileged(&s, &config, &["bls", "--overwrite", "key_bls"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the node's config") && err.contains("run this with sudo"),
        "{err}"
    );
    assert!(!err.contains("--replace-registered-key"), "{err}");
    assert_eq!(
        fs::read_to_string(s.data().join("key_bls")).unwrap(),
        format!("0x{BLS_SK}\n")
    );
}

/// The running daemon, the directory and the registration are checked
/// before the secret is asked for; the refusal is one sentence.
#[test]
fn checks_come_before_the_secret() {
    // A running daemon: refused at once (an empty input is never read).
    let rpc = serve(r#"{"jsonrpc":"2.0","id":0,"result":{"status":"OK"}}"#.to_string());
    let s = setup(provider(&[]), rpc);
    let (code, _, err) = s.run(&["restore-bls", "--overwrite", "key_bls"], "");
    assert_eq!(code, 16, "{err}");
    // A directory that does not exist.
    let (code, _, err) = s.run(&["restore-bls", "no/such/dir/key_bls"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the directory does not exist"), "{err}");
    // A registered node: said before the prompt; then refused in one sentence.
    let s = setup(provider(&[(7, BLS_SK)]), closed_port());
    let (code, _, err) = s.run(&["restore-bls", "--overwrite", "key_bls"], "");
    assert_eq!(code, 7, "the empty input is read after the note: {err}");
    assert!(
        err.contains("Note: key_bls is the key of a registered service node (id 7)"),
        "{err}"
    );
    let (code, _, err) = s.run(&["restore-bls", "--overwrite", "key_bls"], OTHER_SK);
    assert_eq!(code, 15, "{err}");
    assert!(
        err.contains("Refusing to replace key_bls: it is the BLS key of the service node"),
        "{err}"
    );
    assert!(!err.contains("Refusing to replace key_bls is"), "{err}");
}
