//! The stagenet deployments: the chain and the contract addresses, defined
//! once for the whole workspace (docs/compat/l2-contract.md, "Which stagenet
//! contracts").

use alloy_primitives::Address;

/// Arbitrum Sepolia, the L2 of stagenet: 421614 = `0x66eee`.
pub const STAGENET_CHAIN_ID: u64 = 421_614;

/// ServiceNodeRewards proxy of the current deployment ("stagenet4"), as the
/// config file's default `l2-rewards-contract` writes it.
pub const CURRENT_REWARDS_CONTRACT: &str = "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35";
/// RewardRatePool proxy of the current deployment.
pub const CURRENT_POOL_CONTRACT: &str = "0xaAD853fE7091728dac0DAa7b69990ee68abFC636";
/// ServiceNodeRewards proxy of the earlier deployment ("stagenet3").
pub const EARLIER_REWARDS_CONTRACT: &str = "0x4abfFB7f922767f22c7aa6524823d93FDDaB54b1";
/// RewardRatePool proxy of the earlier deployment.
pub const EARLIER_POOL_CONTRACT: &str = "0x38cD8D3F93d591C18cf26B3Be4CB2c872aC37953";

/// The two stagenet deployments; both on chain 421614.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deployment {
    /// "stagenet4", the current one and the default.
    Current,
    /// "stagenet3", the one in oxen-core's `dev` snapshot (Oct 2024).
    Earlier,
}

/// `0x` + 40 hex digits to an address at compile time.
const fn const_address(text: &str) -> Address {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let b = text.as_bytes();
    assert!(b.len() == 42 && b[0] == b'0' && b[1] == b'x');
    let mut out = [0u8; 20];
    let mut i = 0;
    while i < 20 {
        out[i] = nibble(b[2 + 2 * i]) << 4 | nibble(b[3 + 2 * i]);
        i += 1;
    }
    Address::new(out)
}

impl Deployment {
    /// The deployment whose rewards contract this is, if it is a known one.
    pub fn of_rewards_contract(rewards: Address) -> Option<Deployment> {
        [Deployment::Current, Deployment::Earlier]
            .into_iter()
            .find(|d| d.rewards_contract() == rewards)
    }

    /// ServiceNodeRewards proxy address.
    pub const fn rewards_contract(self) -> Address {
        match self {
            Deployment::Current => const_address(CURRENT_REWARDS_CONTRACT),
            Deployment::Earlier => const_address(EARLIER_REWARDS_CONTRACT),
        }
    }

    /// RewardRatePool proxy address.
    pub const fn pool_contract(self) -> Address {
        match self {
            Deployment::Current => const_address(CURRENT_POOL_CONTRACT),
            Deployment::Earlier => const_address(EARLIER_POOL_CONTRACT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_the_checksummed_constants() {
        for (d, rewards, pool) in [
            (
                Deployment::Current,
                CURRENT_REWARDS_CONTRACT,
                CURRENT_POOL_CONTRACT,
            ),
            (
                Deployment::Earlier,
                EARLIER_REWARDS_CONTRACT,
                EARLIER_POOL_CONTRACT,
            ),
        ] {
            assert_eq!(d.rewards_contract().to_checksum(None), rewards);
            assert_eq!(d.pool_contract().to_checksum(None), pool);
        }
    }
}
