//! Workspace chores. `cargo run -p snode-xtask -- docs` writes the man pages
//! (`man/`) and bash/zsh/fish completions (`completions/`) of every packaged binary
//! from its crate's `pub fn command() -> clap::Command`, so `--help`, man pages and
//! completions share one source (docs/ARCHITECTURE.md, rules of the house). `docs --check`
//! writes nothing and fails when the committed files differ from what the clap
//! definitions give (the CI drift check in `scripts/test`). `modules [--check]`
//! prints every crate's module DAG, or fails on an import circle (`modules.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap_complete::Shell;

mod modules;

/// The binaries the package ships, each with its clap definition.
fn commands() -> Vec<clap::Command> {
    vec![
        oxen_sn_keys::command(),
        oxen_sn_config::command(),
        oxen_sn_public_ip::command(),
        oxend_stagenet::command(),
    ]
}

/// Every generated file: path relative to the workspace root → contents.
fn generate() -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for cmd in commands() {
        let name = cmd.get_name().to_string();
        man_pages(&cmd, &mut files)?;
        for (shell, path) in [
            (Shell::Bash, format!("completions/bash/{name}")),
            (Shell::Zsh, format!("completions/zsh/_{name}")),
            (Shell::Fish, format!("completions/fish/{name}.fish")),
        ] {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd.clone(), &name, &mut buf);
            files.insert(PathBuf::from(path), buf);
        }
    }
    Ok(files)
}

/// One page for the command and one per visible subcommand (`name-sub.1`, the
/// display name clap gives subcommands), as clap_mangen's `generate_to` does, so
/// `man oxen-sn-config-set` works.
fn man_pages(cmd: &clap::Command, files: &mut BTreeMap<PathBuf, Vec<u8>>) -> Result<()> {
    fn walk(cmd: clap::Command, files: &mut BTreeMap<PathBuf, Vec<u8>>) -> Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            walk(sub, files)?;
        }
        // Subcommands carry no version; every page names the package's.
        let man = clap_mangen::Man::new(cmd)
            .source(concat!("session-stagenet-node ", env!("CARGO_PKG_VERSION")))
            .manual("session-stagenet-node");
        let mut buf = Vec::new();
        man.render(&mut buf)
            .with_context(|| format!("rendering {}", man.get_filename()))?;
        files.insert(Path::new("man").join(man.get_filename()), buf);
        Ok(())
    }
    let mut cmd = cmd.clone().disable_help_subcommand(true);
    cmd.build();
    walk(cmd, files)
}

/// Files under the generated directories that the generator would not write.
fn stale(root: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in [
        "man",
        "completions/bash",
        "completions/zsh",
        "completions/fish",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let rel = Path::new(dir).join(e?.file_name());
            if !files.contains_key(&rel) {
                out.push(rel);
            }
        }
    }
    Ok(out)
}

fn docs(root: &Path, check: bool) -> Result<()> {
    let files = generate()?;
    let stale = stale(root, &files)?;
    if check {
        let mut drift: Vec<String> = stale
            .iter()
            .map(|p| format!("{} (not generated any more)", p.display()))
            .collect();
        for (rel, want) in &files {
            match std::fs::read(root.join(rel)) {
                Ok(have) if &have == want => {}
                Ok(_) => drift.push(format!("{} (differs)", rel.display())),
                Err(_) => drift.push(format!("{} (missing)", rel.display())),
            }
        }
        if !drift.is_empty() {
            bail!(
                "man pages / completions are out of date with the clap definitions:\n  {}\n\
                 regenerate them with `cargo run -p snode-xtask -- docs` and commit the result",
                drift.join("\n  ")
            );
        }
        println!(
            "xtask: {} man pages and completions are up to date",
            files.len()
        );
        return Ok(());
    }
    for rel in stale {
        std::fs::remove_file(root.join(&rel))
            .with_context(|| format!("removing {}", rel.display()))?;
    }
    for (rel, data) in &files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("generated paths have a directory"))?;
        std::fs::write(&path, data).with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "xtask: wrote {} files under man/ and completions/",
        files.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    let cli = clap::Command::new("xtask")
        .about("Workspace chores")
        .subcommand_required(true)
        .subcommand(
            clap::Command::new("docs")
                .about("Write man/ and completions/ from the clap definitions")
                .arg(
                    clap::Arg::new("check")
                        .long("check")
                        .action(clap::ArgAction::SetTrue)
                        .help("Write nothing; fail if the committed files are out of date"),
                ),
        )
        .subcommand(
            clap::Command::new("modules")
                .about("Print every crate's module DAG (each module after those it uses)")
                .arg(
                    clap::Arg::new("check")
                        .long("check")
                        .action(clap::ArgAction::SetTrue)
                        .help("Print nothing; fail if any crate's modules form an import circle"),
                ),
        );
    let matches = cli.get_matches();
    // crates/xtask → workspace root
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let result = match matches.subcommand() {
        Some(("docs", m)) => docs(&root, m.get_flag("check")),
        Some(("modules", m)) => modules::modules(&root, m.get_flag("check")),
        _ => unreachable!("subcommand_required"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
