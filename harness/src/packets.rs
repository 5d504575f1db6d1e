//! Packet builders for tests that write captures by hand (Ethernet, IPv4, IPv6, UDP, TCP headers; checksums left
//! 0, which sipscope, like most readers of captures, does not check), and the pcap and pcapng files around them;
//! `import_capture` reads one back as the tests do.

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

/// A pcap file (µs timestamps): packets at 1_700_000_000 s + i × 10 ms.
pub fn pcap_file(linktype: u32, packets: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(0xA1B2_C3D4u32.to_le_bytes());
    v.extend([2, 0, 4, 0]);
    v.extend([0u8; 8]);
    v.extend(262_144u32.to_le_bytes());
    v.extend(linktype.to_le_bytes());
    for (i, p) in packets.iter().enumerate() {
        v.extend(1_700_000_000u32.to_le_bytes());
        v.extend((i as u32 * 10_000).to_le_bytes());
        v.extend((p.len() as u32).to_le_bytes());
        v.extend((p.len() as u32).to_le_bytes());
        v.extend_from_slice(p);
    }
    v
}

/// A pcapng block (little-endian): type, total length, body padded to 4 bytes, total length again.
pub fn ng_block(kind: u32, body: &[u8]) -> Vec<u8> {
    ng_block_in(true, kind, body)
}

fn word(le: bool, v: u32) -> [u8; 4] {
    if le {
        v.to_le_bytes()
    } else {
        v.to_be_bytes()
    }
}

/// A pcapng block in either byte order (`le`: little-endian).
pub fn ng_block_in(le: bool, kind: u32, body: &[u8]) -> Vec<u8> {
    let len = 12 + body.len().div_ceil(4) * 4;
    let mut v = word(le, kind).to_vec();
    v.extend(word(le, len as u32));
    v.extend_from_slice(body);
    v.resize(len - 4, 0);
    v.extend(word(le, len as u32));
    v
}

/// pcapng options in either byte order: each code, length, value padded to 4 bytes, then the end of options.
pub fn ng_options(le: bool, options: &[(u16, &[u8])]) -> Vec<u8> {
    let half = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    let mut v = Vec::new();
    for (code, value) in options {
        v.extend(half(*code));
        v.extend(half(value.len() as u16));
        v.extend_from_slice(value);
        v.resize(v.len().div_ceil(4) * 4, 0);
    }
    if !options.is_empty() {
        v.extend([0; 4]);
    }
    v
}

/// The options and extra blocks a pcapng file made from a pcap file gets.
#[derive(Debug, Default)]
pub struct NgExtras<'a> {
    pub section: &'a [(u16, &'a [u8])],
    pub interface: &'a [(u16, &'a [u8])],
    /// The first packet's options.
    pub packet: &'a [(u16, &'a [u8])],
    /// Blocks (type, body) written after the interface.
    pub blocks: &'a [(u32, Vec<u8>)],
}

/// The pcap file `pcap` (either byte order, µs or ns) as pcapng in the byte order `le`: one section, one interface
/// of the pcap's link type and snapshot length (nanosecond files say so with `if_tsresol`), each record an
/// enhanced packet block with the same time, lengths and bytes.
pub fn pcapng_from_pcap(pcap: &[u8], le: bool, extras: &NgExtras<'_>) -> Vec<u8> {
    let file_le = matches!(pcap[0], 0xD4 | 0x4D);
    let nanos = matches!(
        pcap[..4],
        [0x4D, 0x3C, 0xB2, 0xA1] | [0xA1, 0xB2, 0x3C, 0x4D]
    );
    let read = |at: usize| {
        let b = [pcap[at], pcap[at + 1], pcap[at + 2], pcap[at + 3]];
        if file_le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let mut shb = word(le, 0x1A2B_3C4D).to_vec();
    shb.extend(if le { [1, 0, 0, 0] } else { [0, 1, 0, 0] });
    shb.extend(u64::MAX.to_le_bytes());
    shb.extend(ng_options(le, extras.section));
    let mut v = ng_block_in(le, 0x0A0D_0D0A, &shb);
    let mut idb = if le {
        (read(20) as u16).to_le_bytes()
    } else {
        (read(20) as u16).to_be_bytes()
    }
    .to_vec();
    idb.extend([0, 0]);
    idb.extend(word(le, read(16)));
    let mut options = extras.interface.to_vec();
    if nanos {
        options.push((9, &[9]));
    }
    idb.extend(ng_options(le, &options));
    v.extend(ng_block_in(le, 1, &idb));
    for (kind, body) in extras.blocks {
        v.extend(ng_block_in(le, *kind, body));
    }
    let mut at = 24;
    let mut first = true;
    while at + 16 <= pcap.len() {
        let (sec, frac, caplen, orig) = (read(at), read(at + 4), read(at + 8), read(at + 12));
        let ts = u64::from(sec) * if nanos { 1_000_000_000 } else { 1_000_000 } + u64::from(frac);
        let mut epb = word(le, 0).to_vec();
        epb.extend(word(le, (ts >> 32) as u32));
        epb.extend(word(le, ts as u32));
        epb.extend(word(le, caplen));
        epb.extend(word(le, orig));
        epb.extend_from_slice(&pcap[at + 16..at + 16 + caplen as usize]);
        epb.resize(epb.len().div_ceil(4) * 4, 0);
        if first {
            epb.extend(ng_options(le, extras.packet));
            first = false;
        }
        v.extend(ng_block_in(le, 6, &epb));
        at += 16 + caplen as usize;
    }
    v
}

/// An Ethernet II frame from 00:66:77:88:99:aa to 00:11:22:33:44:55.
pub fn eth(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xAA,
    ];
    v.extend(ethertype.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// An IPv6 header (no extension headers) around `payload`.
pub fn ipv6(src: &str, dst: &str, nh: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0x60, 0, 0, 0];
    v.extend((payload.len() as u16).to_be_bytes());
    v.extend([nh, 64]);
    v.extend(src.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend(dst.parse::<std::net::Ipv6Addr>().unwrap().octets());
    v.extend_from_slice(payload);
    v
}

/// A capture fed to the capture importer in chunks of `chunk` bytes (what tests/capture.rs and tests/netmon.rs
/// read captures with).
pub fn import_capture(bytes: &[u8], chunk: usize) -> sipscope::import::Sink {
    let mut imp = sipscope::import::pcap::CaptureImporter::new(0);
    let mut sink = sipscope::import::Sink::default();
    for c in bytes.chunks(chunk.max(1)) {
        imp.push(c, &mut sink);
    }
    imp.finish(&mut sink);
    sink
}
