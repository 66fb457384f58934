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

/// An `l2-*` contract option that is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{option} must be 0x followed by 40 hex digits, not '{value}'")]
pub struct SettingError {
    /// `l2-rewards-contract` or `l2-pool-contract`.
    pub option: &'static str,
    /// The value given.
    pub value: String,
}

fn contract_setting(option: &'static str, value: &str) -> Result<Address, SettingError> {
    value.trim().parse::<Address>().map_err(|_| SettingError {
        option,
        value: value.to_string(),
    })
}

impl L2Config {
    /// The configuration the settings describe: providers in order,
    /// `l2-refresh`, `l2-timeout` (seconds), `l2-max-logs`,
    /// `l2-check-interval`, `l2-check-threshold`, `l2-skip-chainid`, and the
    /// contracts. When `l2-rewards-contract` names a known deployment and
    /// `l2-pool-contract` is not given, the pool of that deployment is used,
    /// so `l2-rewards-contract=<earlier address>` alone follows the earlier
    /// deployment whole.
    pub fn from_settings(settings: &snode_conf::Settings) -> Result<L2Config, SettingError> {
        let providers: Vec<&str> = settings.l2_provider.iter().map(String::as_str).collect();
        let rewards = contract_setting("l2-rewards-contract", &settings.l2_rewards_contract)?;
        let known = Deployment::of_rewards_contract(rewards);
        let deployment = known.unwrap_or(Deployment::Current);
        let pool = if settings.is_given("l2-pool-contract") || known.is_none() {
            contract_setting("l2-pool-contract", &settings.l2_pool_contract)?
        } else {
            deployment.pool_contract()
        };
        let mut cfg = L2Config::new(&providers, deployment);
        cfg.refresh = settings.l2_refresh();
        cfg.timeout = settings.l2_timeout();
        cfg.max_logs = settings.l2_max_logs.max(1);
        cfg.check_interval = settings.l2_check_interval();
        cfg.check_threshold = settings.l2_check_threshold;
        cfg.skip_chain_id = settings.l2_skip_chainid;
        cfg.chain_id = STAGENET_CHAIN_ID;
        cfg.rewards_contract = rewards;
        cfg.pool_contract = Some(pool);
        Ok(cfg)
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> snode_conf::Settings {
        let doc = snode_conf::parse(text, "test.conf").unwrap();
        snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap()
    }

    #[test]
    fn from_settings_follows_the_deployment_of_the_rewards_contract() {
        let cfg = L2Config::from_settings(&settings(
            "l2-provider=http://127.0.0.1:1/a, http://127.0.0.1:2\nl2-timeout=7\nl2-max-logs=0\n",
        ))
        .unwrap();
        assert_eq!(cfg.providers.len(), 2);
        assert_eq!(cfg.timeout, Duration::from_secs(7));
        assert_eq!(cfg.max_logs, 1);
        assert_eq!(cfg.rewards_contract, Deployment::Current.rewards_contract());
        assert_eq!(cfg.pool_contract, Some(Deployment::Current.pool_contract()));
        let earlier = format!(
            "l2-rewards-contract={}\n",
            snode_eth::EARLIER_REWARDS_CONTRACT
        );
        let cfg = L2Config::from_settings(&settings(&earlier)).unwrap();
        assert_eq!(cfg.pool_contract, Some(Deployment::Earlier.pool_contract()));
        let e = L2Config::from_settings(&settings("l2-pool-contract=0x12\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "l2-pool-contract must be 0x followed by 40 hex digits, not '0x12'"
        );
    }
}
