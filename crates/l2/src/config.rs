//! Tracker settings: the `l2-*` options and the tracker's constants
//! (docs/compat/l2-contract.md), with the contract addresses as configuration
//! (the deployments are snode-eth's).

use std::time::Duration;

use alloy_primitives::Address;
use snode_eth::{Deployment, PoolConfig, ProviderUrl, STAGENET_CHAIN_ID};

/// `HIST_SIZE`: 70 min of 250 ms blocks; the log window the tracker follows.
pub const HIST_SIZE: u64 = 16_800;
/// `L2_TRACKER_SAFE_BLOCKS`: an Oxen block's `l2_height` is latest − 280.
pub const SAFE_BLOCKS: u64 = 280;
/// `L2_REWARD_POOL_UPDATE_BLOCKS` on stagenet: `rewardRate()` is read at multiples of this.
pub const REWARD_POOL_UPDATE_BLOCKS: u64 = 600;
/// `L2_NODE_LIST_PURGE_BLOCKS` on stagenet: `allServiceNodeIDs()` is read at multiples of this.
pub const NODE_LIST_PURGE_BLOCKS: u64 = 14_400;

/// Everything the tracker needs to know before it starts.
#[derive(Clone, Debug)]
pub struct L2Config {
    /// `l2-provider`, in priority order: the first is the primary.
    pub providers: Vec<ProviderUrl>,
    /// `l2-refresh`: how often the daemon should call [`crate::L2Tracker::step`].
    pub refresh: Duration,
    /// `l2-timeout`, in seconds as documented (not upstream's ×1000 bug).
    pub timeout: Duration,
    /// `l2-max-logs`: most blocks per `eth_getLogs`.
    pub max_logs: u64,
    /// `l2-check-interval`: how often every provider's height is compared.
    pub check_interval: Duration,
    /// `l2-check-threshold`: a provider this many blocks behind the best is lagging.
    pub check_threshold: u64,
    /// `l2-skip-chainid`: do not verify `eth_chainId` at start.
    pub skip_chain_id: bool,
    /// Required chain id.
    pub chain_id: u64,
    /// ServiceNodeRewards address (our `l2-rewards-contract` extension).
    pub rewards_contract: Address,
    /// RewardRatePool address (our `l2-pool-contract` extension); `None` skips `rewardRate()`.
    pub pool_contract: Option<Address>,
    /// How long the best head may stay unchanged before the state is "L2 stalled".
    /// Not an upstream option; Arbitrum makes a block every 250 ms.
    pub stall_after: Duration,
}

impl L2Config {
    /// The defaults of §3.2 for the given providers and deployment.
    pub fn new(providers: &[&str], deployment: Deployment) -> Self {
        Self {
            providers: providers.iter().map(|u| ProviderUrl::new(u)).collect(),
            refresh: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
            max_logs: 1000,
            check_interval: Duration::from_secs(170),
            check_threshold: 120,
            skip_chain_id: false,
            chain_id: STAGENET_CHAIN_ID,
            rewards_contract: deployment.rewards_contract(),
            pool_contract: Some(deployment.pool_contract()),
            stall_after: Duration::from_secs(300),
        }
    }

    /// Name used in logs, as oxend does: `Primary L2 provider`, `Backup L2 provider #1`, ….
    pub fn provider_name(index: usize) -> String {
        snode_eth::provider_name(index)
    }

    /// What the provider pool needs of it.
    pub fn pool_config(&self) -> PoolConfig {
        PoolConfig {
            providers: self.providers.clone(),
            timeout: self.timeout,
            max_logs: self.max_logs,
            check_threshold: self.check_threshold,
        }
    }
}
