//! Every known-answer vector of docs/compat/bls.md (and the §2.1
//! tag table), loaded from `tests/vectors/*.txt`, whose headers give each
//! vector's source.

use std::str::FromStr;

use crate::common::load;
use ark_bn254::{Fq, Fq2};
use snode_bls::{hash, tag, Error, Network, Tag};

fn fq_dec(s: &str) -> Fq {
    Fq::from_str(s).unwrap_or_else(|_| panic!("decimal field element {s}"))
}

fn fq_hex(s: &str) -> Fq {
    snode_bls::fq_from_be(&hex::decode(s).unwrap().try_into().unwrap()).unwrap()
}

#[test]
fn tag_table_for_both_stagenet_contracts() {
    let records = load("tags.txt");
    assert_eq!(records.len(), 2);
    for r in &records {
        let net = Network::new(421_614, r.array("contract"));
        for (tag, key) in [
            (Tag::ProofOfPossession, "pop"),
            (Tag::Reward, "reward"),
            (Tag::Exit, "exit"),
            (Tag::Liquidate, "liquidate"),
            (Tag::HashToG2, "hash_to_g2"),
        ] {
            assert_eq!(
                net.tag(tag),
                r.array::<32>(key),
                "{tag:?} for {}",
                r.get("contract")
            );
        }
    }
    assert_eq!(
        Network::STAGENET3.rewards_contract,
        records[0].array("contract")
    );
    assert_eq!(
        Network::STAGENET.rewards_contract,
        records[1].array("contract")
    );
}

#[test]
fn keys_7_5() {
    let records = load("keys.txt");
    assert_eq!(records.len(), 4);
    for r in &records {
        assert_eq!(
            snode_bls::public_key(&r.array("sk")),
            r.array("pk"),
            "{}",
            r.get("sk")
        );
    }
}

