//! Counted capture diagnostics: each kind of problem is reported once, with how often it happened and where first.
//!
//! Captures can hold millions of packets; a diagnostic per bad packet would bury the few that matter. The network
//! layers count problems here while reading, and `flush` writes one diagnostic per kind at the end.

use crate::base::diag::{Code, Diagnostic};
use crate::import::Sink;

/// A kind of counted problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Snaplen,
    BadEthernet,
    BadIpv4,
    BadIpv6,
    BadTcp,
    BadUdp,
    BadSctp,
    BadGre,
    BadWebSocket,
    FragmentBad,
    FragmentDropped,
    TcpOutOfWindow,
    TcpGapMore,
    TcpMidStream,
    TunnelDepth,
    SctpIncomplete,
}

const KINDS: usize = 16;

impl Kind {
    fn index(self) -> usize {
        self as usize
    }

    fn text(self, n: u64, first: u32) -> Diagnostic {
        let (s, were) = if n == 1 { ("", "was") } else { ("s", "were") };
        match self {
            Kind::Snaplen => Diagnostic::warning(Code::CaptureSnaplen, format!(
                "{n} packet{s} {were} cut short by the capture's snapshot length (first: frame {first}): SIP in them is incomplete. Capture with the full length (tcpdump -s 0, the default in Wireshark)."
            )),
            Kind::BadEthernet => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} packet{s} with a malformed link-layer header (Ethernet, VLAN, cooked, MPLS or PPPoE) were skipped (first: frame {first})."
            )),
            Kind::BadIpv4 => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} packet{s} with a malformed IPv4 header {were} skipped (first: frame {first})."
            )),
            Kind::BadIpv6 => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} packet{s} with a malformed IPv6 header {were} skipped (first: frame {first})."
            )),
            Kind::BadTcp => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} packet{s} with a malformed TCP header {were} skipped (first: frame {first})."
            )),
            Kind::BadUdp => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} packet{s} with a malformed UDP header {were} skipped (first: frame {first})."
            )),
            Kind::BadSctp => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} packet{s} with a malformed SCTP header or chunk {were} skipped (first: frame {first})."
            )),
            Kind::BadGre => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} GRE packet{s} with a malformed or unsupported header {were} skipped (first: frame {first})."
            )),
            Kind::BadWebSocket => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} WebSocket stream{s} carried a malformed frame; the rest of each such stream was skipped (first: frame {first})."
            )),
            Kind::FragmentBad => Diagnostic::warning(Code::CaptureMalformed, format!(
                "{n} IP fragment{s} with impossible offsets or lengths {were} skipped (first: frame {first})."
            )),
            Kind::FragmentDropped => Diagnostic::warning(Code::CaptureReassembly, format!(
                "{n} fragmented IP datagram{s} could not be put back together: some fragments are not in the capture (first fragment seen in frame {first}); what they held is missing."
            )),
            Kind::TcpOutOfWindow => Diagnostic::warning(Code::CaptureGap, format!(
                "{n} TCP segment{s} lay far outside their stream's sequence numbers and {were} skipped (first: frame {first})."
            )),
            Kind::TcpGapMore => Diagnostic::warning(Code::CaptureGap, format!(
                "{n} more gap{s} in TCP streams (bytes missing from the capture) {were} not listed one by one (first: frame {first}); reading resumed at the next SIP start line each time."
            )),
            Kind::TcpMidStream => Diagnostic::info(Code::CaptureMidStream, format!(
                "{n} TCP stream{s} started before the capture did; the bytes before the first SIP start line were skipped (first: frame {first})."
            )),
            Kind::SctpIncomplete => Diagnostic::warning(Code::CaptureReassembly, format!(
                "{n} fragmented SCTP user message{s} could not be put back together: fragments are missing from the capture (first: frame {first})."
            )),
            Kind::TunnelDepth => Diagnostic::warning(Code::CaptureUnsupported, format!(
                "{n} packet{s} nested tunnels too deeply to be read (first: frame {first})."
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Count {
    n: u64,
    first: u32,
}

/// Problem counters, plus unsupported link types by type.
#[derive(Debug, Default)]
pub struct Report {
    counts: [Count; KINDS],
    links: Vec<(u32, Count)>,
}

impl Report {
    pub fn note(&mut self, kind: Kind, frame: u32) {
        if let Some(c) = self.counts.get_mut(kind.index()) {
            if c.n == 0 {
                c.first = frame;
            }
            c.n += 1;
        }
    }

    pub fn unknown_link(&mut self, linktype: u32, frame: u32) {
        match self.links.iter_mut().find(|(l, _)| *l == linktype) {
            Some((_, c)) => c.n += 1,
            None => self.links.push((linktype, Count { n: 1, first: frame })),
        }
    }

    pub fn flush(&mut self, file: u32, sink: &mut Sink) {
        for (linktype, c) in self.links.drain(..) {
            let (s, were) = if c.n == 1 { ("", "was") } else { ("s", "were") };
            sink.diagnostics.push(
                Diagnostic::warning(Code::CaptureUnsupported, format!(
                    "Link type {linktype} is not supported: its {} packet{s} {were} skipped (first: frame {}).",
                    c.n, c.first
                ))
                .at(file, c.first),
            );
        }
        const ALL: [Kind; KINDS] = [
            Kind::Snaplen,
            Kind::BadEthernet,
            Kind::BadIpv4,
            Kind::BadIpv6,
            Kind::BadTcp,
            Kind::BadUdp,
            Kind::BadSctp,
            Kind::BadGre,
            Kind::BadWebSocket,
            Kind::FragmentBad,
            Kind::FragmentDropped,
            Kind::TcpOutOfWindow,
            Kind::TcpGapMore,
            Kind::TcpMidStream,
            Kind::TunnelDepth,
            Kind::SctpIncomplete,
        ];
        for kind in ALL {
            let c = self.counts.get(kind.index()).copied().unwrap_or_default();
            if c.n > 0 {
                sink.diagnostics
                    .push(kind.text(c.n, c.first).at(file, c.first));
            }
        }
        self.counts = [Count::default(); KINDS];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_diagnostic_per_kind() {
        let mut r = Report::default();
        for f in 1..100 {
            r.note(Kind::BadIpv4, f);
        }
        r.note(Kind::Snaplen, 7);
        r.unknown_link(147, 3);
        r.unknown_link(147, 4);
        let mut sink = Sink::default();
        r.flush(0, &mut sink);
        assert_eq!(sink.diagnostics.len(), 3);
        assert!(sink.diagnostics[0].message.contains("Link type 147"));
        assert!(sink.diagnostics[0].message.contains("2 packets"));
        assert!(sink.diagnostics[1].message.starts_with("1 packet was cut"));
        assert!(sink.diagnostics[2].message.starts_with("99 packets"));
        assert_eq!(sink.diagnostics[2].line, Some(1));
    }
}
