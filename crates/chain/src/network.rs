//! Per-network constants carried over from oxen-core `network_config/*.h`: the p2p network id,
//! default ports, and the genesis transaction and nonce from which the genesis block is built.

use crate::block::Block;
use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Mainnet,
    Testnet,
    Stagenet,
    Devnet,
    /// `--regtest` (fakechain): mainnet's network id and genesis.
    Regtest,
}

const MAINNET_ID: [u8; 16] = [
    0x46, 0x61, 0x72, 0x62, 0x61, 0x75, 0x74, 0x69, 0x2a, 0x4c, 0x61, 0x75, 0x66, 0x65, 0x79, 0x00,
];
const TESTNET_ID: [u8; 16] = [
    0x22, 0x3a, 0x78, 0x65, 0xe1, 0x6f, 0xca, 0xb8, 0x02, 0xa1, 0xdc, 0x17, 0x61, 0x64, 0x15, 0xbe,
];
const STAGENET_ID: [u8; 16] = [
    0x42, 0x6c, 0x6c, 0x79, 0x6f, 0x75, 0x72, 0x53, 0x45, 0x4e, 0x54, 0x61, 0x72, 0x65, 0x62, 0x65,
];
const DEVNET_ID: [u8; 16] = [
    0x03, 0xf7, 0x5c, 0x7d, 0x5d, 0x17, 0xcb, 0x6b, 0x1b, 0xf4, 0x63, 0x79, 0x7a, 0x57, 0xab, 0xd5,
];

const MAINNET_GENESIS_TX: &str = concat!(
    "021e01ff000380808d93f5d771027c4fd4553bc9886f1f49e3f76d945bf71e8632a94e6c177b19cbc7",
    "80e7e6bdb48080b4ccd4dfc60302c8b9f6461f58ef3f2107e577c7425d06af584a1c7482bf19060e84",
    "059c98b4c3808088fccdbcc32302732b53b0b0db706fcc3087074fb4b786da5ab72b2065699f945344",
    "8b0db27f892101ed71f2ce3fc70d7b2036f8a4e4b3fb75c66c12184b55a908e7d1a1d6995566cf00",
);
/// Shared by testnet, stagenet and devnet.
const TEST_GENESIS_TX: &str = concat!(
    "04011e1e01ff00018080c9db97f4fb2702fa27e905f604faa4eb084ee675faca77b0cfea9adec1526d",
    "a33cae5e286f31624201dae05bf3fa1662b7fd373c92426763d921cf3745e10ee43edb510f690c656f",
    "247200000000000000000000000000000000000000000000000000000000000000000000",
);

impl Network {
    pub fn name(self) -> &'static str {
        match self {
            Network::Mainnet => "mainnet",
            Network::Testnet => "testnet",
            Network::Stagenet => "stagenet",
            Network::Devnet => "devnet",
            Network::Regtest => "regtest",
        }
    }

    pub fn network_id(self) -> [u8; 16] {
        match self {
            Network::Mainnet | Network::Regtest => MAINNET_ID,
            Network::Testnet => TESTNET_ID,
            Network::Stagenet => STAGENET_ID,
            Network::Devnet => DEVNET_ID,
        }
    }

    pub fn default_p2p_port(self) -> u16 {
        match self {
            Network::Mainnet | Network::Regtest => 22022,
            Network::Stagenet => 11022,
            Network::Testnet => 38156,
            Network::Devnet => 38856,
        }
    }

    fn genesis_tx_hex(self) -> &'static str {
        match self {
            Network::Mainnet | Network::Regtest => MAINNET_GENESIS_TX,
            _ => TEST_GENESIS_TX,
        }
    }

    fn genesis_nonce(self) -> u32 {
        match self {
            Network::Mainnet | Network::Regtest => 1_022_201,
            _ => 12345,
        }
    }

    /// The genesis block blob as `generate_genesis_block` builds it: major and minor version 7,
    /// timestamp 0, null prev id, the network's nonce, the hard-coded miner tx, no other txs.
    pub fn genesis_blob(self) -> Vec<u8> {
        let mut b = vec![7u8, 7, 0];
        b.extend_from_slice(&[0u8; 32]);
        b.extend_from_slice(&self.genesis_nonce().to_le_bytes());
        b.extend(hex::decode(self.genesis_tx_hex()).expect("genesis tx constant is hex"));
        b.push(0); // no tx hashes
        b
    }

    pub fn genesis(self) -> Result<Block, ParseError> {
        Block::parse(&self.genesis_blob())
    }

    /// Hard-coded checkpoints (height, block id) oxend enforces for this network. Only mainnet
    /// carries any; the others rely on service-node checkpoints, which stage 1 does not track.
    pub fn checkpoints(self) -> &'static [(u64, &'static str)] {
        match self {
            Network::Mainnet => MAINNET_CHECKPOINTS,
            _ => &[],
        }
    }
}

/// oxen-core `HARDCODED_MAINNET_CHECKPOINTS`.
const MAINNET_CHECKPOINTS: &[(u64, &str)] = &[
    (
        0,
        "08ff156d993012b0bdf2816c4bee47c9bbc7930593b70ee02574edddf15ee933",
    ),
    (
        1,
        "647997953a5ea9b5ab329c2291d4cbb08eed587c287e451eeeb2c79bab9b940f",
    ),
    (
        10,
        "4a7cd8b9bff380d48d6f3533a5e0509f8589cc77d18218b3f7218846e77738fc",
    ),
    (
        100,
        "01b8d33a50713ff837f8ad7146021b8e3060e0316b5e4afc407e46cdb50b6760",
    ),
    (
        1000,
        "5e3b0a1f931885bc0ab1d6ecdc625816576feae29e2f9ac94c5ccdbedb1465ac",
    ),
    (
        86535,
        "52b7c5a60b97bf1efbf0d63a0aa1a313e8f0abe4627eb354b0c5a73cb1f4391e",
    ),
    (
        97407,
        "504af73abbaba85a14ddc16634658bf4dcc241dc288b1eaad09e216836b71023",
    ),
    (
        98552,
        "2058d5c675bd91284f4996435593499c9ab84a5a0f569f57a86cde2e815e57da",
    ),
    (
        144650,
        "a1ab207afc790675070ecd7aac874eb0691eb6349ea37c44f8f58697a5d6cbc4",
    ),
    (
        266284,
        "c42801a37a41e3e9f934a266063483646072a94bfc7269ace178e93c91414b1f",
    ),
    (
        301187,
        "e23e4cf3a2fe3e9f0ffced5cc76426e5bdffd3aad822268f4ad63d82cb958559",
    ),
];
