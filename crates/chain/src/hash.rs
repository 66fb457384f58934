//! `cn_fast_hash` (Keccak-256 with the original padding, not SHA3) and the CryptoNote
//! transaction tree hash used in block ids.

use sha3::{Digest, Keccak256};

pub type Hash = [u8; 32];

pub fn cn_fast_hash(data: &[u8]) -> Hash {
    Keccak256::digest(data).into()
}

fn hash_pair(a: &Hash, b: &Hash) -> Hash {
    let mut h = Keccak256::new();
    h.update(a);
    h.update(b);
    h.finalize().into()
}

/// oxen-core `tree_hash`: 0 hashes give zeros, 1 gives itself, 2 their hash; otherwise the
/// leaves beyond the largest power of two below `count` are paired first.
pub fn tree_hash(hashes: &[Hash]) -> Hash {
    match hashes.len() {
        0 => [0u8; 32],
        1 => hashes[0],
        2 => hash_pair(&hashes[0], &hashes[1]),
        count => {
            let mut cnt = 2usize;
            while cnt < count {
                cnt <<= 1;
            }
            cnt >>= 1;
            let mut ints: Vec<Hash> = Vec::with_capacity(cnt);
            let direct = 2 * cnt - count;
            ints.extend_from_slice(&hashes[..direct]);
            let mut i = direct;
            while ints.len() < cnt {
                ints.push(hash_pair(&hashes[i], &hashes[i + 1]));
                i += 2;
            }
            while cnt > 2 {
                cnt >>= 1;
                for j in 0..cnt {
                    let h = hash_pair(&ints[2 * j], &ints[2 * j + 1]);
                    ints[j] = h;
                }
            }
            hash_pair(&ints[0], &ints[1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak_of_empty_is_the_original_keccak() {
        assert_eq!(
            hex::encode(cn_fast_hash(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }

    #[test]
    fn tree_hash_of_three_and_five_pairs_the_tail_first() {
        let h: Vec<Hash> = (0u8..5).map(|i| [i; 32]).collect();
        let three = tree_hash(&h[..3]);
        assert_eq!(three, hash_pair(&h[0], &hash_pair(&h[1], &h[2])));
        let five = tree_hash(&h);
        let l = [h[0], h[1], h[2], hash_pair(&h[3], &h[4])];
        assert_eq!(
            five,
            hash_pair(&hash_pair(&l[0], &l[1]), &hash_pair(&l[2], &l[3]))
        );
        assert_eq!(
            tree_hash(&h[..4]),
            hash_pair(&hash_pair(&h[0], &h[1]), &hash_pair(&h[2], &h[3]))
        );
    }
}
