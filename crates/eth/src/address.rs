//! Ethereum addresses as operators type them: `0x` + 40 hex digits, with the
//! EIP-55 checksum checked when the letters are of mixed case (alloy-primitives
//! does the checksum).

use alloy_primitives::Address;

/// Why a text is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not `0x` followed by 40 hex digits.
    #[error("expected 0x followed by 40 hex digits")]
    Format,
    /// Mixed case that is not the EIP-55 checksum.
    #[error("the EIP-55 checksum (its upper/lower case letters) does not match")]
    Checksum,
    /// `0X…`: upper-case prefix.
    #[error("the prefix must be a lowercase 0x")]
    Prefix,
}

/// Parses `0x` + 40 hex digits. All-lowercase and all-uppercase digits are
/// accepted as they are; mixed case must be the EIP-55 checksum. `0X` is
/// refused ([`AddressError::Prefix`]) as the staking backend refuses it.
pub fn parse_address(text: &str) -> Result<Address, AddressError> {
    let digits = match text.get(..2) {
        Some("0x") => &text[2..],
        Some("0X") => {
            let digits = &text[2..];
            return Err(if is_hex40(digits) {
                AddressError::Prefix
            } else {
                AddressError::Format
            });
        }
        _ => return Err(AddressError::Format),
    };
    if !is_hex40(digits) {
        return Err(AddressError::Format);
    }
    let mut bytes = [0u8; 20];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| AddressError::Format)?;
    let address = Address::new(bytes);
    let lower = digits.bytes().all(|c| !c.is_ascii_uppercase());
    let upper = digits.bytes().all(|c| !c.is_ascii_lowercase());
    if !(lower || upper) && address.to_checksum(None)[2..] != *digits {
        return Err(AddressError::Checksum);
    }
    Ok(address)
}

fn is_hex40(digits: &str) -> bool {
    digits.len() == 40 && digits.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The EIP-55 form, `0x` included.
pub fn checksummed(address: &Address) -> String {
    address.to_checksum(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55() {
        let good = "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35";
        let a = parse_address(good).unwrap();
        assert_eq!(checksummed(&a), good);
        assert_eq!(parse_address(&good.to_ascii_lowercase()), Ok(a));
        assert_eq!(
            parse_address(&format!("0x{}", good[2..].to_ascii_uppercase())),
            Ok(a)
        );
        assert_eq!(
            parse_address("0x9d8ab00880CBBdc2Dcd29C179779469A82E7be35"),
            Err(AddressError::Checksum)
        );
        assert_eq!(
            parse_address(&good.replacen("0x", "0X", 1)),
            Err(AddressError::Prefix)
        );
        for bad in [
            "",
            "9d8aB00880CBBdc2Dcd29C179779469A82E7be35",
            "0x9d8a",
            " 0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35",
            "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be3g",
        ] {
            assert_eq!(parse_address(bad), Err(AddressError::Format), "{bad}");
        }
    }
}
