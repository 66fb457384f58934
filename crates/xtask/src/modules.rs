//! `xtask modules`: the module graph of every crate under `crates/`, read from
//! its sources, and the check that it has no import circle.
//!
//! A module is a file under `src/` (`a.rs` or `a/mod.rs` is `a`, `a/b.rs` is
//! `a::b`). A reference is a path starting with `crate::`, `super::` or `self::`
//! outside comments and `#[cfg(test)]` modules; it points at the longest module
//! prefix it names. An edge counts between siblings: a reference from `a::x` to
//! `b::y` is the edge `a → b` among the children of the crate root, and one from
//! `s::a` to `s::b` the edge `a → b` among the children of `s`. A child using its
//! parent (or a parent its child) is not an edge. Each group of siblings must
//! form a DAG; `modules` prints the groups in dependency order (every module after
//! those it uses) and `modules --check` fails on a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// A module path inside a crate (`[]` is the crate root).
type ModPath = Vec<String>;

/// Edges among the children of one module: parent → (child → children it uses).
type Groups = BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>>;

fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") || !parts.is_empty() && stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The source without comments and without the `#[cfg(test)]` modules (whose
/// `super::` means the file's own module, not its parent).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        out.push_str(line.split("//").next().unwrap_or(""));
        out.push('\n');
    }
    out
}

