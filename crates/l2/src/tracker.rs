//! The tracking cycle (docs/compat/l2-contract.md, "Polling"): height, `rewardRate()` at reward
//! heights, `eth_getLogs` across the history window, `allServiceNodeIDs()` at
//! purge heights. The daemon calls [`L2Tracker::step`] every `l2-refresh`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::time::SystemTime;

use alloy_primitives::{Address, B256, U256};
use serde_json::{json, Value};
use tracing::{debug, error, info, warn};

use snode_eth::abi;
use snode_eth::{parse_data, parse_quantity, ProviderPool};

use crate::config::{
    L2Config, HIST_SIZE, NODE_LIST_PURGE_BLOCKS, REWARD_POOL_UPDATE_BLOCKS, SAFE_BLOCKS,
};
use crate::error::L2Error;
use crate::progress::{Counts, LogSync};
use crate::registry::{NodeContractState, NodeQuery, NodeRecord, Registry};
use crate::status::{CycleReport, L2Status, OwnNodeStatus, ProviderInUse, RewardRate, Stall};
use crate::store::{Batch, EventRecord, Store};
use crate::time::{format_utc, since, unix_secs};

/// Most `serviceNodes(id)` calls in one JSON-RPC batch.
pub const RECORD_BATCH: usize = 100;

/// What the cycle has done when the callback is called: before every
/// request, and after every committed log batch ([`Progress::tracker`]).
#[derive(Clone, Copy)]
pub struct Progress<'a> {
    counts: Counts,
    tracker: Option<&'a L2Tracker>,
}

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("head", &self.counts.head)
            .field("synced", &self.counts.synced)
            .field("log_sync", &self.counts.log_sync)
            .field("batch_committed", &self.tracker.is_some())
            .finish()
    }
}

impl<'a> Progress<'a> {
    /// The L2 head a provider reported this cycle; `None` until one has.
    pub fn head(&self) -> Option<u64> {
        self.counts.head
    }

    /// Highest L2 block whose contract logs are committed (stored and
    /// applied), as [`L2Tracker::synced_height`].
    pub fn synced(&self) -> Option<u64> {
        self.counts.synced
    }

    /// The contract-log sync of this cycle, while it runs.
    pub fn log_sync(&self) -> Option<LogSync> {
        self.counts.log_sync
    }

    /// The block the log sync works towards (this cycle's head), while it runs.
    pub fn target(&self) -> Option<u64> {
        self.counts.log_sync.map(|s| s.target)
    }

    /// Whether this call comes right after a committed log batch.
    pub fn batch_committed(&self) -> bool {
        self.tracker.is_some()
    }

    /// Right after a committed log batch: the tracker, to take
    /// [`L2Tracker::status`] (with [`L2Status::log_sync`] set) or
    /// other queries from. `None` before a request, when the tracker is in
    /// the middle of it.
    pub fn tracker(&self) -> Option<&'a L2Tracker> {
        self.tracker
    }
}

/// The caller's say in a running cycle: asked before every request and after
/// every committed batch, with the cycle's [`Progress`]. The callback is the
/// caller's heartbeat (progress was made), its progress report and its cancel
/// check (`false` ends the cycle there). Once it said `false`, the gate stays
/// shut.
pub(crate) struct Gate<'a> {
    go: &'a mut dyn FnMut(&Progress<'_>) -> bool,
    stopped: bool,
    /// What the cycle has done so far, kept up to date by the tracker.
    pub(crate) counts: Counts,
}

impl<'a> Gate<'a> {
    pub(crate) fn new(go: &'a mut dyn FnMut(&Progress<'_>) -> bool) -> Self {
        Self {
            go,
            stopped: false,
            counts: Counts::default(),
        }
    }

    fn ask(&mut self, tracker: Option<&L2Tracker>) -> bool {
        if !self.stopped {
            let progress = Progress {
                counts: self.counts,
                tracker,
            };
            if !(self.go)(&progress) {
                self.stopped = true;
            }
        }
        !self.stopped
    }

    /// Reports a committed log batch, lending the tracker for a status
    /// snapshot, and asks whether to go on.
    pub(crate) fn committed(&mut self, tracker: &L2Tracker) -> bool {
        self.ask(Some(tracker))
    }

    /// Whether the caller ended the cycle.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }
}

impl snode_eth::Gate for Gate<'_> {
    /// Reports progress (before a request) and asks whether to go on.
    fn pass(&mut self) -> bool {
        self.ask(None)
    }
}

#[derive(Debug, Clone, Copy)]
struct Head {
    height: u64,
    since: SystemTime,
}

