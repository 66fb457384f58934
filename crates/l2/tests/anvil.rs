//! Against a real L2 node: anvil on 127.0.0.1, chain id 421614, with real
//! logs emitted at the rewards contract address. The tracker's view of the
//! registered nodes matches what was emitted, across a restart.

use crate::common;

use std::time::Duration;

use common::anvil::Anvil;
use common::events;
use common::{at, SECRET};
use snode_l2::{Deployment, L2Config, L2Tracker, NodeContractState, NodeQuery, DB_FILE};

fn query(n: u8) -> NodeQuery {
    NodeQuery {
        bls_pubkey: Some(events::bls(n).into()),
        ed25519_pubkey: Some(events::ed(n).into()),
    }
}

fn ed_only(n: u8) -> NodeQuery {
    NodeQuery {
        bls_pubkey: None,
        ed25519_pubkey: Some(events::ed(n).into()),
    }
}

fn registered_ids(t: &L2Tracker) -> Vec<u64> {
    t.registry()
        .registered()
        .map(|n| n.service_node_id)
        .collect()
}

#[test]
fn registry_matches_emitted_events_across_restart() {
    for deployment in [Deployment::Current, Deployment::Earlier] {
        run(deployment);
    }
}

fn run(deployment: Deployment) {
    let anvil = Anvil::start();
    let contract = format!("0x{}", hex::encode(deployment.rewards_contract()));
    let emit = |log: &events::RawLog| anvil.emit(&contract, log);
    for n in 1..=4 {
        emit(&events::new_node(n.into(), n));
    }
    emit(&events::exit_request(2, 2));
    emit(&events::liquidated(3, 3));
    emit(&events::exit(3, 3));
    emit(&events::exit_request(4, 4));
    emit(&events::exit(4, 4));
    emit(&events::broken_new_node(9, 9));
    emit(&events::staking_requirement(25_000_000_000_000));
    // another contract's logs are not followed
    anvil.emit(
        "0x00000000000000000000000000000000000000aa",
        &events::new_node(8, 8),
    );
    let head = anvil.block_number();

    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/?apikey={SECRET}", anvil.url);
    let mut cfg = L2Config::new(&[url.as_str()], deployment);
    cfg.max_logs = 3; // several batches
    cfg.timeout = Duration::from_secs(10);
    {
        let mut t = L2Tracker::open(cfg.clone(), dir.path()).unwrap();
        t.verify_chain_id().unwrap();
        t.set_own_node(ed_only(1));
        let r = t.step(at(0));
        assert!(r.logs_complete, "{r:?}");
        assert_eq!(r.height, Some(head));
        assert_eq!(r.events_applied, 10, "{r:?}");
        assert_eq!(r.malformed_logs, 1);
        assert_eq!(t.synced_height(), Some(head));
        assert_eq!(registered_ids(&t), vec![1, 2]);
        assert_eq!(t.node_state(&query(1)), NodeContractState::Registered);
        assert_eq!(t.node_state(&query(2)), NodeContractState::ExitRequested);
        assert_eq!(t.node_state(&query(3)), NodeContractState::Exited);
        assert!(t.registry().get(3).unwrap().liquidated);
        assert_eq!(t.node_state(&ed_only(4)), NodeContractState::Exited);
        assert_eq!(t.node_state(&query(8)), NodeContractState::NotRegistered);
        assert_eq!(t.node_state(&query(9)), NodeContractState::NotRegistered);
        assert_eq!(
            t.staking_requirement(),
            Some(alloy_primitives::U256::from(25_000_000_000_000u64)),
            "the emitter answers stakingRequirement() with the event's value"
        );
        let st = t.status(at(0));
        assert_eq!(
            st.own_node.as_ref().unwrap().state,
            NodeContractState::Registered
        );
        assert_eq!(st.registered_nodes, 2);
        assert_eq!(st.events_stored, 10);
        assert_eq!(
            st.providers[0].counters.failures(),
            0,
            "{:?}",
            st.providers[0]
        );
        assert!(!serde_json::to_string(&st).unwrap().contains(SECRET));
    }
    assert!(dir.path().join(DB_FILE).is_file());

    // while the tracker is down: node 1 leaves, node 5 joins
    emit(&events::exit_request(1, 1));
    emit(&events::exit(1, 1));
    emit(&events::new_node(5, 5));
    let head2 = anvil.block_number();

    let mut t = L2Tracker::open(cfg, dir.path()).unwrap();
    t.set_own_node(ed_only(1));
    // the stored view is there before any request
    assert_eq!(t.synced_height(), Some(head));
    assert_eq!(registered_ids(&t), vec![1, 2]);
    let r = t.step(at(60));
    assert_eq!(r.events_applied, 3, "only the new events: {r:?}");
    assert_eq!(t.synced_height(), Some(head2));
    assert_eq!(registered_ids(&t), vec![2, 5]);
    assert_eq!(t.node_state(&query(1)), NodeContractState::Exited);
    assert_eq!(
        t.status(at(60)).own_node.unwrap().state,
        NodeContractState::Exited
    );
    let events = t.recent_events(100).unwrap();
    assert_eq!(events.len(), 13);
    let mut keys: Vec<_> = events.iter().map(|e| e.key()).collect();
    keys.dedup();
    assert_eq!(keys.len(), 13);
    // nothing new: nothing applied
    let r = t.step(at(120));
    assert_eq!(r.events_applied, 0);
    assert_eq!(r.events_duplicate, 0);
}

