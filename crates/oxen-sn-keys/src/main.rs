//! `oxen-sn-keys-snapshot`: see the library crate for the commands.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    std::process::exit(oxen_sn_keys::run(&args));
}
