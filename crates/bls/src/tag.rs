//! Networks and tag hashes (docs/compat/bls.md).
//!
//! Every BLS tag is `keccak256(base_tag ‖ u256_be(chain_id) ‖ contract_address)`,
//! which is Solidity's `keccak256(abi.encodePacked(string, block.chainid,
//! address(this)))`. The chain id and the ServiceNodeRewards address are data
//! ([`Network`]), never buried constants: a PoP made for one stagenet contract
//! is rejected by the other.

use sha3::{Digest, Keccak256};

use crate::Error;

/// Keccak-256 (Ethereum's, not SHA3-256) of `data`.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// Arbitrum Sepolia, the L2 of Session stagenet (docs/compat/bls.md).
pub const ARBITRUM_SEPOLIA_CHAIN_ID: u64 = 421_614;

/// The chain and the ServiceNodeRewards contract whose tags a signature is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network {
    /// The L2 chain id (`block.chainid` in the contract).
    pub chain_id: u64,
    /// The ServiceNodeRewards proxy address (`address(this)` in the contract).
    pub rewards_contract: [u8; 20],
}

impl Network {
    /// The current stagenet ("stagenet4") contract
    /// `0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35` on Arbitrum Sepolia; the default.
    pub const STAGENET: Network = Network::new(
        ARBITRUM_SEPOLIA_CHAIN_ID,
        const_address("9d8aB00880CBBdc2Dcd29C179779469A82E7be35"),
    );

    /// The earlier stagenet ("stagenet3") contract
    /// `0x4abfFB7f922767f22c7aa6524823d93FDDaB54b1` on Arbitrum Sepolia.
    pub const STAGENET3: Network = Network::new(
        ARBITRUM_SEPOLIA_CHAIN_ID,
        const_address("4abfFB7f922767f22c7aa6524823d93FDDaB54b1"),
    );

    /// A network from its chain id and rewards-contract address.
    pub const fn new(chain_id: u64, rewards_contract: [u8; 20]) -> Self {
        Network {
            chain_id,
            rewards_contract,
        }
    }

    /// Stagenet's chain (Arbitrum Sepolia) with the rewards contract given as
    /// `0x` + 40 hex digits (see [`parse_address`]).
    pub fn stagenet_with_contract(address: &str) -> Result<Self, Error> {
        Ok(Network::new(
            ARBITRUM_SEPOLIA_CHAIN_ID,
            parse_address(address)?,
        ))
    }

    /// The 32-byte tag hash for `tag` on this network.
    pub fn tag(&self, tag: Tag) -> [u8; 32] {
        let base = tag.base();
        let mut preimage = Vec::with_capacity(base.len() + 32 + 20);
        preimage.extend_from_slice(base);
        preimage.extend_from_slice(&[0u8; 24]);
        preimage.extend_from_slice(&self.chain_id.to_be_bytes());
        preimage.extend_from_slice(&self.rewards_contract);
        keccak256(&preimage)
    }
}

impl Default for Network {
    /// [`Network::STAGENET`], the current stagenet contract.
    fn default() -> Self {
        Network::STAGENET
    }
}

/// The base tags of oxen's `eth::tag` and the contract's `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// `BLS_SIG_TRYANDINCREMENT_POP`: proof of possession at registration.
    ProofOfPossession,
    /// `BLS_SIG_TRYANDINCREMENT_REWARD`: reward balance updates.
    Reward,
    /// `BLS_SIG_TRYANDINCREMENT_EXIT`: exits.
    Exit,
    /// `BLS_SIG_TRYANDINCREMENT_LIQUIDATE`: liquidations.
    Liquidate,
    /// `BLS_SIG_HASH_TO_FIELD_TAG`: the DST of expand_message_xmd.
    HashToG2,
}

impl Tag {
    /// All tags, in the order above.
    pub const ALL: [Tag; 5] = [
        Tag::ProofOfPossession,
        Tag::Reward,
        Tag::Exit,
        Tag::Liquidate,
        Tag::HashToG2,
    ];

    /// The raw ASCII base tag (no length prefix, no NUL).
    pub const fn base(self) -> &'static [u8] {
        match self {
            Tag::ProofOfPossession => b"BLS_SIG_TRYANDINCREMENT_POP",
            Tag::Reward => b"BLS_SIG_TRYANDINCREMENT_REWARD",
            Tag::Exit => b"BLS_SIG_TRYANDINCREMENT_EXIT",
            Tag::Liquidate => b"BLS_SIG_TRYANDINCREMENT_LIQUIDATE",
            Tag::HashToG2 => b"BLS_SIG_HASH_TO_FIELD_TAG",
        }
    }
}

