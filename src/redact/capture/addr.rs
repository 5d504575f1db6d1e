//! Addresses in packet headers renamed through the redaction's one table: an IP address gets the stand-in its
//! text gets in the SIP (so headers and messages keep agreeing), a MAC address a locally administered one.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::base::fxhash::FxMap;
use crate::redact::{Category, Pseudonyms};

/// The stand-ins of the addresses met in headers so far, as bytes.
#[derive(Debug, Default)]
pub struct Renamer {
    v4: FxMap<[u8; 4], [u8; 4]>,
    v6: FxMap<[u8; 16], [u8; 16]>,
    mac: FxMap<[u8; 6], [u8; 6]>,
}

impl Renamer {
    pub fn v4(&mut self, names: &mut Pseudonyms, a: [u8; 4]) -> [u8; 4] {
        *self.v4.entry(a).or_insert_with(|| {
            // A stand-in that does not read back as an address is never written: 0.0.0.0 names no one.
            names
                .ipv4(a)
                .parse::<Ipv4Addr>()
                .map_or([0; 4], |s| s.octets())
        })
    }

    /// An IPv6 address gets the stand-in of the text the SIP wrote it as, in any of its usual spellings
    /// (`fec0::216:…`, `fec0:0:0:0:216:…`, `fec0:0000:…`); met first in a header, its RFC 5952 text's.
    pub fn v6(&mut self, names: &mut Pseudonyms, a: [u8; 16]) -> [u8; 16] {
        *self.v6.entry(a).or_insert_with(|| {
            let ip = Ipv6Addr::from(a);
            let groups = ip.segments();
            let spellings = [
                ip.to_string(),
                groups.map(|g| format!("{g:x}")).join(":"),
                groups.map(|g| format!("{g:04x}")).join(":"),
            ];
            let text = spellings
                .iter()
                .find(|t| names.known(Category::Addresses, t).is_some())
                .unwrap_or(&spellings[0]);
            names
                .ipv6(text)
                .parse::<Ipv6Addr>()
                .map_or([0; 16], |s| s.octets())
        })
    }

    /// Unicast MAC addresses → `02:00:00:00:00:01`, `02:00:00:00:00:02`, … (locally administered); broadcast,
    /// multicast and all-zero addresses name no machine and stay.
    pub fn mac(&mut self, names: &mut Pseudonyms, a: [u8; 6]) -> [u8; 6] {
        if a[0] & 1 == 1 || a == [0; 6] {
            return a;
        }
        *self.mac.entry(a).or_insert_with(|| {
            let text = a.map(|b| format!("{b:02x}")).join(":");
            let s = names.get(Category::Addresses, &text, |n| {
                let n = n.to_be_bytes();
                let [.., a, b, c] = n;
                format!("02:00:00:{a:02x}:{b:02x}:{c:02x}")
            });
            let mut out = [0u8; 6];
            let mut parts = s.split(':');
            for slot in &mut out {
                *slot = parts
                    .next()
                    .and_then(|p| u8::from_str_radix(p, 16).ok())
                    .unwrap_or(0);
            }
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Keep;

    #[test]
    fn headers_and_text_share_stand_ins() {
        let mut names = Pseudonyms::default();
        let mut r = Renamer::default();
        let text = names.ipv4([192, 168, 1, 3]);
        assert_eq!(r.v4(&mut names, [192, 168, 1, 3]), [10, 0, 0, 1]);
        assert_eq!(text, "10.0.0.1");
        let spelt = names.ipv6("fec0:0:0:0:216:d3ff:fe0d:22c");
        let ip: Ipv6Addr = "fec0::216:d3ff:fe0d:22c".parse().unwrap();
        let got = Ipv6Addr::from(r.v6(&mut names, ip.octets()));
        assert_eq!(got.to_string(), spelt);
        let m = r.mac(&mut names, [0x00, 0x1a, 0xa0, 0x07, 0x32, 0xe0]);
        assert_eq!(m[..3], [2, 0, 0]);
        assert_eq!(r.mac(&mut names, [0x00, 0x1a, 0xa0, 0x07, 0x32, 0xe0]), m);
        assert_eq!(r.mac(&mut names, [0xff; 6]), [0xff; 6]);
        // Kept addresses stay what they were.
        let keep = Keep::default().with(Category::Addresses);
        let mut names = Pseudonyms::keeping(keep);
        let mut r = Renamer::default();
        assert_eq!(r.v4(&mut names, [192, 168, 1, 3]), [192, 168, 1, 3]);
        assert_eq!(r.mac(&mut names, [0, 1, 2, 3, 4, 5]), [0, 1, 2, 3, 4, 5]);
    }
}
