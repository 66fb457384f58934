//! Carries the `[package.metadata.deb]` of the `session-stagenet-node` Debian
//! package (built by `scripts/build-deb` with cargo-deb). It has no code: the
//! package's binaries come from their own crates, its files from `debian/`,
//! `systemd/`, `man/` and `completions/` at the workspace root. See
//! docs/compat/systemd-and-package.md §3–§7 for what upstream ships and README.md
//! "Installing a node" for the operator's view.
