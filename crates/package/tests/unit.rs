//! The systemd unit must not restart the daemon on a configuration error: its
//! `RestartPreventExitStatus=` has to be the code `oxend-stagenet` exits with
//! (spec/README.md decision "config-error exit code not restarted").

use std::path::Path;

fn unit() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../systemd/oxen-stagenet-node.service");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn values(key: &str) -> Vec<String> {
    unit()
        .lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
        .collect()
}

#[test]
fn config_error_is_not_restarted() {
    let code = oxend_stagenet::Exit::Config.code().to_string();
    assert_eq!(values("RestartPreventExitStatus"), [code]);
    assert_eq!(values("Restart"), ["on-failure"]);
}

#[test]
fn starts_the_daemon_as_packaged() {
    assert_eq!(
        values("ExecStart"),
        ["/usr/bin/oxend-stagenet --non-interactive --config-file /etc/oxen/stagenet.conf"]
    );
    assert_eq!(values("Type"), ["notify"]);
    assert_eq!(values("User"), ["_loki"]);
}
