//! `oxend-stagenet`: see the library crate.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    std::process::exit(oxend_stagenet::run(&args).into());
}