/// Parses an Ethereum address: `0x` followed by exactly 40 hex digits.
/// All-lowercase and all-uppercase digits are accepted as they are; a
/// mixed-case address must carry a valid EIP-55 checksum, since a wrong one
/// almost always means a typo.
///
/// The prefix must be a lowercase `0x`: the staking backend requires
/// `0x[0-9a-fA-F]{40}` (docs/compat/rpc-and-client.md "Server side"), so `0X…` is
/// refused here ([`Error::AddressPrefix`]) rather than accepted locally and
/// rejected later.
pub fn parse_address(text: &str) -> Result<[u8; 20], Error> {
    if text.starts_with("0X") {
        return Err(Error::AddressPrefix);
    }
    let digits = text
        .strip_prefix("0x")
        .ok_or(Error::AddressFormat)?
        .as_bytes();
    if digits.len() != 40 {
        return Err(Error::AddressFormat);
    }
    let mut out = [0u8; 20];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let hi = hex_value(pair[0]).ok_or(Error::AddressFormat)?;
        let lo = hex_value(pair[1]).ok_or(Error::AddressFormat)?;
        out[i] = (hi << 4) | lo;
    }
    let has_upper = digits.iter().any(u8::is_ascii_uppercase);
    let has_lower = digits.iter().any(u8::is_ascii_lowercase);
    if has_upper && has_lower && digits != checksum_digits(&out) {
        return Err(Error::AddressChecksum);
    }
    Ok(out)
}

/// The EIP-55 mixed-case form of `address`, with its `0x` prefix.
pub fn to_checksum_address(address: &[u8; 20]) -> String {
    let digits = checksum_digits(address);
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    out.extend(digits.iter().map(|&b| char::from(b)));
    out
}

/// The 40 EIP-55 digits: a letter is uppercase iff the matching nibble of
/// keccak256(lowercase hex) is 8 or more.
fn checksum_digits(address: &[u8; 20]) -> [u8; 40] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut lower = [0u8; 40];
    for (i, byte) in address.iter().enumerate() {
        lower[2 * i] = HEX[usize::from(byte >> 4)];
        lower[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
    }
    let hash = keccak256(&lower);
    let mut out = lower;
    for (i, digit) in out.iter_mut().enumerate() {
        let nibble = if i % 2 == 0 {
            hash[i / 2] >> 4
        } else {
            hash[i / 2] & 0x0f
        };
        if nibble >= 8 {
            digit.make_ascii_uppercase();
        }
    }
    out
}

pub(crate) const fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Compile-time address literal (40 hex digits, no prefix); used only for the
/// constants above, so a typo is a build error.
const fn const_address(digits: &str) -> [u8; 20] {
    let d = digits.as_bytes();
    assert!(d.len() == 40, "address literal must have 40 hex digits");
    let mut out = [0u8; 20];
    let mut i = 0;
    while i < 20 {
        let (Some(hi), Some(lo)) = (hex_value(d[2 * i]), hex_value(d[2 * i + 1])) else {
            panic!("address literal is not hex");
        };
        out[i] = (hi << 4) | lo;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak_is_not_sha3() {
        // docs/compat/bls.md check value.
        assert_eq!(
            hex::encode(keccak256(b"hello world!")),
            "57caa176af1ac0433c5df30e8dabcd2ec1af1e92a26eced5f719b88458777cd6"
        );
    }

    #[test]
    fn pop_preimage_layout() {
        // The 79-byte stagenet4 PoP preimage of docs/compat/bls.md
        let mut pre =
            hex::decode("424c535f5349475f545259414e44494e4352454d454e545f504f50").unwrap();
        pre.extend_from_slice(&hex::decode(format!("{:064x}", 0x66eee)).unwrap());
        pre.extend_from_slice(&hex::decode("9d8ab00880cbbdc2dcd29c179779469a82e7be35").unwrap());
        assert_eq!(pre.len(), 79);
        assert_eq!(
            Network::STAGENET.tag(Tag::ProofOfPossession),
            keccak256(&pre)
        );
    }

    #[test]
    fn address_parsing() {
        let a = parse_address("0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35").unwrap();
        assert_eq!(a, Network::STAGENET.rewards_contract);
        assert_eq!(
            parse_address("0x9d8ab00880cbbdc2dcd29c179779469a82e7be35"),
            Ok(a)
        );
        assert_eq!(
            parse_address("0x9D8AB00880CBBDC2DCD29C179779469A82E7BE35"),
            Ok(a)
        );
        // The staking backend only takes a lowercase `0x` prefix.
        for upper_prefix in [
            "0X9D8AB00880CBBDC2DCD29C179779469A82E7BE35",
            "0X9d8aB00880CBBdc2Dcd29C179779469A82E7be35",
            "0X",
        ] {
            assert_eq!(
                parse_address(upper_prefix),
                Err(Error::AddressPrefix),
                "{upper_prefix}"
            );
        }
        assert_eq!(
            to_checksum_address(&a),
            "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35"
        );
        // One letter's case flipped: checksum error.
        assert_eq!(
            parse_address("0x9d8ab00880CBBdc2Dcd29C179779469A82E7be35"),
            Err(Error::AddressChecksum)
        );
        for bad in [
            "",
            "0x",
            "9d8aB00880CBBdc2Dcd29C179779469A82E7be35",
            "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be3",
            "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be355",
            "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be3g",
            " 0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35",
            "0x9d8aB00880CBBdc2Dcd29C179779469A82E7bé",
        ] {
            assert_eq!(parse_address(bad), Err(Error::AddressFormat), "{bad:?}");
        }
        assert_eq!(
            Network::stagenet_with_contract("0x4abfFB7f922767f22c7aa6524823d93FDDaB54b1"),
            Ok(Network::STAGENET3)
        );
        assert_eq!(Network::default(), Network::STAGENET);
    }
}
