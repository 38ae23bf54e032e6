//! The client's address: the peer, or — when the peer is a trusted proxy — the rightmost hop of
//! `Forwarded` / `X-Forwarded-For` that is not a trusted proxy, so clients cannot spoof it by
//! sending those headers themselves.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The address to record for a request from `peer` with these headers; `None` when a trusted
/// proxy forwarded a hop that is not an address (`unknown`, an obfuscated name).
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut hops = forwarded_hops(headers);
    let mut nearest = peer;
    // Walk from the proxy nearest to us towards the client.
    while let Some(hop) = hops.pop() {
        let ip = hop?;
        if !is_trusted(&ip) {
            return Some(ip);
        }
        nearest = ip;
    }
    // Every hop is a trusted proxy: the farthest one is the best we know.
    Some(nearest)
}

/// The forwarded hops, farthest first: `Forwarded`'s `for=` values if that header is present,
/// else `X-Forwarded-For`. `None` stands for a hop that is not an address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(name, _)| name.eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| parse_node(node.trim().trim_matches('"')))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|hop| parse_node(hop.trim()))
        .collect()
}

/// `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:80`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    node.parse()
        .ok()
        .or_else(|| node.rsplit_once(':')?.0.parse().ok())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn trusted() -> Vec<IpNet> {
        vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let claims = headers(&[("x-forwarded-for", "1.1.1.1"), ("forwarded", "for=2.2.2.2")]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &claims, &trusted()),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &claims, &[]),
            Some(ip("10.0.0.1")),
            "no proxy is trusted by default"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_wins() {
        // The client sent a fake hop first; our proxies appended the real ones.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.2")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &chain, &trusted()),
            Some(ip("198.51.100.7"))
        );
        let split = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.7:5555"),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &split, &trusted()),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn forwarded_is_preferred_and_understands_ipv6_and_ports() {
        let both = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            (
                "forwarded",
                "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.3",
            ),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &both, &trusted()),
            Some(ip("2001:db8:cafe::17"))
        );
        let unknown = headers(&[("forwarded", "for=unknown, for=10.0.0.3")]);
        assert_eq!(client_ip(ip("10.0.0.1"), &unknown, &trusted()), None);
        let only_proxies = headers(&[("x-forwarded-for", "10.0.0.9, 10.0.0.3")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &only_proxies, &trusted()),
            Some(ip("10.0.0.9"))
        );
    }
}