#[test]
fn oxen_core_signatures_7_1() {
    let records = load("oxen_core_signatures.txt");
    assert_eq!(records.len(), 3);
    for r in &records {
        let name = r.get("name");
        let sk = r.array("sk");
        let pk = r.array::<64>("pk");
        let net = r.network();
        let ascii = r.get("message_ascii_keccak").replace("\\n", "\n");
        let msg = r.bytes("message");
        assert_eq!(
            tag::keccak256(ascii.as_bytes()).to_vec(),
            msg,
            "{name} message hash"
        );
        assert_eq!(snode_bls::public_key(&sk), pk);
        let sig = r.array::<128>("signature");
        assert_eq!(snode_bls::sign(&sk, &msg, &net).unwrap(), sig, "{name}");
        assert_eq!(snode_bls::verify(&pk, &msg, &sig, &net), Ok(()), "{name}");
        if r.has("bad_byte_index") {
            let mut bad = sig;
            let i: usize = r.get("bad_byte_index").parse().unwrap();
            bad[i] = r.array::<1>("bad_byte_value")[0];
            assert_ne!(bad, sig);
            assert!(
                snode_bls::verify(&pk, &msg, &bad, &net).is_err(),
                "{name} tampered"
            );
        }
    }
    // The null-address and the overridden-address signatures of one message differ.
    assert_ne!(records[1].get("signature"), records[2].get("signature"));
    assert_eq!(
        snode_bls::verify(
            &records[2].array("pk"),
            &records[2].bytes("message"),
            &records[1].array("signature"),
            &records[2].network()
        ),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn contract_expand_message_xmd_7_2() {
    let r = &load("contract_hash.txt")[0];
    assert_eq!(r.get("kind"), "xmd");
    let e = hash::expand_message_xmd(r.get("msg_ascii").as_bytes(), &r.array("dst"));
    let want: Vec<u8> = ["b1", "b2", "b3", "b4"]
        .iter()
        .flat_map(|k| r.bytes(k))
        .collect();
    assert_eq!(e.to_vec(), want);
}

#[test]
fn contract_hash_to_field_7_2() {
    let r = &load("contract_hash.txt")[1];
    assert_eq!(r.get("kind"), "hash_to_field");
    let (x, bit) = hash::hash_to_field(r.get("msg_ascii").as_bytes(), &r.array("dst"));
    assert_eq!(x, Fq2::new(fq_dec(r.get("u0")), fq_dec(r.get("u1"))));
    assert_eq!(bit, r.get("bit").parse::<bool>().unwrap());
}

#[test]
fn contract_fq2_sqrt_7_2() {
    let records: Vec<_> = load("contract_hash.txt")
        .into_iter()
        .filter(|r| r.get("kind") == "fq2_sqrt")
        .collect();
    assert_eq!(records.len(), 3);
    for r in &records {
        let w = Fq2::new(fq_dec(r.get("in_re")), fq_dec(r.get("in_im")));
        let root = Fq2::new(fq_dec(r.get("root_re")), fq_dec(r.get("root_im")));
        let neg = Fq2::new(fq_dec(r.get("neg_re")), fq_dec(r.get("neg_im")));
        assert_eq!(hash::fq2_sqrt(&w), Some(root), "{}", r.get("name"));
        assert_eq!(-root, neg, "{}", r.get("name"));
    }
}

#[test]
fn contract_g1_aggregate_7_2() {
    let r = load("contract_hash.txt")
        .into_iter()
        .find(|r| r.get("kind") == "g1_aggregate")
        .unwrap();
    let sum = snode_bls::aggregate_public_keys(&[r.array("a"), r.array("b")]).unwrap();
    assert_eq!(sum, r.array("sum"));
}

#[test]
fn oxen_made_testnet_pop_verifies_7_3() {
    let r = &load("pop.txt")[0];
    assert_eq!(r.get("name"), "pybls-testnet");
    let net = r.network();
    let operator = snode_bls::parse_address(r.get("operator")).unwrap();
    let (pk, ed, pop) = (r.array("pk"), r.array("ed25519"), r.array("pop"));
    assert_eq!(
        snode_bls::verify_proof_of_possession(&pk, &operator, &ed, &pop, &net),
        Ok(())
    );
    // Same PoP, stagenet contract: a different tag, so rejected.
    assert_eq!(
        snode_bls::verify_proof_of_possession(&pk, &operator, &ed, &pop, &Network::STAGENET),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn stagenet_pops_7_4() {
    let records = load("pop.txt");
    let mut checked = 0;
    for r in records.iter().filter(|r| r.has("sk")) {
        let name = r.get("name");
        let net = r.network();
        let sk = r.array("sk");
        let pk = snode_bls::public_key(&sk);
        assert_eq!(pk, r.array("pk"), "{name}");
        let operator = snode_bls::parse_address(r.get("operator")).unwrap();
        let ed = r.array("ed25519");
        let msg = snode_bls::pop_message(&pk, &operator, &ed, &net);
        if r.has("message") {
            assert_eq!(msg.to_vec(), r.bytes("message"), "{name}");
        }
        let pop = snode_bls::proof_of_possession(&sk, &operator, &ed, &net).unwrap();
        assert_eq!(pop, r.array("pop"), "{name}");
        assert_eq!(
            snode_bls::verify_proof_of_possession(&pk, &operator, &ed, &pop, &net),
            Ok(())
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

/// The intermediate values of §7.4: expansion, field elements, the counter,
/// the root with its sign, and H after cofactor clearing.
#[test]
fn stagenet_pop_intermediates_7_4() {
    let records = load("pop.txt");
    let mut checked = 0;
    for r in records.iter().filter(|r| r.has("h")) {
        let name = r.get("name");
        let net = r.network();
        let dst = net.tag(Tag::HashToG2);
        let msg = r.bytes("message");
        let counter: u8 = r.get("counter").parse().unwrap();
        let with_counter = |i: u8| [msg.as_slice(), &[i]].concat();

        let e = hash::expand_message_xmd(&with_counter(counter), &dst);
        assert_eq!(e.to_vec(), r.bytes("expand"), "{name}");
        let (x, bit) = hash::hash_to_field(&with_counter(counter), &dst);
        assert_eq!(
            x,
            Fq2::new(fq_hex(r.get("u0")), fq_hex(r.get("u1"))),
            "{name}"
        );
        assert_eq!(u8::from(bit), r.get("bit").parse::<u8>().unwrap(), "{name}");

        // The counters before the successful one have no square root.
        for i in 0..counter {
            let (x, _) = hash::hash_to_field(&with_counter(i), &dst);
            if r.has(&format!("u0_{i}")) {
                let want = Fq2::new(
                    fq_hex(r.get(&format!("u0_{i}"))),
                    fq_hex(r.get(&format!("u1_{i}"))),
                );
                assert_eq!(x, want, "{name} counter {i}");
            }
            let rhs = x * x * x
                + <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B;
            assert_eq!(hash::fq2_sqrt(&rhs), None, "{name} counter {i}");
        }
        if r.has("expand0") {
            assert_eq!(
                hash::expand_message_xmd(&with_counter(0), &dst).to_vec(),
                r.bytes("expand0")
            );
        }

        let (got_counter, point) = hash::map_to_twist(&msg, &dst).unwrap();
        assert_eq!(got_counter, counter, "{name}");
        assert_eq!(point.x, x);
        assert_eq!(
            point.y,
            Fq2::new(fq_hex(r.get("y_re")), fq_hex(r.get("y_im"))),
            "{name}"
        );
        let h = hash::hash_to_g2(&msg, &dst).unwrap();
        assert_eq!(snode_bls::encode_g2(&h), r.array::<128>("h"), "{name}");
        assert_eq!(
            snode_bls::hash_message_to_g2(&msg, &net).unwrap(),
            r.array::<128>("h")
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
}