/// Follows the ServiceNodeRewards contract through the provider pool and
/// keeps its view in the state database.
///
/// Drive it like this: [`L2Tracker::open`] at start, then
/// [`L2Tracker::verify_chain_id`] (a wrong chain id is fatal, as in oxend),
/// then [`L2Tracker::step`] every [`L2Config::refresh`] with the current time,
/// from one thread. [`L2Tracker::status`] gives the snapshot for the admin RPC.
pub struct L2Tracker {
    cfg: L2Config,
    pool: ProviderPool,
    store: Store,
    registry: Registry,
    synced: Option<u64>,
    /// `stakingRequirement()` or the latest `StakingRequirementUpdated`, and
    /// the block it is valid at; `None` until the contract told us.
    staking_requirement: Option<(U256, u64)>,
    /// The purge height at which `stakingRequirement()` was last read.
    staking_checked: Option<u64>,
    staking_warned: bool,
    node_list_warned: Option<u64>,
    /// The first block of the history gap last warned about: the warning is
    /// given once per gap, not every cycle until a batch is stored.
    gap_warned: Option<u64>,
    last_purge_height: Option<u64>,
    own: Option<NodeQuery>,
    head: Option<Head>,
    last_height: Option<u64>,
    last_height_at: Option<SystemTime>,
    next_check: Option<SystemTime>,
    last_check_at: Option<SystemTime>,
    stall_logged: bool,
    rewards: BTreeMap<u64, U256>,
    last_cycle: Option<CycleReport>,
    /// The log sync of the cycle in progress (`None` between cycles).
    log_sync: Option<LogSync>,
    /// "no ServiceNodeRewards contract at 0x… on <provider>", per provider
    /// that answered `eth_getCode` with no code at the start check.
    contract_missing: Vec<String>,
}

impl std::fmt::Debug for L2Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L2Tracker")
            .field("providers", &self.cfg.providers)
            .field("synced", &self.synced)
            .field("last_height", &self.last_height)
            .finish_non_exhaustive()
    }
}

impl L2Tracker {
    /// Opens the state in `state_dir` (created if missing; `l2-state.sqlite`
    /// inside) and sets up the providers. Resumes from the stored synced
    /// height. State written for another chain id or contract is dropped.
    pub fn open(cfg: L2Config, state_dir: &Path) -> Result<Self, L2Error> {
        let mut cfg = cfg;
        cfg.providers.retain(|u| !u.expose().is_empty());
        if cfg.providers.is_empty() {
            return Err(L2Error::NoProviders);
        }
        let (store, _reset) = Store::open(state_dir, cfg.chain_id, cfg.rewards_contract)?;
        let registry = Registry::from_records(store.load_nodes()?);
        let synced = store.synced_height()?;
        let staking_requirement = store.staking_requirement()?;
        let last_purge_height = store.last_purge_height()?;
        info!(
            "L2 state opened: synced to {}, {} nodes known",
            synced.map_or("nothing".into(), |h| format!("block {h}")),
            registry.all().count()
        );
        Ok(Self {
            pool: ProviderPool::new(&cfg.pool_config()),
            cfg,
            store,
            registry,
            synced,
            staking_requirement,
            staking_checked: None,
            staking_warned: false,
            node_list_warned: None,
            gap_warned: None,
            last_purge_height,
            own: None,
            head: None,
            last_height: None,
            last_height_at: None,
            next_check: None,
            last_check_at: None,
            stall_logged: false,
            rewards: BTreeMap::new(),
            last_cycle: None,
            log_sync: None,
            contract_missing: Vec::new(),
        })
    }

    /// Sets this node's keys, so status reports its contract state.
    pub fn set_own_node(&mut self, keys: NodeQuery) {
        self.own = Some(keys);
    }

    /// Checks `eth_chainId` of every provider (docs/compat/config.md). A
    /// provider that does not answer is only a warning; one that serves
    /// another chain is [`L2Error::WrongChainId`], which should stop startup.
    /// The chain id is not asked with `l2-skip-chainid`.
    ///
    /// Then it asks every provider for the code at `l2-rewards-contract`
    /// (`eth_getCode`): a provider that has none there is logged as an error
    /// and kept in [`L2Status::contract_missing`] ("no ServiceNodeRewards
    /// contract at 0x… on <provider>"), so that is what status says rather
    /// than "not registered". Not fatal: the address may be a contract
    /// deployed later, and a provider may lag.
    pub fn verify_chain_id(&mut self) -> Result<(), L2Error> {
        if !self.cfg.skip_chain_id {
            self.check_chain_ids()?;
        }
        self.check_contract_code();
        Ok(())
    }

