//! The config parser and the line-preserving editor of snode-conf.
//!
//! Input: a config text, a NUL byte, then the bytes that choose a list of
//! edits (the ones the package and `oxen-sn-config` make: `service-node`,
//! the public IP, any single-valued option of the option table, the
//! `l2-provider` list). The text comes first so that the seed corpus holds
//! real config files as they are.
//!
//! Checked:
//! - parsing never panics, and an unedited document gives its text back
//!   byte for byte; `check_text` (settings and validation) never panics;
//! - an edit that is refused changes nothing;
//! - editing twice equals editing once;
//! - every line that names none of the edited options is kept, byte for
//!   byte and in order;
//! - what the editor wrote parses back to the values set.
#![no_main]

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use snode_conf::{check_text, parse_collect, split_list, Document, Kind, OPTIONS};

#[derive(Arbitrary, Debug)]
enum Edit {
    ServiceNode(bool),
    PublicIp([u8; 4]),
    /// Index into the single-valued options of the table, and the value.
    Scalar(u8, String),
    Providers(Vec<String>),
}

fn scalar_names() -> Vec<&'static str> {
    OPTIONS
        .iter()
        .filter(|o| !matches!(o.kind, Kind::Vector))
        .map(|o| o.name)
        .collect()
}

/// Applies the edits; returns the values that were set (name → values).
fn apply(
    doc: &mut Document,
    edits: &[Edit],
    names: &[&'static str],
) -> BTreeMap<String, Vec<String>> {
    let mut set = BTreeMap::new();
    for edit in edits {
        let before = doc.to_text();
        let (name, values, result) = match edit {
            Edit::ServiceNode(on) => {
                let v = if *on { "1" } else { "0" };
                (
                    "service-node",
                    vec![v.to_string()],
                    doc.set_service_node(*on),
                )
            }
            Edit::PublicIp(b) => {
                let ip = Ipv4Addr::from(*b);
                (
                    "service-node-public-ip",
                    vec![ip.to_string()],
                    doc.set_public_ip(ip),
                )
            }
            Edit::Scalar(i, value) => {
                let name = names[usize::from(*i) % names.len()];
                (name, vec![value.clone()], doc.set_scalar(name, value))
            }
            Edit::Providers(urls) => ("l2-provider", urls.clone(), doc.set_l2_providers(urls)),
        };
        match result {
            Ok(()) => {
                set.insert(name.to_string(), values);
            }
            Err(_) => assert_eq!(doc.to_text(), before, "a refused edit changed the file"),
        }
    }
    set
}

fuzz_target!(|data: &[u8]| {
    let (text, choice) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(edits) = Vec::<Edit>::arbitrary_take_rest(Unstructured::new(choice)) else {
        return;
    };
    let (doc, _errors) = parse_collect(text, "fuzz.conf");
    assert_eq!(doc.to_text(), text, "an unedited document changed");
    let _ = check_text(text, "fuzz.conf", &[]);

    let names = scalar_names();
    let mut once = doc.clone();
    let set = apply(&mut once, &edits, &names);
    let once_text = once.to_text();

    // editing twice equals editing once
    let (mut twice, _) = parse_collect(&once_text, "fuzz.conf");
    apply(&mut twice, &edits, &names);
    assert_eq!(
        twice.to_text(),
        once_text,
        "a second edit changed the file again"
    );

    // lines naming none of the edited options are kept, in order
    // Allowed besides: a last line without a line ending gets the file's
    // ending, `\n` or `\r\n`, when a line is appended after it (F1). (F3, a
    // line losing its ending when an unterminated last `l2-provider=` was
    // removed, was fixed in snode-conf: every other line keeps its bytes.)
    let out: Vec<&str> = once_text.split('\n').collect();
    let mut at = 0;
    for line in text.split('\n') {
        if set.keys().any(|name| line.contains(name.as_str())) {
            continue;
        }
        let found = out[at..]
            .iter()
            .position(|&o| o == line || o.strip_suffix('\r') == Some(line));
        let Some(k) = found else {
            panic!("line {line:?} was lost or reordered; edits {edits:?} gave {once_text:?}");
        };
        at += k + 1;
    }

    // what was written parses back to the values set
    let (back, _) = parse_collect(&once_text, "fuzz.conf");
    for (name, values) in &set {
        let entries: Vec<_> = back.entries().filter(|e| e.name == *name).collect();
        if name == "l2-provider" {
            let got: Vec<&str> = entries.iter().flat_map(|e| split_list(&e.value)).collect();
            assert_eq!(got, *values, "l2-provider reads back differently");
        } else {
            let first = entries.first().expect("a set option has a line");
            assert_eq!(first.value, values[0], "{name} reads back differently");
        }
    }
});
