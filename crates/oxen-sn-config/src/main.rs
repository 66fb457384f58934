//! `oxen-sn-config`: see the library for what it does and its exit statuses.

fn main() -> std::process::ExitCode {
    oxen_sn_config::main()
}