    /// `eth_getCode` at the rewards contract on every provider.
    fn check_contract_code(&mut self) {
        let contract = self.cfg.rewards_contract;
        let params = json!([format!("{contract:#x}"), "latest"]);
        self.contract_missing.clear();
        for idx in 0..self.pool.len() {
            let answer = self
                .pool
                .call_one(idx, "eth_getCode", &params)
                .map_err(|f| f.failure)
                .and_then(|v| parse_data(&v));
            let p = &self.pool.providers[idx];
            match answer {
                Ok(code) if code.is_empty() => {
                    let msg = format!(
                        "no ServiceNodeRewards contract at {} on {} [{}]",
                        contract.to_checksum(None),
                        p.name,
                        p.url()
                    );
                    error!("{msg}: check l2-rewards-contract and that the provider serves Arbitrum Sepolia");
                    self.contract_missing.push(msg);
                }
                Ok(_) => {
                    self.pool.providers[idx].counters.successes += 1;
                }
                Err(f) => warn!(
                    "Could not check the ServiceNodeRewards contract code on {} [{}]: {f}",
                    p.name,
                    p.url()
                ),
            }
        }
    }

    fn check_chain_ids(&mut self) -> Result<(), L2Error> {
        info!("Verifying L2 provider chain-id");
        for idx in 0..self.pool.len() {
            let answer = self
                .pool
                .call_one(idx, "eth_chainId", &json!([]))
                .map_err(|f| f.failure)
                .and_then(|v| parse_quantity(&v));
            let p = &self.pool.providers[idx];
            match answer {
                Ok(id) if id == self.cfg.chain_id => {
                    self.pool.providers[idx].counters.successes += 1;
                    let p = &self.pool.providers[idx];
                    info!(
                        "L2 provider {} [{}] returned correct chainId 0x{id:x}",
                        p.name,
                        p.url()
                    );
                }
                Ok(id) => {
                    return Err(L2Error::WrongChainId {
                        provider: p.name.clone(),
                        url: p.url().clone(),
                        got: id,
                        expected: self.cfg.chain_id,
                    })
                }
                Err(f) => {
                    warn!(
                        "Failed to retrieve L2 chain ID from {} [{}]: {f}",
                        p.name,
                        p.url()
                    );
                }
            }
        }
        Ok(())
    }

    /// One tracking cycle at time `now`. Never fails: problems are logged,
    /// counted per provider and listed in the report; the next cycle retries.
    pub fn step(&mut self, now: SystemTime) -> CycleReport {
        self.step_with(now, &mut || true)
    }

    /// [`Self::step`] with the caller's say: `go` is called before every
    /// request and after every committed log batch. That makes it the place
    /// for a heartbeat (each call means progress: a request finished, or a
    /// batch was stored) and for a cancel check: when it returns `false` the
    /// cycle ends there, before the next request. Batches are committed
    /// atomically, so what was stored stays and the next cycle resumes after
    /// it; the report says `cancelled`.
    pub fn step_with(&mut self, now: SystemTime, go: &mut dyn FnMut() -> bool) -> CycleReport {
        self.step_with_progress(now, &mut |_| go())
    }

