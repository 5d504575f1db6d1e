//! A capture's packets as a tool that writes them back needs them (redaction): where each packet's record is in
//! the file and which headers the network layers read in it, and where.
//!
//! The layers note a header when they have checked it is whole and go on reading what it carries; a header read
//! in bytes that are not the packet's own (a datagram put back together from fragments) is not noted. So a
//! packet's layers, outermost first, say how far the importer understood it, in its own bytes.

/// A header the network layers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Ethernet: the destination and source MAC addresses are its first 12 bytes.
    Ethernet,
    /// Linux cooked capture: the sender's link-layer address is 8 bytes at 6, its length (16 bits) at 4.
    Sll,
    /// Linux cooked capture v2: the sender's link-layer address is 8 bytes at 12, its length (8 bits) at 11.
    Sll2,
    /// A PPPoE session header: its 16-bit length at 4 counts the bytes after its 6.
    Pppoe,
    Ipv4,
    Ipv6,
    /// An IPv6 extension header of this type (0 hop-by-hop, 43 routing, 44 fragment, 51 authentication, 60
    /// destination options, …).
    Ipv6Ext(u8),
    Udp,
    /// A TCP segment: its connection (numbered from 0 in the order the importer opened them; none for a bare
    /// ACK, FIN or RST of a connection never seen carrying data), its direction (0 from the lower endpoint)
    /// and the sequence number of that direction's stream byte 0 once the direction is synchronised (every
    /// sequence number of the direction less this one is a stream offset).
    Tcp {
        conn: Option<u32>,
        dir: u8,
        seq0: Option<u32>,
    },
    /// Headers the layers read through that carry other packets or messages.
    Gre,
    Vxlan,
    Sctp,
}

/// One packet record of the capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The record (header included) in the file.
    pub span: (u64, u64),
    /// Where the captured bytes start in the file, and how many there are.
    pub data_at: u64,
    pub caplen: usize,
    /// The packet's length on the wire.
    pub orig_len: u32,
    /// 1-based frame number.
    pub number: u32,
    /// The headers read in it, outermost first: where each starts in the captured bytes.
    pub layers: Vec<(usize, Layer)>,
}
