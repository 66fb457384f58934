//! Helpers shared by the integration tests.

use snode_chain::wire::put_varint;

/// A minimal HF7 block blob at `height` on `prev`: a v1 coinbase with no outputs, no txs.
pub fn block_blob(height: u64, prev: [u8; 32], ts: u64) -> Vec<u8> {
    let mut b = vec![7u8, 7];
    put_varint(&mut b, ts);
    b.extend_from_slice(&prev);
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&[1, 0, 1, 0xff]);
    put_varint(&mut b, height);
    b.extend_from_slice(&[0, 0, 0]); // no outputs, empty extra, no tx hashes
    b
}
