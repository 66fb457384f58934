//! Signatures made by this crate verify under an independent implementation.
//!
//! How it works: this test signs messages and proofs of possession with
//! snode-bls for several networks and keys, writes them (and deliberately
//! wrong variants) to a file, and runs `tests/py/bn254_contract.py verify`.
//! That script was written for this project from docs/compat/bls.md
//! §2 alone; it does its own tag, xmd, Fp2 square root, sign rule and
//! cofactor clearing in Python and checks e(G1, σ) = e(pk, H) with py_ecc's
//! optimized_bn128 pairing (PyPI `py_ecc`, Keccak from `pycryptodome`). Before
//! verifying anything it reproduces docs/compat/bls.md, so it is
//! not simply agreeing with itself.
//!
//! Needs a python3 with py_ecc and pycryptodome first on PATH: `scripts/test`
//! installs them in the project's venv (`scripts/install-py-ecc`, which prints
//! its python3) and puts it there.

use std::fmt::Write as _;
use std::process::Command;

use snode_bls::{pop_message, proof_of_possession, public_key, sign, Network, Tag};

const INSTALL: &str =
    "PATH=\"$(dirname \"$(scripts/install-py-ecc)\"):$PATH\" (scripts/test does this)";

fn line(out: &mut String, net: &Network, pk: &[u8], msg: &[u8], sig: &[u8], expect: bool) {
    let msg = if msg.is_empty() {
        "-".to_string()
    } else {
        hex::encode(msg)
    };
    writeln!(
        out,
        "{} {} {} {} {} {}",
        net.chain_id,
        hex::encode(net.rewards_contract),
        hex::encode(pk),
        msg,
        hex::encode(sig),
        u8::from(expect)
    )
    .unwrap();
}

#[test]
fn signatures_verify_under_py_ecc() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/bn254_contract.py");
    let probe = Command::new("python3")
        .args(["-c", "import py_ecc.optimized_bn128, Crypto.Hash.keccak"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); install python3, then {INSTALL}"));
    assert!(
        probe.status.success(),
        "python3 lacks py_ecc or pycryptodome: {}\ninstall them with: {INSTALL}",
        String::from_utf8_lossy(&probe.stderr)
    );

    let mut lines = String::new();
    let networks = [
        Network::STAGENET,
        Network::STAGENET3,
        Network::new(42_161, [0x42; 20]),
    ];
    for (i, net) in networks.iter().enumerate() {
        let mut sk = [0u8; 32];
        sk[0] = 0x7f;
        sk[1] = i as u8;
        sk[31] = 0x99;
        let pk = public_key(&sk);

        let msg = format!("independent check {i}").into_bytes();
        let sig = sign(&sk, &msg, net).unwrap();
        line(&mut lines, net, &pk, &msg, &sig, true);
        line(
            &mut lines,
            net,
            &pk,
            b"",
            &sign(&sk, b"", net).unwrap(),
            true,
        );
        // Wrong message: the oracle must say no.
        line(&mut lines, net, &pk, b"something else", &sig, false);

        let operator = [0x10 + i as u8; 20];
        let ed = [0xe0 + i as u8; 32];
        let pop = proof_of_possession(&sk, &operator, &ed, net).unwrap();
        let pop_msg = pop_message(&pk, &operator, &ed, net);
        assert_eq!(pop_msg[..32], net.tag(Tag::ProofOfPossession));
        line(&mut lines, net, &pk, &pop_msg, &pop, true);
        // The same PoP presented for the next network: other tags, rejected.
        let other = &networks[(i + 1) % networks.len()];
        line(
            &mut lines,
            other,
            &pk,
            &pop_message(&pk, &operator, &ed, other),
            &pop,
            false,
        );
    }

    let dir = std::env::temp_dir().join(format!("snode-bls-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("signatures.txt");
    std::fs::write(&file, &lines).unwrap();
    let out = Command::new("python3")
        .arg(script)
        .arg("verify")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "py_ecc oracle disagrees:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), format!("ok {}", lines.lines().count()));
}
