//! Packet builders for tests that write captures by hand (IPv4, UDP, TCP headers; checksums left 0, which
//! sipscope, like most readers of captures, does not check).

/// An IPv4 header (no options) around `payload`: `frag` is the flags and fragment offset field.
pub fn ipv4_raw(
    src: [u8; 4],
    dst: [u8; 4],
    proto: u8,
    id: u16,
    frag: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut v = vec![0x45, 0];
    v.extend((20 + payload.len() as u16).to_be_bytes());
    v.extend(id.to_be_bytes());
    v.extend(frag.to_be_bytes());
    v.extend([64, proto, 0, 0]);
    v.extend(src);
    v.extend(dst);
    v.extend_from_slice(payload);
    v
}

/// A UDP header around `payload`.
pub fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = sport.to_be_bytes().to_vec();
    v.extend(dport.to_be_bytes());
    v.extend((8 + payload.len() as u16).to_be_bytes());
    v.extend([0, 0]);
    v.extend_from_slice(payload);
    v
}

/// A TCP header (no options, window 65535) around `payload`.
pub fn tcp(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = sport.to_be_bytes().to_vec();
    v.extend(dport.to_be_bytes());
    v.extend(seq.to_be_bytes());
    v.extend(ack.to_be_bytes());
    v.extend([0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]);
    v.extend_from_slice(payload);
    v
}
