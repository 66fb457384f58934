//! Proof-of-possession signing and verification, plus the hash to G2 they
//! share. Run: `cargo bench -p snode-bls --bench pop`; medians go in
//! BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use snode_bls::{
    hash_message_to_g2, pop_message, proof_of_possession, public_key, verify_proof_of_possession,
    Network,
};

fn pop(c: &mut Criterion) {
    // docs/compat/bls.md inputs (stagenet4, counter succeeds at 0).
    let sk = [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
        0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
        0xcd, 0xef,
    ];
    let operator = snode_bls::parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").unwrap();
    let ed: [u8; 32] =
        hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            .unwrap()
            .try_into()
            .unwrap();
    let net = Network::STAGENET;
    let pk = public_key(&sk);
    let sig = proof_of_possession(&sk, &operator, &ed, &net).unwrap();
    let msg = pop_message(&pk, &operator, &ed, &net);

    c.bench_function("pop_sign", |b| {
        b.iter(|| proof_of_possession(black_box(&sk), &operator, &ed, &net).unwrap())
    });
    c.bench_function("pop_verify", |b| {
        b.iter(|| verify_proof_of_possession(black_box(&pk), &operator, &ed, &sig, &net).unwrap())
    });
    c.bench_function("hash_to_g2_pop_message", |b| {
        b.iter(|| hash_message_to_g2(black_box(&msg), &net).unwrap())
    });
}

criterion_group!(benches, pop);
criterion_main!(benches);
