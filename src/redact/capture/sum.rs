//! The Internet checksum (RFC 1071) of IPv4 headers, UDP and TCP, and its incremental update (RFC 1624) for a
//! packet whose payload is not all in the capture.

/// A ones' complement sum of 16-bit big-endian words, folded at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sum(u64);

impl Sum {
    /// Add `bytes` as words; an odd last byte is the high half of a word (only the last part may be odd).
    pub fn add(self, bytes: &[u8]) -> Sum {
        let mut s = self.0;
        let mut words = bytes.chunks_exact(2);
        for w in &mut words {
            s += u64::from(u16::from_be_bytes([w[0], w[1]]));
        }
        if let [last] = words.remainder() {
            s += u64::from(*last) << 8;
        }
        Sum(s)
    }

    /// The sum folded to 16 bits.
    pub fn fold(self) -> u16 {
        let mut s = self.0;
        while s > 0xFFFF {
            s = (s & 0xFFFF) + (s >> 16);
        }
        s as u16
    }

    /// The checksum field that makes the whole sum come to 0xFFFF.
    pub fn checksum(self) -> u16 {
        !self.fold()
    }
}

/// The checksum field after the words summed in `old` became those summed in `new`, the rest unchanged
/// (RFC 1624, equation 3: HC' = ~(~HC + ~m + m')).
pub fn update(field: u16, old: Sum, new: Sum) -> u16 {
    Sum(u64::from(!field) + u64::from(!old.fold()) + u64::from(new.fold())).checksum()
}

/// The pseudo-header of a UDP or TCP checksum: the IP header's addresses (IPv4 at 12 and 16, IPv6 at 8 and
/// 24), the protocol and the upper-layer length.
pub fn pseudo(ip: &[u8], v6: bool, proto: u8, len: usize) -> Sum {
    let s = Sum::default();
    if v6 {
        s.add(ip.get(8..40).unwrap_or(&[]))
            .add(&(len as u32).to_be_bytes())
            .add(&[0, 0, 0, proto])
    } else {
        s.add(ip.get(12..20).unwrap_or(&[]))
            .add(&[0, proto])
            .add(&(len as u16).to_be_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_1071_example_and_incremental_update() {
        // The IPv4 header of RFC 1071's usual worked example (checksum field 0xB861).
        let mut h = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xC0, 0xA8,
            0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7,
        ];
        assert_eq!(Sum::default().add(&h).checksum(), 0xB861);
        h[10..12].copy_from_slice(&0xB861u16.to_be_bytes());
        assert_eq!(Sum::default().add(&h).fold(), 0xFFFF);
        // Change the destination: the update agrees with a full computation.
        let old = Sum::default().add(&h[16..20]);
        h[16..20].copy_from_slice(&[10, 0, 0, 1]);
        let new = Sum::default().add(&h[16..20]);
        let updated = update(0xB861, old, new);
        h[10..12].copy_from_slice(&[0, 0]);
        assert_eq!(updated, Sum::default().add(&h).checksum());
        assert_eq!(Sum::default().add(&[1, 2, 3]).fold(), 0x0402);
    }
}
