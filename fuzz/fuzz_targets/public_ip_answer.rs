//! The public-IP sources' answers: each body as `oxen-sn-public-ip` reads it
//! (`parse_answer`, the first 256 bytes), the agreement rule (`decide`) over
//! them, and the host's `/proc/net/fib_trie` (`parse_fib_trie`).
//!
//! Input: answers separated by 0xFF bytes; a part starting with `|` is read
//! as a fib_trie text instead (the host's interfaces).
//! Checked: no panic; an accepted address was reported by at least two
//! sources and by a strict majority of those that answered, and is public;
//! exit status 0 exactly when an address was accepted.
#![no_main]

use std::net::Ipv4Addr;

use libfuzzer_sys::fuzz_target;
use oxen_sn_public_ip::{decide, parse_answer, parse_fib_trie, SourceAnswer};

fuzz_target!(|data: &[u8]| {
    let mut answers = Vec::new();
    let mut interfaces: Option<Vec<Ipv4Addr>> = None;
    for (i, part) in data.split(|&b| b == 0xff).enumerate().take(16) {
        if part.first() == Some(&b'|') {
            let text = String::from_utf8_lossy(part);
            interfaces
                .get_or_insert_with(Vec::new)
                .extend(parse_fib_trie(&text));
            continue;
        }
        let result = parse_answer(part);
        answers.push(SourceAnswer {
            source: format!("https://source{i}.example"),
            address: result.as_ref().ok().copied(),
            error: result.err(),
        });
    }
    let got: Vec<Ipv4Addr> = answers.iter().filter_map(|a| a.address).collect();
    let d = decide(answers, interfaces);
    assert_eq!(d.answered, got.len());
    match d.address {
        Some(ip) => {
            let votes = got.iter().filter(|a| **a == ip).count();
            assert!(
                votes >= 2 && 2 * votes > got.len(),
                "{ip} accepted with {votes} of {}",
                got.len()
            );
            assert!(
                snode_conf::non_public_reason(ip).is_none(),
                "{ip} is not public"
            );
            assert_eq!(d.exit, 0);
            assert!(d.error.is_none());
        }
        None => {
            assert_ne!(d.exit, 0);
            assert!(d.error.is_some());
        }
    }
});