/// Expands `a::{b, c::{d, e}}` (the text after `crate::` etc.) into paths.
fn expand(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut prefix = Vec::new();
    let mut ident = String::new();
    let mut rest = text.chars().peekable();
    while let Some(c) = rest.next() {
        if c.is_alphanumeric() || c == '_' {
            ident.push(c);
        } else if c == ':' && rest.peek() == Some(&':') {
            rest.next();
            prefix.push(std::mem::take(&mut ident));
        } else if c == '{' {
            let mut depth = 1;
            let mut inner = String::new();
            for d in rest.by_ref() {
                depth += match d {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                if depth == 0 {
                    break;
                }
                inner.push(d);
            }
            let mut item = String::new();
            let mut level = 0;
            for d in inner.chars().chain(std::iter::once(',')) {
                match d {
                    '{' => level += 1,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        for tail in expand(item.trim()) {
                            paths.push(prefix.iter().cloned().chain(tail).collect());
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(d);
            }
            return paths;
        } else {
            break;
        }
    }
    if !ident.is_empty() {
        prefix.push(ident);
    }
    if !prefix.is_empty() {
        paths.push(prefix);
    }
    paths
}

/// Every module path a file refers to, resolved against the crate's modules.
fn references(code: &str, here: &ModPath, modules: &BTreeSet<ModPath>) -> Vec<ModPath> {
    let mut found = Vec::new();
    for (anchor, base) in [
        ("crate::", Vec::new()),
        ("super::", here[..here.len().saturating_sub(1)].to_vec()),
        ("self::", here.clone()),
    ] {
        let mut at = 0;
        while let Some(i) = code[at..].find(anchor) {
            let start = at + i;
            at = start + anchor.len();
            let before = code[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `foo::crate::`, `super::super::` handled as one
            }
            let mut base = base.clone();
            while code[at..].starts_with("super::") {
                at += "super::".len();
                base.pop();
            }
            for tail in expand(&code[at..]) {
                let full: ModPath = base.iter().cloned().chain(tail).collect();
                let longest = (0..=full.len())
                    .rev()
                    .map(|n| full[..n].to_vec())
                    .find(|p| modules.contains(p));
                if let Some(target) = longest {
                    found.push(target);
                }
            }
        }
    }
    found
}

/// The sibling-level edges of one crate.
fn crate_groups(src: &Path) -> Result<Groups> {
    let mut files = Vec::new();
    rust_files(src, &mut files)?;
    let modules: BTreeSet<ModPath> = files.iter().map(|f| module_of(src, f)).collect();
    let mut groups = Groups::new();
    for module in &modules {
        if let Some((name, parent)) = module.split_last() {
            groups
                .entry(parent.to_vec())
                .or_default()
                .entry(name.clone())
                .or_default();
        }
    }
    for file in &files {
        let here = module_of(src, file);
        let text = fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
        for target in references(&code_of(&text), &here, &modules) {
            let common = here.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == here.len() || common == target.len() {
                continue; // a module and its own ancestor
            }
            groups
                .entry(here[..common].to_vec())
                .or_default()
                .entry(here[common].clone())
                .or_default()
                .insert(target[common].clone());
        }
    }
    Ok(groups)
}

/// The modules of one group in dependency order, or the modules left on a circle.
fn order(edges: &BTreeMap<String, BTreeSet<String>>) -> Result<Vec<String>, Vec<String>> {
    let mut done: Vec<String> = Vec::new();
    let mut left: BTreeSet<&String> = edges.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .filter(|m| edges[**m].iter().all(|d| done.contains(d)))
            .copied()
            .collect();
        if ready.is_empty() {
            return Err(left.into_iter().cloned().collect());
        }
        for m in ready {
            left.remove(m);
            done.push(m.clone());
        }
    }
    Ok(done)
}

/// Prints every crate's module DAG; with `check`, fails on any circle.
pub fn modules(root: &Path, check: bool) -> Result<()> {
    let mut circles = Vec::new();
    let mut crates: Vec<PathBuf> = fs::read_dir(root.join("crates"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("src").is_dir())
        .collect();
    crates.sort();
    for krate in crates {
        let name = krate.file_name().unwrap_or_default().to_string_lossy();
        for (parent, edges) in crate_groups(&krate.join("src"))? {
            if edges.len() < 2 {
                continue;
            }
            let scope = if parent.is_empty() {
                format!("crates/{name}")
            } else {
                format!("crates/{name} {}", parent.join("::"))
            };
            match order(&edges) {
                Ok(sorted) => {
                    let line: Vec<String> = sorted
                        .iter()
                        .map(|m| match edges[m].iter().cloned().collect::<Vec<_>>() {
                            uses if uses.is_empty() => m.clone(),
                            uses => format!("{m} ({})", uses.join(", ")),
                        })
                        .collect();
                    if !check {
                        println!("{scope}: {}", line.join("; "));
                    }
                }
                Err(cycle) => circles.push(format!("{scope}: {}", cycle.join(", "))),
            }
        }
    }
    if !circles.is_empty() {
        bail!(
            "import circles among these modules (each uses another of its line, directly or \
             not); move what they share into a module they both use:\n  {}",
            circles.join("\n  ")
        );
    }
    if check {
        println!("xtask: every crate's modules form a DAG");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split("::").map(str::to_string).collect()
    }

    #[test]
    fn expands_nested_use_trees() {
        assert_eq!(
            expand("{a::{B, c::D}, e};"),
            vec![p("a::B"), p("a::c::D"), p("e")]
        );
        assert_eq!(expand("x::Y;"), vec![p("x::Y")]);
    }

    #[test]
    fn finds_a_circle_and_orders_a_dag() {
        let mut edges = BTreeMap::new();
        edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
        edges.insert("b".to_string(), BTreeSet::new());
        assert_eq!(order(&edges), Ok(vec!["b".to_string(), "a".to_string()]));
        edges.get_mut("b").unwrap().insert("a".to_string());
        assert_eq!(order(&edges), Err(vec!["a".to_string(), "b".to_string()]));
    }

    #[test]
    fn a_crate_with_a_circle_is_refused() {
        let dir = std::env::temp_dir().join(format!("xtask-modules-{}", std::process::id()));
        let src = dir.join("crates/demo/src");
        fs::create_dir_all(src.join("server")).unwrap();
        fs::write(src.join("lib.rs"), "mod client;\nmod server;\n").unwrap();
        fs::write(src.join("client.rs"), "use crate::server::Reply;\n").unwrap();
        fs::write(src.join("server/mod.rs"), "mod http;\n").unwrap();
        fs::write(
            src.join("server/http.rs"),
            "// crate::client in a comment is no edge\nuse super::super::client;\n\
             use crate::{client::Request};\n",
        )
        .unwrap();
        let err = modules(&dir, true).unwrap_err().to_string();
        assert!(err.contains("crates/demo: client, server"), "{err}");
        fs::write(src.join("server/http.rs"), "// crate::client only here\n").unwrap();
        modules(&dir, true).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
