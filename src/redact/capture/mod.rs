//! Captures written back: pcap and pcapng, every packet's SIP redacted where it is, its headers made to agree.
//!
//! The capture importer reads the file once more, noting which headers it read in each packet
//! (`import::pcap::dissect`); its records say where each SIP message is. Then:
//!
//! * a UDP datagram's messages are redacted in place (`edits`), its lengths and checksums made again
//!   (`headers`); a datagram that came in IP fragments is redacted whole and cut again into as many fragments
//!   (`frag`);
//! * a TCP direction that carries SIP is redacted as a stream, each segment given the redacted bytes of its
//!   stream range, sequence and acknowledgement numbers moved to match (`tcp`);
//! * every IP and MAC address in a header gets the same stand-in the SIP text gives it (`addr`);
//! * a payload that is not SIP (RTP, TLS, DNS, …) may hold anything and is left out: the packet keeps its
//!   headers, its length on the wire and its timestamp (what `editcap -s` does to a whole capture);
//! * the container keeps its records and blocks, lengths made again, option strings and blocks that name
//!   people or machines left out (`file`).
//!
//! A message the importer found where the redaction cannot rewrite it (inside a GRE or VXLAN tunnel, over SCTP
//! or WebSocket, in overlapping fragments) refuses the whole file: nothing is dropped in silence.

mod addr;
mod edits;
mod file;
mod frag;
mod headers;
mod input;
mod sum;
mod tcp;

use std::ops::Range;

use crate::base::diag::Code;
use crate::base::fxhash::FxMap;
use crate::import::pcap::{self, layout::Layer};
use crate::redact::{Keep, Pseudonyms};
use headers::{Fix, Payload};
use input::Capture;

/// `bytes`, a pcap or pcapng capture, redacted; or why it cannot be written back soundly.
pub fn redact(names: &mut Pseudonyms, keep: Keep, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let (frames, sink) = pcap::dissect(bytes);
    if let Some(d) = sink
        .diagnostics
        .iter()
        .find(|d| d.code == Code::CaptureDamaged)
    {
        return Err(d.message.clone());
    }
    let cap = Capture::new(bytes, frames, sink.records);
    let mut handled = vec![false; cap.records.len()];
    let mut ren = addr::Renamer::default();
    // What becomes of each payload: by default left out (nothing when there is nothing).
    let mut payloads: Vec<Option<Payload>> = vec![None; cap.frames.len()];
    let mut frag_at: Vec<Option<usize>> = vec![None; cap.frames.len()];
    for (f, p) in udp(names, keep, &cap, &mut handled) {
        payloads[f] = Some(p);
    }
    for (f, p, at) in frag::rewrite(names, keep, &mut ren, &cap, &mut handled)? {
        payloads[f] = Some(p);
        frag_at[f] = Some(at);
    }
    let streams = tcp::Streams::new(names, keep, &cap, &mut handled)?;
    if let Some(i) = handled.iter().position(|h| !h) {
        return Err(unplaced(&cap, i));
    }
    let mut packets = Vec::with_capacity(cap.frames.len());
    for (f, (frame, st)) in cap.frames.iter().zip(&cap.stacks).enumerate() {
        let d = cap.data(f);
        let mut fix = streams.fix(f, st, d).unwrap_or_else(|| {
            Fix::payload(if st.payload.is_empty() {
                Payload::Keep
            } else {
                Payload::Cut(0)
            })
        });
        if let Some(p) = payloads[f].take() {
            fix.payload = p;
        }
        if let (Payload::Cut(n), true) = (&fix.payload, file::simple(bytes, frame)) {
            // A block that cannot be cut short: the payload left out is zeros, the checksums theirs.
            let mut zeros = d[st.payload.clone()].to_vec();
            let kept = (*n).min(zeros.len());
            zeros[kept..].fill(0);
            fix.payload = Payload::New(zeros);
        }
        fix.frag_at = frag_at[f];
        let (new, grown) = headers::rewrite(names, &mut ren, d, st, &fix)
            .map_err(|why| format!("{why} (frame {})", frame.number))?;
        let orig_len = (i64::from(frame.orig_len) + grown).clamp(new.len() as i64, u32::MAX.into());
        packets.push(file::Packet {
            data: new,
            orig_len: orig_len as u32,
        });
    }
    let out = file::write(bytes, &cap.frames, &packets);
    // A container the writer could not write again (a section header whose length runs past the file, which the
    // reader forgives): refused, never a copy read as something else.
    let format =
        |b: &[u8]| crate::import::detect(&b[..b.len().min(crate::import::SNIFF_BYTES)], true).0;
    if format(&out) != format(bytes) {
        return Err("the capture's container could not be written again as it was read".into());
    }
    Ok(out)
}

/// The UDP datagrams (whole in their packet) that carry SIP, redacted: each frame's new payload. Their records
/// are marked in `handled`.
fn udp(
    names: &mut Pseudonyms,
    keep: Keep,
    cap: &Capture<'_>,
    handled: &mut [bool],
) -> Vec<(usize, Payload)> {
    // The messages of each frame: their ranges in its payload.
    let mut messages: FxMap<usize, Vec<(Range<usize>, usize)>> = FxMap::default();
    for (i, r) in cap.records.iter().enumerate() {
        let Some((f, _, at)) = cap.place(r) else {
            continue;
        };
        let st = &cap.stacks[f];
        // The datagram is the innermost thing the importer read: not a tunnel's carrier.
        let innermost = st.layers.len() == cap.frames[f].layers.len();
        if matches!(st.l4(), Some((_, Layer::Udp))) && innermost {
            messages
                .entry(f)
                .or_default()
                .push((at..at + r.sip.len(), i));
        }
    }
    let mut frames: Vec<usize> = messages.keys().copied().collect();
    frames.sort_unstable();
    let mut out = Vec::new();
    for f in frames {
        let mut msgs = messages.remove(&f).unwrap_or_default();
        msgs.sort_by_key(|m| m.0.start);
        let payload = &cap.data(f)[cap.stacks[f].payload.clone()];
        let ranges: Vec<Range<usize>> = msgs.iter().map(|m| m.0.clone()).collect();
        if ranges.iter().any(|r| r.end > payload.len()) {
            continue;
        }
        let mut list = Vec::new();
        edits::block(names, keep, payload, &ranges, 0, &mut list);
        out.push((f, Payload::New(edits::Edits::new(list).apply(payload))));
        for (_, i) in msgs {
            handled[i] = true;
        }
    }
    out
}

/// Why record `i`, a message the importer found, cannot be rewritten: what carried it.
fn unplaced(cap: &Capture<'_>, i: usize) -> String {
    let Some(f) = cap.frame_of(&cap.records[i]) else {
        return "a SIP message is where the redaction cannot place it".into();
    };
    let st = &cap.stacks[f];
    let carrier = if let Some(b) = st.beyond {
        b
    } else if st.fragment {
        "IP fragments that overlap, or that carry TCP or a tunnel"
    } else if matches!(st.l4(), Some((_, Layer::Tcp { .. }))) {
        "WebSocket frames (masked)"
    } else {
        "a place the redaction cannot rewrite"
    };
    format!(
        "frame {} carries SIP in {carrier}, which redaction does not write back",
        cap.frames[f].number
    )
}
