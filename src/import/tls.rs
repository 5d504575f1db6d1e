//! TLS records seen in a capture: what the store needs to line a capture's encrypted frames up with the messages
//! a client log holds decrypted (`store::tls`). Only the record layer is read (content type, version, length,
//! RFC 8446 §5.1 / RFC 5246 §6.2): nothing is decrypted.

use crate::base::time::Timestamp;

/// One TLS connection of a capture: the side that opened it (SYN, else ClientHello) and the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConn {
    pub file: u32,
    /// The connection's number in its file.
    pub conn: u32,
    /// `host:port` of the client and of the server, as the capture has them.
    pub client: String,
    pub server: String,
    /// The frame where the connection's first record was seen.
    pub first_frame: u32,
}

/// One application-data record (content type 23): the unit the sender encrypted, usually one SIP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsRecord {
    pub file: u32,
    pub conn: u32,
    /// Sent by the client ([`TlsConn::client`]).
    pub from_client: bool,
    /// Capture time of the frame holding the record's header, on the capture's own clock.
    pub time: Option<Timestamp>,
    /// Length of the record's payload (after the 5-byte header): plaintext plus the cipher's overhead.
    pub len: u32,
    /// 1-based frame number of the frame holding the record's header.
    pub frame: u32,
}

/// What a capture's importer found of TLS: the connections and their application-data records, in capture
/// order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsRecords {
    pub conns: Vec<TlsConn>,
    pub records: Vec<TlsRecord>,
}

impl TlsRecords {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Move `other`'s connections and records to the end of these.
    pub fn append(&mut self, other: &mut TlsRecords) {
        self.conns.append(&mut other.conns);
        self.records.append(&mut other.records);
    }
}
