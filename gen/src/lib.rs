//! Deterministic generator of realistic Skype for Business SIP traces of any size, in every format sipscope reads.
//!
//! Three formats ([`Format`]), each in its own module, sharing one RNG (`Rng`) and the SIP and presence helpers
//! of `sip.rs`:
//!
//! * **client** (`client.rs`): a Skype for Business client log (UccApiLog). The default log tells what a busy
//!   client's log tells: sign-in through the Access Edge with TLS-DSK challenges, a batched presence subscription,
//!   hours of BENOTIFY storms, SERVICE publications, IM sessions, failed calls and subscriptions, re-registrations,
//!   the odd request that never gets a response, and trace noise between packets. With
//!   [`Config::presence_heavy`] it is the dense case where throughput per byte is lowest: 1,200 contacts, short
//!   storms of small BENOTIFYs and tens of thousands of short conversations (SERVICE, SUBSCRIBE, IM), each its
//!   own Call-ID.
//! * **server** (`server.rs`): a Front End's CLS / OCSLogger SIPStack text trace (`TL_INFO(TF_PROTOCOL) …
//!   $$begin_record` … `$$end_record`, UTC) for many users of one pool: sign-ins with NTLM, Kerberos and TLS-DSK
//!   challenges, remote users through the Edge (`ms-edge-proxy-message-trust`), presence subscriptions and the
//!   BENOTIFY fan-out, SERVICE, IM and calls proxied to the other pool members (Via and Record-Route chains),
//!   failures with `ms-diagnostics`, `TF_DIAG` diagnostic records, connection records and trace text.
//! * **capture** (`capture.rs`): a classic libpcap capture (Ethernet, IPv4) of SIP over plain TCP (5060, 5061)
//!   with handshakes, exact sequence numbers, MSS 1460 segmentation and Nagle-like coalescing (messages split
//!   across segments and several messages in one segment), and over UDP: calls from SIP phones and a trunk with
//!   SDP, retransmissions, and SERVICE / BENOTIFY sent to peers that drop them.
//!
//! Every byte count, Content-Length and sequence number is exact. The same [`Config`] gives the same bytes.

mod capture;
mod client;
mod server;
mod sip;

use std::io::{self, Write};

/// Which trace to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// A Skype for Business client log (UccApiLog).
    #[default]
    Client,
    /// A Front End server's CLS / OCSLogger SIPStack text trace.
    Server,
    /// A classic libpcap capture (Ethernet, IPv4) of SIP over TCP and UDP.
    Capture,
}

impl Format {
    /// `client`, `server` or `capture`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "client" => Some(Format::Client),
            "server" => Some(Format::Server),
            "capture" => Some(Format::Capture),
            _ => None,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Stop after the first event that takes the output past this many bytes.
    pub target_bytes: u64,
    pub seed: u64,
    /// Contacts in the user's contact list (client format; the presence-heavy log has at least 1,200).
    pub contacts: usize,
    pub format: Format,
    /// Client format: the dense presence-heavy log (many contacts, small BENOTIFYs, many short conversations).
    pub presence_heavy: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            target_bytes: 10 << 20,
            seed: 1,
            contacts: 150,
            format: Format::Client,
            presence_heavy: false,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes written (for a capture: the whole file, headers included).
    pub bytes: u64,
    /// SIP messages (every retransmission counts).
    pub messages: u64,
    /// Call-IDs begun: what sipscope lists as conversations.
    pub conversations: u64,
    /// Trace lines between messages that are not SIP (client log noise, server trace text and non-SIP records).
    pub noise_lines: u64,
    /// Capture frames (packet records); 0 for the text formats.
    pub frames: u64,
}

/// splitmix64: small, fast, deterministic.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// Uniform in `lo..hi` (just `lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo))
    }
    pub(crate) fn hex(&mut self, digits: usize) -> String {
        let mut s = String::with_capacity(digits);
        while s.len() < digits {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(digits);
        s
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A writer that counts what goes through it.
pub(crate) struct Out<'w, W: Write> {
    w: &'w mut W,
    pub(crate) stats: Stats,
}

impl<'w, W: Write> Out<'w, W> {
    pub(crate) fn new(w: &'w mut W) -> Self {
        Out {
            w,
            stats: Stats::default(),
        }
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stats.bytes += bytes.len() as u64;
        self.w.write_all(bytes)
    }
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Generate a trace into `out`.
pub fn generate<W: Write>(cfg: &Config, out: &mut W) -> io::Result<Stats> {
    match cfg.format {
        Format::Client => client::generate(cfg, out),
        Format::Server => server::generate(cfg, out),
        Format::Capture => capture::generate(cfg, out),
    }
}
