//! The package's `Depends` must install on the oldest release the README's
//! "Supported systems" table lists (Debian 11 / Ubuntu 20.04: glibc 2.31,
//! systemd 245/247), so they are written by hand, not computed from the build
//! host's shlibs (`$auto` would say `libc6 (>= 2.34)` on Debian 12).

use std::path::Path;

fn depends() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("depends = "))
        .unwrap_or_else(|| panic!("{}: no `depends = ` line", path.display()));
    line.trim_matches('"').to_string()
}

fn items() -> Vec<String> {
    depends().split(',').map(|d| d.trim().to_string()).collect()
}

#[test]
fn libc_is_the_oldest_supported() {
    assert!(
        items().contains(&"libc6 (>= 2.31)".to_string()),
        "{}",
        depends()
    );
    assert!(!depends().contains("$auto"), "{}", depends());
}

#[test]
fn sysusers_comes_from_systemd_itself() {
    // The virtual package would pull opensysusers on Debian 11 (`_loki` with
    // /sbin/nologin); every supported release's systemd ships the binary.
    let items = items();
    assert!(items.contains(&"systemd".to_string()), "{}", depends());
    assert!(
        !items.iter().any(|d| d.contains("sysusers")),
        "{}",
        depends()
    );
    assert!(
        items.contains(&"debconf (>= 0.5) | debconf-2.0".to_string()),
        "{}",
        depends()
    );
}
