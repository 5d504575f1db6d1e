//! Addresses in queries (`ip:`): a host, a `host:port`, or an IPv4 network in CIDR form, matched against either
//! end of a message.

use std::net::Ipv4Addr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A host (an IP address or a name) on any port, compared without case.
    Host(String),
    /// A host and port, as the log writes endpoints.
    HostPort(String),
    /// An IPv4 network: address and prefix length.
    Net(u32, u8),
}

impl Address {
    pub fn parse(v: &str) -> Result<Address, String> {
        let v = v.trim();
        if v.is_empty() {
            return Err("an address is missing".into());
        }
        if let Some((ip, bits)) = v.split_once('/') {
            let ip: Ipv4Addr = ip
                .parse()
                .map_err(|_| format!("{ip:?} is not an IPv4 address"))?;
            let bits: u8 = bits
                .parse()
                .ok()
                .filter(|b| *b <= 32)
                .ok_or_else(|| format!("/{bits} is not a prefix length (0 to 32)"))?;
            return Ok(Address::Net(u32::from(ip) & mask(bits), bits));
        }
        let lower = v.to_ascii_lowercase();
        // `[v6]:port` and `v4:port` have a port; a bare IPv6 address has colons but no brackets.
        let has_port = lower.starts_with('[') && lower.contains("]:")
            || (lower.matches(':').count() == 1 && !lower.starts_with('['));
        Ok(if has_port {
            Address::HostPort(lower)
        } else {
            Address::Host(
                lower
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string(),
            )
        })
    }

    /// Whether the endpoint `host:port` (as messages name their ends) is this address.
    pub fn matches(&self, endpoint: &str) -> bool {
        let (host, _) = split(endpoint);
        match self {
            Address::Host(h) => host.eq_ignore_ascii_case(h),
            Address::HostPort(hp) => endpoint.eq_ignore_ascii_case(hp),
            Address::Net(net, bits) => host
                .parse::<Ipv4Addr>()
                .is_ok_and(|ip| u32::from(ip) & mask(*bits) == *net),
        }
    }
}

fn mask(bits: u8) -> u32 {
    if bits == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(bits))
    }
}

/// `10.0.0.1:5061` → (`10.0.0.1`, `5061`); `[2001:db8::1]:5061` → (`2001:db8::1`, `5061`); no port → ("…", "").
fn split(endpoint: &str) -> (&str, &str) {
    if let Some(rest) = endpoint.strip_prefix('[') {
        return match rest.split_once("]:") {
            Some((h, p)) => (h, p),
            None => (rest.trim_end_matches(']'), ""),
        };
    }
    match endpoint.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p),
        _ => (endpoint, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ports_and_networks() {
        let a = Address::parse("10.0.0.7").unwrap();
        assert!(
            a.matches("10.0.0.7:5061") && a.matches("10.0.0.7") && !a.matches("10.0.0.70:5061")
        );
        let a = Address::parse("192.168.1.51:51882").unwrap();
        assert!(a.matches("192.168.1.51:51882") && !a.matches("192.168.1.51:5061"));
        let a = Address::parse("10.0.0.0/8").unwrap();
        assert!(
            a.matches("10.200.1.2:5060")
                && !a.matches("11.0.0.1:5060")
                && !a.matches("fe01.contoso.com:5061")
        );
        assert!(Address::parse("0.0.0.0/0").unwrap().matches("8.8.8.8:53"));
        let a = Address::parse("FE01.contoso.com").unwrap();
        assert!(a.matches("fe01.contoso.com:5061"));
        let a = Address::parse("2001:db8::1").unwrap();
        assert!(a.matches("[2001:db8::1]:5061") && a.matches("2001:db8::1"));
        let a = Address::parse("[2001:db8::1]:5061").unwrap();
        assert!(a.matches("[2001:db8::1]:5061") && !a.matches("[2001:db8::1]:5062"));
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "x/8"] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }
}
