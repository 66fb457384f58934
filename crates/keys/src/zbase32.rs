//! z-base-32 as Lokinet uses it for `.snode` addresses (docs/compat/keys.md): alphabet
//! `ybndrfg8ejkmcpqxot1uwisza345h769`, bits taken MSB first, the last partial
//! group left-aligned and zero-padded, no padding characters.

const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Encodes `data` in z-base-32 (52 characters for 32 bytes).
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &byte in data {
        acc = (acc << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn lengths_and_padding() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0]), "yy");
        assert_eq!(encode(&[0xff]), "9h");
        assert_eq!(encode(&[0u8; 32]).len(), 52);
    }
}
