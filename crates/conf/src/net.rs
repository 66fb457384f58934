//! Which IPv4 addresses can be a service node's public address (docs/compat/config.md item 4,
//! widened by our decision to reject every non-routable range, README "public IP").

use std::net::Ipv4Addr;

/// Parses a dotted-quad IPv4 address (no leading zeros, no shorthand), trimmed of
/// surrounding ASCII blanks.
pub fn parse_ipv4(text: &str) -> Option<Ipv4Addr> {
    text.trim_matches(|c: char| c.is_ascii_whitespace())
        .parse()
        .ok()
}

/// `None` when `ip` is publicly routable; otherwise the name of the range that
/// excludes it, e.g. `"private network 10.0.0.0/8, RFC 1918"`.
pub fn non_public_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let reason = match (a, b, c) {
        (0, _, _) => "\"this network\" 0.0.0.0/8, not an address of this host on the internet",
        (10, _, _) => "private network 10.0.0.0/8, RFC 1918",
        (100, 64..=127, _) => "carrier-grade NAT 100.64.0.0/10, RFC 6598",
        (127, _, _) => "loopback 127.0.0.0/8",
        (169, 254, _) => "link-local 169.254.0.0/16",
        (172, 16..=31, _) => "private network 172.16.0.0/12, RFC 1918",
        (192, 0, 0) => "IETF protocol assignments 192.0.0.0/24, RFC 6890",
        (192, 0, 2) => "documentation range 192.0.2.0/24, RFC 5737",
        (192, 88, 99) => "reserved 6to4 relay anycast 192.88.99.0/24, RFC 7526",
        (192, 168, _) => "private network 192.168.0.0/16, RFC 1918",
        (198, 18..=19, _) => "benchmarking range 198.18.0.0/15, RFC 2544",
        (198, 51, 100) => "documentation range 198.51.100.0/24, RFC 5737",
        (203, 0, 113) => "documentation range 203.0.113.0/24, RFC 5737",
        (224..=239, _, _) => "multicast 224.0.0.0/4",
        (240..=255, _, _) => "reserved 240.0.0.0/4, includes broadcast 255.255.255.255",
        _ => return None,
    };
    Some(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.0.1",
        ];
        for ip in public {
            assert_eq!(non_public_reason(ip.parse().unwrap()), None, "{ip}");
        }
        let non_public = [
            "0.0.0.0",
            "10.0.0.5",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "169.254.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.7",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.255",
        ];
        for ip in non_public {
            assert!(non_public_reason(ip.parse().unwrap()).is_some(), "{ip}");
        }
    }

    #[test]
    fn strict_parse() {
        assert_eq!(parse_ipv4(" 1.2.3.4\n"), Some(Ipv4Addr::new(1, 2, 3, 4)));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "256.1.1.1",
            "::1",
            "1.2.3.4:80",
        ] {
            assert_eq!(parse_ipv4(bad), None, "{bad}");
        }
    }
}