    /// [`Self::step_with`] whose callback also sees where the cycle is: the
    /// L2 head of this cycle once a provider told it, the block synced to so
    /// far (committed) and, while logs are fetched, the target
    /// ([`Progress`]). After every committed log batch it gets the tracker
    /// too ([`Progress::tracker`]), so the caller can publish an
    /// intermediate [`Self::status`], whose [`L2Status::log_sync`] says how
    /// far the sync is. Between cycles `log_sync` is `None` again.
    pub fn step_with_progress(
        &mut self,
        now: SystemTime,
        go: &mut dyn FnMut(&Progress<'_>) -> bool,
    ) -> CycleReport {
        let mut report = CycleReport {
            at: unix_secs(now),
            ..Default::default()
        };
        let mut gate = Gate::new(go);
        let gate = &mut gate;
        gate.counts.synced = self.synced;
        if let Some(latest) = self.update_height(gate, now, &mut report) {
            gate.counts.head = Some(latest);
            self.update_staking_requirement(gate, latest, &mut report);
            self.update_rewards(gate, latest, &mut report);
            if !gate.stopped() {
                report.logs_complete = self.sync_logs(gate, latest, &mut report);
            }
            if report.logs_complete {
                self.check_node_list(gate, latest, &mut report);
            }
        }
        report.cancelled = gate.stopped();
        if report.cancelled {
            debug!("L2 cycle stopped by the caller");
        }
        report.stalled = self.stall(now);
        self.last_cycle = Some(report.clone());
        report
    }

    // ---- step 1: height -------------------------------------------------

    fn update_height(
        &mut self,
        gate: &mut Gate<'_>,
        now: SystemTime,
        report: &mut CycleReport,
    ) -> Option<u64> {
        let multi = self.pool.len() > 1;
        let due = self.next_check.is_none_or(|t| now >= t);
        let probe = self.head.is_some_and(|h| {
            let stalled_at = h.since + self.cfg.stall_after;
            now >= stalled_at && self.last_check_at.is_none_or(|c| c < stalled_at)
        });
        let mut height = None;
        if multi && (due || probe) {
            let out = self.pool.check(gate, now);
            if gate.stopped() {
                return None;
            }
            self.next_check = Some(now + self.cfg.check_interval);
            self.last_check_at = Some(now);
            if let Some(best) = out.heights.iter().flatten().max() {
                self.observe_head(*best, now);
            }
            height = out.first_height;
        }
        if height.is_none() {
            match self.pool.block_number(gate, now) {
                Ok(h) => height = Some(h),
                Err(snode_eth::EthError::Cancelled) => return None,
                Err(e) => {
                    let ago = self.last_height_at.map_or("never".to_string(), |t| {
                        format!("{} s ago", since(now, t).as_secs())
                    });
                    error!("Failed to retrieve current height from L2 RPC provider; last successful retrieval: {ago}");
                    report.errors.push(e.to_string());
                }
            }
        }
        let h = height?;
        self.observe_head(h, now);
        self.last_height = Some(h);
        self.last_height_at = Some(now);
        report.height = Some(h);
        if let Some(stall) = self.stall(now) {
            if !self.stall_logged {
                let agree = if multi {
                    "every provider reports the same head; not switching providers"
                } else {
                    "the only provider reports no new block"
                };
                warn!("{stall}: {agree}");
                self.stall_logged = true;
            }
        }
        Some(h)
    }

    fn observe_head(&mut self, h: u64, now: SystemTime) {
        if self.head.is_none_or(|head| h > head.height) {
            if self.stall_logged {
                info!("L2 is moving again: block {h}");
                self.stall_logged = false;
            }
            self.head = Some(Head {
                height: h,
                since: now,
            });
        }
    }

    /// "L2 stalled at block N since T" when the best head seen has not moved
    /// for `stall_after` and a provider has answered since then (with no
    /// answer at all, the providers are down, not the L2).
    pub fn stall(&self, now: SystemTime) -> Option<Stall> {
        let head = self.head?;
        let stalled_at = head.since + self.cfg.stall_after;
        let heard_since = self.last_height_at.is_some_and(|t| t >= stalled_at);
        (now >= stalled_at && heard_since).then(|| Stall {
            height: head.height,
            since: unix_secs(head.since),
            since_utc: format_utc(head.since),
        })
    }

    // ---- staking requirement ----------------------------------------------

    /// `stakingRequirement()` at `latest`, when it is not known yet and again
    /// at every new purge height (docs/compat/l2-contract.md: the live value is the
    /// contract's, not the deploy-time 20,000 SESH). A value newer than the
    /// one known (by block) replaces it; `StakingRequirementUpdated` events
    /// do the same in between. A contract that does not answer leaves it
    /// unknown (asked again next cycle).
    fn update_staking_requirement(
        &mut self,
        gate: &mut Gate<'_>,
        latest: u64,
        report: &mut CycleReport,
    ) {
        let purge_height = latest - latest % NODE_LIST_PURGE_BLOCKS;
        if self.staking_requirement.is_some()
            && self.staking_checked.is_some_and(|p| p >= purge_height)
        {
            return;
        }
        let calldata = abi::staking_requirement_calldata();
        let data = match self.eth_call(gate, self.cfg.rewards_contract, &calldata, latest) {
            Ok(d) => d,
            Err(L2Error::Cancelled) => return,
            Err(e) => {
                warn!("Failed to retrieve stakingRequirement() at block {latest}: {e}");
                report.errors.push(e.to_string());
                return;
            }
        };
        let value = match abi::decode_staking_requirement(&data) {
            Ok(v) => v,
            Err(e) => {
                let what = format!("stakingRequirement() at block {latest} gave no value: {e}");
                if !self.staking_warned {
                    warn!("{what}; the staking requirement stays unknown");
                    self.staking_warned = true;
                } else {
                    debug!("{what}");
                }
                report.errors.push(what);
                return;
            }
        };
        self.staking_checked = Some(purge_height);
        self.staking_warned = false;
        if self.staking_requirement.is_some_and(|(_, b)| b >= latest) {
            return;
        }
        let batch = Batch {
            staking_requirement: Some((value, latest)),
            ..Default::default()
        };
        match self.store.commit(&batch) {
            Ok(()) => {
                if self.staking_requirement.map(|(v, _)| v) != Some(value) {
                    info!("Staking requirement per the contract at block {latest}: {value} atomic SESH");
                }
                self.staking_requirement = Some((value, latest));
            }
            Err(e) => {
                error!("Failed to store the staking requirement: {e}");
                report.errors.push(e.to_string());
            }
        }
    }

    // ---- step 2: reward rate --------------------------------------------

    fn update_rewards(&mut self, gate: &mut Gate<'_>, latest: u64, report: &mut CycleReport) {
        let Some(pool_contract) = self.cfg.pool_contract else {
            return;
        };
        let step = REWARD_POOL_UPDATE_BLOCKS;
        let first = latest.saturating_sub(step) / step * step;
        self.rewards.retain(|h, _| *h >= first);
        let mut h = first;
        while h <= latest {
            if !self.rewards.contains_key(&h) {
                match self.eth_call(gate, pool_contract, &abi::reward_rate_calldata(), h) {
                    Ok(data) => match abi::decode_reward_rate(&data) {
                        Ok(rate) => {
                            self.rewards.insert(h, rate);
                            report.reward_rates_fetched += 1;
                        }
                        Err(e) => {
                            warn!("rewardRate() at block {h} did not decode: {e}");
                            report.errors.push(format!("rewardRate() at {h}: {e}"));
                        }
                    },
                    Err(L2Error::Cancelled) => return,
                    Err(e) => {
                        warn!("Failed to retrieve rewardRate() at block {h}: {e}");
                        report.errors.push(e.to_string());
                        return;
                    }
                }
            }
            h += step;
        }
    }

    fn eth_call(
        &mut self,
        gate: &mut Gate<'_>,
        to: Address,
        data: &[u8],
        block: u64,
    ) -> Result<Vec<u8>, L2Error> {
        let params = json!([
            {"to": format!("0x{}", hex::encode(to)), "data": format!("0x{}", hex::encode(data))},
            format!("0x{block:x}")
        ]);
        self.pool
            .request(gate, "eth_call", &params, parse_data)
            .map(|(_, d)| d)
            .map_err(L2Error::from)
    }

    // ---- step 3: logs -----------------------------------------------------

    /// Step 3 with [`Self::log_sync`] set while it runs (what an
    /// intermediate status shows) and cleared after, however it ends.
    fn sync_logs(&mut self, gate: &mut Gate<'_>, latest: u64, report: &mut CycleReport) -> bool {
        let complete = self.sync_logs_in(gate, latest, report);
        self.log_sync = None;
        gate.counts.log_sync = None;
        complete
    }

    fn sync_logs_in(&mut self, gate: &mut Gate<'_>, latest: u64, report: &mut CycleReport) -> bool {
        let window_start = latest.saturating_sub(HIST_SIZE) + 1;
        let mut from = self
            .synced
            .map_or(window_start, |s| (s + 1).max(window_start));
        if let Some(s) = self.synced.filter(|s| s + 1 < window_start) {
            let skipped = format!("{}-{}", s + 1, window_start - 1);
            if self.gap_warned != Some(s + 1) {
                self.gap_warned = Some(s + 1);
                warn!(
                    "L2 logs of blocks {skipped} are not fetched: they are older than the \
                     {HIST_SIZE}-block history window (the daemon was down or behind for more \
                     than 70 minutes); events in them are missed, the contract's node list at \
                     the next purge height corrects the registry"
                );
            } else {
                debug!("L2 logs of blocks {skipped} are still not fetched (warned already)");
            }
            report.errors.push(format!(
                "skipped L2 blocks {skipped} (older than the history window)"
            ));
        }
        let contract = format!("0x{}", hex::encode(self.cfg.rewards_contract));
        if from <= latest {
            self.log_sync = Some(LogSync {
                from,
                target: latest,
                batches: 0,
            });
            gate.counts.log_sync = self.log_sync;
        }
        while from <= latest {
            match self.pool.get_logs(gate, from, latest, &contract) {
                Ok((to, logs)) => {
                    if let Err(e) = self.store_logs(to, &logs, latest, report) {
                        error!("Failed to store L2 logs for {from}-{to}: {e}");
                        report.errors.push(e.to_string());
                        return false;
                    }
                    report.log_batches += 1;
                    debug!("L2 logs synced up to block {to}");
                    from = to + 1;
                    if let Some(sync) = &mut self.log_sync {
                        sync.batches += 1;
                    }
                    gate.counts.synced = self.synced;
                    gate.counts.log_sync = self.log_sync;
                    if !gate.committed(self) && from <= latest {
                        return false;
                    }
                }
                Err(snode_eth::EthError::Cancelled) => return false,
                Err(e) => {
                    warn!("Failed to retrieve L2 logs for {from}-{latest}: {e}");
                    report.errors.push(e.to_string());
                    return false;
                }
            }
        }
        true
    }

    fn store_logs(
        &mut self,
        to: u64,
        logs: &[Value],
        latest: u64,
        report: &mut CycleReport,
    ) -> Result<(), L2Error> {
        let mut records = Vec::new();
        for raw in logs {
            match self.decode_raw(raw) {
                Ok(Some(Decoded2::Event(r))) => records.push(*r),
                Ok(Some(Decoded2::Ignored)) => report.ignored_logs += 1,
                Ok(None) => {}
                Err(e) => {
                    warn!("Skipping malformed L2 log: {e}");
                    report.malformed_logs += 1;
                    report.errors.push(format!("malformed log skipped: {e}"));
                }
            }
        }
        records.sort_by_key(EventRecord::key);
        let mut seen = HashSet::new();
        let mut fresh = Vec::with_capacity(records.len());
        for r in records {
            if seen.insert(r.key()) && !self.store.has_event(r.key())? {
                fresh.push(r);
            } else {
                report.events_duplicate += 1;
            }
        }
        let mut changed = BTreeSet::new();
        let mut staking = None;
        let known_at = self.staking_requirement.map(|(_, b)| b);
        for r in &fresh {
            if let abi::ContractEvent::StakingRequirementUpdated { new_requirement } = r.event {
                // newer than what stakingRequirement() told us
                if known_at.is_none_or(|b| r.block > b) {
                    staking = Some((new_requirement, r.block));
                }
            }
            if let Some(id) = self.registry.apply(&r.event, r.block) {
                changed.insert(id);
            }
        }
        let nodes: Vec<&NodeRecord> = changed
            .iter()
            .filter_map(|id| self.registry.get(*id))
            .collect();
        let batch = Batch {
            synced_height: Some(to),
            events: &fresh,
            nodes,
            staking_requirement: staking,
            prune_at_or_below: latest.checked_sub(HIST_SIZE),
            ..Default::default()
        };
        if let Err(e) = self.store.commit(&batch) {
            // memory must not run ahead of the database
            self.registry = Registry::from_records(self.store.load_nodes()?);
            return Err(e);
        }
        self.synced = Some(to);
        if staking.is_some() {
            self.staking_requirement = staking;
        }
        for r in &fresh {
            info!("L2 event at block {}: {}", r.block, r.event.name());
        }
        report.events_applied += fresh.len() as u64;
        Ok(())
    }

    /// One raw log: `Ok(None)` for logs to ignore silently (pending, removed,
    /// other address), `Err` for malformed ones.
    fn decode_raw(&self, raw: &Value) -> Result<Option<Decoded2>, String> {
        let field = |k: &str| raw.get(k).filter(|v| !v.is_null());
        let Some(block) = field("blockNumber") else {
            return Ok(None); // pending log: ignored, as oxend does
        };
        if raw.get("removed").and_then(Value::as_bool) == Some(true) {
            return Ok(None);
        }
        let q = |k: &str| -> Result<u64, String> {
            field(k)
                .ok_or_else(|| format!("no {k}"))
                .and_then(|v| parse_quantity(v).map_err(|f| format!("{k}: {}", f.message)))
        };
        let block = parse_quantity(block).map_err(|f| format!("blockNumber: {}", f.message))?;
        let here = format!("block {block}");
        let address = field("address")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{here}: no address"))?;
        if !address.eq_ignore_ascii_case(&format!("0x{}", hex::encode(self.cfg.rewards_contract))) {
            return Ok(None);
        }
        let tx_index = q("transactionIndex").map_err(|e| format!("{here}: {e}"))?;
        let log_index = q("logIndex").map_err(|e| format!("{here}: {e}"))?;
        let here = format!("block {block} log {log_index}");
        let tx_hash = field("transactionHash")
            .ok_or_else(|| format!("{here}: no transactionHash"))
            .and_then(|v| parse_data(v).map_err(|f| format!("{here}: {}", f.message)))
            .and_then(|b| {
                (b.len() == 32)
                    .then(|| B256::from_slice(&b))
                    .ok_or_else(|| format!("{here}: transactionHash is not 32 bytes"))
            })?;
        let topics = field("topics")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{here}: no topics"))?
            .iter()
            .map(|t| match parse_data(t) {
                Ok(b) if b.len() == 32 => Ok(B256::from_slice(&b)),
                _ => Err(format!("{here}: bad topic {t}")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let data = field("data")
            .ok_or_else(|| format!("{here}: no data"))
            .and_then(|v| parse_data(v).map_err(|f| format!("{here}: {}", f.message)))?;
        match abi::decode_log(&topics, &data) {
            Ok(Some(event)) => Ok(Some(Decoded2::Event(Box::new(EventRecord {
                block,
                tx_index,
                log_index,
                tx_hash,
                event,
            })))),
            Ok(None) => Ok(Some(Decoded2::Ignored)),
            Err(e) => Err(format!("{here}: {e}")),
        }
    }

    // ---- step 4: node list --------------------------------------------------

    fn check_node_list(&mut self, gate: &mut Gate<'_>, latest: u64, report: &mut CycleReport) {
        let purge_height = latest - latest % NODE_LIST_PURGE_BLOCKS;
        if self.last_purge_height.is_some_and(|p| p >= purge_height) {
            return;
        }
        let calldata = abi::all_service_node_ids_calldata();
        let mut list = None;
        let mut undecodable = Vec::new();
        for h in [purge_height, latest] {
            match self.eth_call(gate, self.cfg.rewards_contract, &calldata, h) {
                Ok(data) => match abi::decode_all_service_node_ids(&data) {
                    Ok(l) => {
                        list = Some((h, l));
                        break;
                    }
                    // A revert ("0x") or another shape is no node list.
                    Err(e) => undecodable.push(format!("at block {h}: {e}")),
                },
                Err(L2Error::Cancelled) => return,
                Err(e) => {
                    warn!("Failed to retrieve allServiceNodeIDs() at block {h}: {e}");
                    report.errors.push(e.to_string());
                }
            }
            if h == latest {
                break;
            }
        }
        let Some((list_height, list)) = list else {
            if !undecodable.is_empty() {
                let what = format!(
                    "allServiceNodeIDs() gave no node list ({})",
                    undecodable.join("; ")
                );
                if self.node_list_warned != Some(purge_height) {
                    warn!("{what}; asking again next cycle");
                    self.node_list_warned = Some(purge_height);
                } else {
                    debug!("{what}");
                }
                report.errors.push(what);
            }
            return; // retried next cycle
        };
        let mut changed = self.registry.reconcile(&list, list_height);
        self.node_list_warned = None;
        // Nodes learned from the list carry no exit state: read their
        // records from the contract (batched).
        let learned: Vec<u64> = changed
            .iter()
            .copied()
            .filter(|id| {
                self.registry
                    .get(*id)
                    .is_some_and(|n| n.registered_before && n.added_timestamp.is_none())
            })
            .collect();
        if !learned.is_empty() {
            match self.read_records(gate, &learned, list_height, report) {
                Ok(()) => {}
                Err(L2Error::Cancelled) => return,
                Err(e) => {
                    warn!(
                        "Failed to read the contract records of {} nodes: {e}",
                        learned.len()
                    );
                    report.errors.push(e.to_string());
                }
            }
        }
        changed.sort_unstable();
        changed.dedup();
        let nodes = changed
            .iter()
            .filter_map(|id| self.registry.get(*id))
            .collect();
        let batch = Batch {
            nodes,
            last_purge_height: Some(purge_height),
            ..Default::default()
        };
        match self.store.commit(&batch) {
            Ok(()) => {
                self.last_purge_height = Some(purge_height);
                report.node_list_height = Some(list_height);
            }
            Err(e) => {
                error!("Failed to store the L2 node list: {e}");
                report.errors.push(e.to_string());
                if let Ok(nodes) = self.store.load_nodes() {
                    self.registry = Registry::from_records(nodes);
                }
            }
        }
    }

    /// `serviceNodes(id)` of each id at `block`, in JSON-RPC batches of
    /// [`RECORD_BATCH`] calls (2,000 nodes: 20 requests), applied to the
    /// registry. A node whose record cannot be read keeps what the list said.
    fn read_records(
        &mut self,
        gate: &mut Gate<'_>,
        ids: &[u64],
        block: u64,
        report: &mut CycleReport,
    ) -> Result<(), L2Error> {
        let to = format!("{:#x}", self.cfg.rewards_contract);
        for chunk in ids.chunks(RECORD_BATCH) {
            let calls: Vec<(&str, Value)> = chunk
                .iter()
                .map(|id| {
                    let data = format!("0x{}", hex::encode(abi::service_nodes_calldata(*id)));
                    (
                        "eth_call",
                        json!([{"to": to, "data": data}, format!("{block:#x}")]),
                    )
                })
                .collect();
            let answers = self.pool.request_batch(gate, &calls)?;
            for (id, answer) in chunk.iter().zip(answers) {
                let record = answer
                    .map_err(|f| f.to_string())
                    .and_then(|v| parse_data(&v).map_err(|f| f.to_string()))
                    .and_then(|d| abi::decode_service_node(&d).map_err(|e| e.to_string()));
                match record {
                    Ok(r) => {
                        self.registry.apply_contract_record(*id, &r);
                    }
                    Err(e) => {
                        debug!("serviceNodes({id}) at block {block}: {e}");
                        report.errors.push(format!("serviceNodes({id}): {e}"));
                    }
                }
            }
        }
        Ok(())
    }

    // ---- queries ------------------------------------------------------------

    /// The contract-log sync of the cycle in progress: only seen from the
    /// callback of [`Self::step_with_progress`], `None` between cycles.
    pub fn log_sync(&self) -> Option<LogSync> {
        self.log_sync
    }

    /// Highest block whose contract logs are all applied.
    pub fn synced_height(&self) -> Option<u64> {
        self.synced
    }

    /// The latest L2 height a provider reported, and when.
    pub fn latest_height(&self) -> Option<(u64, SystemTime)> {
        self.last_height.zip(self.last_height_at)
    }

    /// The latest height minus `L2_TRACKER_SAFE_BLOCKS` (280): the
    /// `l2_height` an Oxen block would carry now.
    pub fn safe_height(&self) -> Option<u64> {
        self.last_height.map(|h| h.saturating_sub(SAFE_BLOCKS))
    }

    /// The staking requirement (atomic SESH) as the contract last told it
    /// (`stakingRequirement()` or `StakingRequirementUpdated`); `None` until then.
    pub fn staking_requirement(&self) -> Option<U256> {
        self.staking_requirement.map(|(v, _)| v)
    }

    /// The node registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Contract state of a node by BLS and/or Ed25519 pubkey.
    pub fn node_state(&self, q: &NodeQuery) -> NodeContractState {
        self.registry.state_of(q)
    }

    /// The newest stored events, newest first.
    pub fn recent_events(&self, limit: usize) -> Result<Vec<EventRecord>, L2Error> {
        self.store.recent_events(limit)
    }

    /// The snapshot for the admin RPC and `status` output.
    pub fn status(&self, now: SystemTime) -> L2Status {
        let current = self.pool.current();
        let p = &self.pool.providers[current];
        let own_node = self.own.as_ref().map(|q| {
            let rec = self.registry.find(q);
            OwnNodeStatus {
                state: rec.map_or(NodeContractState::NotRegistered, |n| n.state),
                service_node_id: rec.map(|n| n.service_node_id),
                bls_pubkey: q.bls_pubkey,
                ed25519_pubkey: q.ed25519_pubkey,
                registered_block: rec.map(|n| n.registered_block),
                registered_before: rec.is_some_and(|n| n.registered_before),
                leave_request_timestamp: rec.and_then(|n| n.leave_request_timestamp),
            }
        });
        L2Status {
            chain_id: self.cfg.chain_id,
            rewards_contract: self.cfg.rewards_contract,
            l2_height: self.last_height,
            l2_height_at: self.last_height_at.map(unix_secs),
            l2_height_age_secs: self.last_height_at.map(|t| since(now, t).as_secs()),
            synced_height: self.synced,
            provider_in_use: ProviderInUse {
                name: p.name.clone(),
                url: p.url().clone(),
            },
            providers: self.pool.status(),
            stalled: self.stall(now),
            staking_requirement: self.staking_requirement.map(|(v, _)| v),
            registered_nodes: self.registry.registered().count(),
            events_stored: self.store.event_count().unwrap_or(0),
            own_node,
            reward_rate: self.rewards.iter().next_back().map(|(h, r)| RewardRate {
                height: *h,
                rate: *r,
            }),
            last_cycle: self.last_cycle.clone(),
            log_sync: self.log_sync,
            contract_missing: self.contract_missing.clone(),
        }
    }
}

enum Decoded2 {
    Event(Box<EventRecord>),
    Ignored,
}