/// Issue 12.1: a node whose exit was requested before the history window
/// (16,800 blocks) is `exit requested`, not `registered`, for a tracker that
/// starts with an empty state directory: the contract's record says so.
#[test]
fn an_exit_requested_before_the_window_is_read_from_the_contract_record() {
    use snode_eth::abi::{self, ServiceNodeRecord};
    // a chain far past the window: nothing of the registration or of the
    // exit request is in the logs the tracker reads
    let anvil = Anvil::start_with(&["--number", "40000"]);
    let contract = Deployment::Current.rewards_contract();
    let record = |id: u64, leave: u64| ServiceNodeRecord {
        operator: alloy_primitives::Address::repeat_byte(0x22),
        bls_pubkey: events::bls(id as u8).into(),
        ed25519_pubkey: events::ed(id as u8).into(),
        added_timestamp: 1_700_000_000 + id,
        leave_request_timestamp: leave,
        deposit: alloy_primitives::U256::from(25_000u64),
    };
    let nodes = [(1u64, 0u64), (2, 1_700_100_000), (3, 0)];
    let mut answers = vec![(
        abi::all_service_node_ids_calldata(),
        abi::encode_all_service_node_ids(
            &nodes
                .iter()
                .map(|(id, _)| (*id, events::bls(*id as u8)))
                .collect::<Vec<_>>(),
        ),
    )];
    for (id, leave) in nodes {
        answers.push((
            abi::service_nodes_calldata(id),
            abi::encode_service_node(&record(id, leave)),
        ));
    }
    let address = contract.to_checksum(None);
    anvil.set_answers(&address, &answers);

    let dir = tempfile::tempdir().unwrap(); // an empty l2 state dir
    let mut cfg = L2Config::new(&[anvil.url.as_str()], Deployment::Current);
    cfg.timeout = Duration::from_secs(30);
    let mut t = L2Tracker::open(cfg, dir.path()).unwrap();
    t.set_own_node(NodeQuery {
        bls_pubkey: Some(events::bls(2).into()),
        ed25519_pubkey: None,
    });
    t.verify_chain_id().unwrap();
    let r = t.step(at(0));
    assert!(r.logs_complete, "{r:?}");
    let list_height = r.node_list_height.expect("the node list was read");
    let st = t.status(at(0));
    assert!(st.contract_missing.is_empty(), "{:?}", st.contract_missing);
    let own = st.own_node.clone().unwrap();
    assert_eq!(own.state, NodeContractState::ExitRequested, "{st:?}");
    assert_eq!(own.service_node_id, Some(2));
    assert_eq!(own.leave_request_timestamp, Some(1_700_100_000));
    assert_eq!(
        own.registration().unwrap(),
        format!("registered before L2 block {list_height}")
    );
    assert!(
        st.summary().ends_with("; node exit requested"),
        "{}",
        st.summary()
    );
    // the others are registered, their Ed25519 keys known from the records
    assert_eq!(t.node_state(&ed_only(1)), NodeContractState::Registered);
    assert_eq!(t.node_state(&ed_only(3)), NodeContractState::Registered);
    assert_eq!(t.node_state(&ed_only(2)), NodeContractState::ExitRequested);
}
