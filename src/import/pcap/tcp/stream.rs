//! One direction's byte stream after reassembly: what it carries (SIP, SIP over WebSocket, TLS, something else),
//! SIP messages framed out of it by Content-Length (hunting for the next start line after junk or a gap), and
//! where each message's bytes were in the capture (the payloads of the segments that carried them).

use super::*;

/// What a direction's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Mode {
    /// Not decided yet.
    #[default]
    Unknown,
    Sip,
    /// Looking for a SIP start line at a line start (after a gap, junk, or a mid-stream start), for at most
    /// `budget` bytes.
    Hunt {
        budget: usize,
    },
    /// WebSocket frames.
    Ws,
    /// A gap broke the WebSocket framing: waiting for a segment that starts with a frame carrying SIP.
    WsLost,
    Tls,
    /// Not SIP: skipped.
    Other,
}

/// Why a stream is hunting for a start line: decides what is said about the skipped bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum HuntReason {
    #[default]
    Junk,
    Gap,
    MidStream,
}

#[derive(Debug, Default)]
struct WsMessage {
    data: Vec<u8>,
    meta: Option<Meta>,
    active: bool,
    deflate: bool,
}

/// A direction's byte stream, after reassembly.
#[derive(Debug, Default)]
pub(super) struct Stream {
    mode: Mode,
    /// The stream was seen from its SYN: its first byte is the first byte sent.
    pub(super) syn: bool,
    buf: Vec<u8>,
    /// Bytes of `buf` already used.
    head: usize,
    /// Stream offset of `buf[0]`.
    buf_abs: u64,
    /// Where each segment's bytes start (stream offset), for the records' place in the capture.
    metas: VecDeque<(u64, Meta)>,
    /// Where the bytes of `buf` are in the capture file: from each stream offset listed to the next (or to the
    /// end of `buf`), from this file offset on (`None`: not the file's bytes).
    places: VecDeque<(u64, Option<u64>)>,
    /// Where to go on looking for the blank line that ends the header section (from `head`).
    scan_from: usize,
    /// A message whose header section was read: its length and the framing problems found.
    need: Option<(usize, Vec<Problem>)>,
    /// `buf[head]` is at the start of a line (hunting).
    at_line_start: bool,
    hunt_reason: HuntReason,
    skipped: usize,
    ws: WsMessage,
    headers: Vec<Header>,
    /// The record layer, when the connection is TLS.
    tls: super::tls::Walk,
}

fn meta_at(metas: &VecDeque<(u64, Meta)>, abs: u64) -> Option<Meta> {
    metas
        .iter()
        .rev()
        .find(|(a, _)| *a <= abs)
        .or(metas.front())
        .map(|(_, m)| *m)
}

/// The offset just past the blank line that ends a header section, searching from `from`.
pub(super) fn blank_line_end(d: &[u8], from: usize) -> Option<usize> {
    let rest = d.get(from..)?;
    memchr::memchr_iter(b'\n', rest).find_map(|i| match rest.get(i + 1) {
        Some(b'\n') => Some(from + i + 2),
        Some(b'\r') if rest.get(i + 2) == Some(&b'\n') => Some(from + i + 3),
        _ => None,
    })
}

/// Whether the start of a stream looks like binary data rather than text.
pub(super) fn looks_binary(d: &[u8]) -> bool {
    let sample = d.get(..d.len().min(256)).unwrap_or(d);
    let odd = sample
        .iter()
        .filter(|&&b| b == 0 || b == 0x7F || (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')))
        .count();
    sample.contains(&0) || odd * 20 > sample.len()
}

/// Whether `d` starts with a TLS record header (content type 0x14–0x17, version 3.0–3.4).
pub fn is_tls_record(d: &[u8]) -> bool {
    matches!(d, [0x14..=0x17, 3, 0..=4, ..])
}

impl Stream {
    /// Nothing is held for the stream, and nothing will be: TLS (only record headers are read) or not SIP.
    pub(super) fn ignored(&self) -> bool {
        matches!(self.mode, Mode::Tls | Mode::Other)
    }

    /// The stream's bytes are not even reassembled: not SIP, not TLS.
    pub(super) fn skipped(&self) -> bool {
        self.mode == Mode::Other
    }

    pub(super) fn set_ignored(&mut self, mode: Mode) {
        if self.mode != mode {
            self.mode = mode;
            self.discard();
        }
    }

    pub(super) fn discard(&mut self) {
        self.buf = Vec::new();
        self.head = 0;
        self.metas.clear();
        self.places.clear();
        self.need = None;
        self.scan_from = 0;
        self.ws = WsMessage::default();
    }

    /// The frame the first byte held (a message not yet complete) came in.
    pub(super) fn held_from(&self) -> Option<u32> {
        if self.pending().is_empty() {
            return None;
        }
        meta_at(&self.metas, self.buf_abs + self.head as u64).map(|m| m.frame)
    }

    pub(super) fn pending(&self) -> &[u8] {
        self.buf.get(self.head..).unwrap_or(&[])
    }

    pub(super) fn push(
        &mut self,
        data: &[u8],
        abs: u64,
        meta: Meta,
        at: Option<u64>,
        ctx: &mut Ctx<'_>,
    ) {
        match self.mode {
            Mode::Tls => return self.tls.push(data, abs, meta, ctx),
            Mode::Other => return,
            Mode::WsLost => {
                if ws::frame_carries_sip(data) == Some(true) {
                    self.mode = Mode::Ws;
                    self.discard();
                } else {
                    return;
                }
            }
            _ => {}
        }
        if self.head >= self.buf.len() || self.buf_abs + self.buf.len() as u64 != abs {
            self.buf.clear();
            self.head = 0;
            self.buf_abs = abs;
            self.metas.clear();
            self.places.clear();
            self.scan_from = 0;
            self.need = None;
        }
        if self.metas.back().is_none_or(|(_, m)| *m != meta) {
            self.metas.push_back((abs, meta));
        }
        // A stretch that goes on where the last one ended in the file is the same stretch.
        let goes_on = self
            .places
            .back()
            .is_some_and(|&(a, p)| matches!((p, at), (Some(p), Some(at)) if p + (abs - a) == at));
        if !goes_on {
            self.places.push_back((abs, at));
        }
        self.buf.extend_from_slice(data);
        self.run(ctx);
    }

    pub(super) fn run(&mut self, ctx: &mut Ctx<'_>) {
        loop {
            let progress = match self.mode {
                Mode::Unknown => self.classify(ctx),
                Mode::Sip => self.sip(ctx),
                Mode::Hunt { .. } => self.hunt(ctx),
                Mode::Ws => self.websocket(ctx),
                Mode::WsLost | Mode::Tls | Mode::Other => {
                    self.discard();
                    false
                }
            };
            if !progress {
                break;
            }
        }
        self.compact();
    }

    /// Drop the used bytes and the segment places no longer needed.
    pub(super) fn compact(&mut self) {
        if self.head == 0 {
            return;
        }
        let head = self.head.min(self.buf.len());
        if head == self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..head);
        }
        self.buf_abs += head as u64;
        self.head = 0;
        if self.buf.is_empty() {
            self.metas.clear();
            self.places.clear();
        } else {
            while self.metas.len() > 1 && self.metas.get(1).is_some_and(|m| m.0 <= self.buf_abs) {
                self.metas.pop_front();
            }
            while self.places.len() > 1 && self.places.get(1).is_some_and(|p| p.0 <= self.buf_abs) {
                self.places.pop_front();
            }
        }
    }

    /// The bytes held when the stream turned out to be TLS, segment by segment, through the record walk.
    fn walk_pending(&mut self, ctx: &mut Ctx<'_>) {
        let start = self.buf_abs + self.head as u64;
        let end = self.buf_abs + self.buf.len() as u64;
        let bounds: Vec<(u64, Meta)> = self.metas.iter().copied().collect();
        for (k, &(a, meta)) in bounds.iter().enumerate() {
            let from = a.max(start);
            let to = bounds.get(k + 1).map_or(end, |b| b.0).min(end);
            let range = (from - self.buf_abs) as usize..(to.max(from) - self.buf_abs) as usize;
            if let Some(d) = self.buf.get(range).filter(|d| !d.is_empty()) {
                self.tls.push(d, from, meta, ctx);
            }
        }
    }

    pub(super) fn classify(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let d = self.pending();
        let blank = d.iter().take_while(|&&b| is_ws(b)).count();
        if blank > 0 {
            self.head += blank;
            return true;
        }
        if d.len() < 3 {
            return false;
        }
        if is_tls_record(d) {
            ctx.info.tls = true;
            if d.first() == Some(&0x16) && d.get(5) == Some(&1) && ctx.info.hello_from.is_none() {
                ctx.info.hello_from = Some(ctx.d);
            }
            self.walk_pending(ctx);
            self.set_ignored(Mode::Tls);
            return false;
        }
        if matches!(d.first(), Some(0x81 | 0x82 | 0x01 | 0x02)) {
            match ws::frame_carries_sip(d) {
                Some(true) => {
                    ctx.info.ws = true;
                    self.mode = Mode::Ws;
                    return true;
                }
                None if d.len() < 1024 => return false,
                _ => {}
            }
        }
        if ws::looks_like_http(d) {
            match ws::http_head(d) {
                Some((n, upgrade)) => {
                    if upgrade || (ctx.info.ws && d.starts_with(b"HTTP/1.1 101")) {
                        ctx.info.ws = true;
                        self.head += n;
                        self.mode = Mode::Ws;
                        return true;
                    }
                    self.set_ignored(Mode::Other);
                    return false;
                }
                None if d.len() < MAX_HEAD => return false,
                None => {
                    self.set_ignored(Mode::Other);
                    return false;
                }
            }
        }
        let window = d.get(..d.len().min(MAX_LINE)).unwrap_or(d);
        match memchr::memchr(b'\n', window) {
            Some(i) if parser::is_start_line(window.get(..i).unwrap_or(&[])) => {
                self.mode = Mode::Sip;
                return true;
            }
            Some(_) => {}
            None if d.len() < MAX_LINE => return false,
            None => {}
        }
        if self.syn || looks_binary(d) {
            self.set_ignored(Mode::Other);
            return false;
        }
        // Joined in the middle of a text stream: look for a message start.
        self.mode = Mode::Hunt {
            budget: HUNT_BUDGET,
        };
        self.hunt_reason = HuntReason::MidStream;
        self.at_line_start = false;
        self.skipped = 0;
        true
    }

    pub(super) fn hunt(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let Mode::Hunt { budget } = self.mode else {
            return false;
        };
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        let mut p = 0;
        if !self.at_line_start {
            match memchr::memchr(b'\n', d) {
                Some(i) => p = i + 1,
                None => p = d.len(),
            }
            self.at_line_start = p < d.len() || d.last() == Some(&b'\n');
        }
        let mut found = false;
        if self.at_line_start {
            loop {
                let rest = d.get(p..).unwrap_or(&[]);
                match memchr::memchr(b'\n', rest) {
                    Some(i) => {
                        if parser::is_start_line(rest.get(..i).unwrap_or(&[])) {
                            found = true;
                            break;
                        }
                        p += i + 1;
                    }
                    None => {
                        if rest.len() > MAX_LINE {
                            p = d.len();
                            self.at_line_start = false;
                        }
                        break;
                    }
                }
            }
        }
        self.head += p;
        self.skipped += p;
        if found {
            if self.hunt_reason == HuntReason::MidStream && self.skipped > 0 {
                ctx.report.note(
                    Kind::TcpMidStream,
                    meta_at(&self.metas, self.buf_abs).map_or(0, |m| m.frame),
                );
            }
            self.mode = Mode::Sip;
            return true;
        }
        if self.skipped > budget {
            self.set_ignored(Mode::Other);
        }
        false
    }

    pub(super) fn sip(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        if let Some((end, _)) = &self.need {
            let end = *end;
            if d.len() < end {
                return false;
            }
            let (_, problems) = self.need.take().unwrap_or_default();
            self.emit(end, &problems, ctx);
            return true;
        }
        let blank = d.iter().take_while(|&&b| is_ws(b)).count();
        if blank > 0 {
            // CRLF keep-alives between messages.
            self.head += blank;
            self.scan_from = 0;
            return true;
        }
        if d.is_empty() {
            return false;
        }
        let window = d.get(..d.len().min(MAX_LINE)).unwrap_or(d);
        let Some(nl) = memchr::memchr(b'\n', window) else {
            if d.len() >= MAX_LINE {
                self.start_hunt(HuntReason::Junk, false);
                return true;
            }
            return false;
        };
        if !parser::is_start_line(window.get(..nl).unwrap_or(&[])) {
            self.start_hunt(HuntReason::Junk, true);
            return true;
        }
        let Some(body_hint) = blank_line_end(d, self.scan_from.max(nl)) else {
            if d.len() > MAX_HEAD {
                // No end of the header section in sight: show what there is and look for the next message.
                let n = d.len();
                self.emit(
                    n,
                    &[Problem::new(
                        Code::EntryTooLarge,
                        "the header section does not end within 256 KiB on the TCP stream",
                    )],
                    ctx,
                );
                self.start_hunt(HuntReason::Junk, false);
                return true;
            }
            self.scan_from = d.len().saturating_sub(2).max(nl);
            return false;
        };
        let head = d.get(..body_hint).unwrap_or(d);
        self.headers.clear();
        let mut scratch = Vec::new();
        let body_start = match scan_head(head, nl + 1, 2, &mut self.headers, &mut scratch) {
            HeadEnd::Blank { body } | HeadEnd::Body { body } => body,
            HeadEnd::StartLine { at } => {
                self.emit(at, &[], ctx);
                return true;
            }
            HeadEnd::Eof { .. } => body_hint,
        };
        let mut problems = Vec::new();
        let body = match content_length(head, &self.headers) {
            ContentLength::One(n) if n <= MAX_BODY => n,
            ContentLength::One(n) => {
                problems.push(Problem::new(
                    Code::ContentLengthMismatch,
                    format!(
                        "Content-Length {n} is too large for a message on a TCP stream; the body is taken as empty"
                    ),
                ));
                0
            }
            ContentLength::Many(values) => {
                // The parser reports the disagreement; framing can still follow values that agree.
                let first = values.first().and_then(|v| v.parse::<usize>().ok());
                match first {
                    Some(n) if n <= MAX_BODY && values.iter().all(|v| v.parse() == Ok(n)) => n,
                    _ => 0,
                }
            }
            // Absent or not a number: no body (RFC 3261 §18.3: a stream message without one has none).
            _ => 0,
        };
        let end = body_start + body;
        self.scan_from = 0;
        if d.len() < end {
            self.need = Some((end, problems));
            return false;
        }
        self.emit(end, &problems, ctx);
        true
    }

    fn start_hunt(&mut self, reason: HuntReason, at_line_start: bool) {
        self.mode = Mode::Hunt { budget: usize::MAX };
        self.hunt_reason = reason;
        self.at_line_start = at_line_start;
        self.skipped = 0;
        self.scan_from = 0;
        self.need = None;
    }

    /// Emit the `len` bytes at `head` as a message and move past them.
    /// Where stream bytes `from .. from + len` (all in `buf`) are in the capture file: the payloads of the
    /// segments that carried them, in order.
    pub(super) fn place(&self, from: u64, len: usize) -> Option<InFile> {
        let end = self.buf_abs + self.buf.len() as u64;
        let pieces = self.places.iter().enumerate().map(|(i, &(a, at))| {
            let b = self.places.get(i + 1).map_or(end, |p| p.0);
            (at, a, b)
        });
        // Every stretch the message touches must be the file's bytes.
        let mut stretches = Vec::new();
        for (at, a, b) in pieces {
            if b <= from || a >= from + len as u64 {
                continue;
            }
            stretches.push((at?, (b - a) as u32));
        }
        // The first stretch touched starts this far before the message.
        let skip = from - self.places.iter().take_while(|p| p.0 <= from).last()?.0;
        InFile::from_pieces(stretches, skip, len as u64)
    }

    pub(super) fn emit(&mut self, len: usize, problems: &[Problem], ctx: &mut Ctx<'_>) {
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        let msg = d.get(..len.min(d.len())).unwrap_or(d);
        let junk_problem;
        let extra = if self.skipped > 0 && self.hunt_reason == HuntReason::Junk {
            let mut all = vec![Problem::new(
                Code::SkippedText,
                format!(
                    "{} bytes of the TCP stream before this message are not SIP and were skipped",
                    self.skipped
                ),
            )];
            all.extend_from_slice(problems);
            junk_problem = all;
            junk_problem.as_slice()
        } else {
            problems
        };
        let from = self.buf_abs + self.head as u64;
        if let Some(meta) = meta_at(&self.metas, from) {
            let place = self.place(from, msg.len());
            emit_block(msg, place, &ctx.src, &ctx.dst, &meta, extra, ctx.sink);
        }
        self.skipped = 0;
        self.head += msg.len();
        self.scan_from = 0;
    }

    pub(super) fn websocket(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let d = self.buf.get(self.head..).unwrap_or(&[]);
        let frame = meta_at(&self.metas, self.buf_abs + self.head as u64);
        let h = match ws::header(d) {
            Ok(Some(h)) => h,
            Ok(None) => return false,
            Err(()) => {
                ctx.report
                    .note(Kind::BadWebSocket, frame.map_or(0, |m| m.frame));
                self.set_ignored(Mode::Other);
                return false;
            }
        };
        let Some(total) = usize::try_from(h.payload)
            .ok()
            .filter(|&n| n <= MAX_WS_MESSAGE)
            .map(|n| n + h.len)
        else {
            ctx.report
                .note(Kind::BadWebSocket, frame.map_or(0, |m| m.frame));
            self.set_ignored(Mode::Other);
            return false;
        };
        let Some(payload) = d.get(h.len..total) else {
            return false;
        };
        let m = &mut self.ws;
        let mut complete = false;
        match h.opcode {
            ws::OP_TEXT | ws::OP_BINARY => {
                m.data.clear();
                m.active = true;
                m.deflate = h.rsv1;
                m.meta = frame;
                ws::unmask_into(payload, h.mask, 0, &mut m.data);
                complete = h.fin;
            }
            ws::OP_CONTINUATION if m.active => {
                if m.data.len() + payload.len() > MAX_WS_MESSAGE {
                    m.active = false;
                    m.data.clear();
                } else {
                    ws::unmask_into(payload, h.mask, 0, &mut m.data);
                    complete = h.fin;
                }
            }
            ws::OP_CLOSE => {
                self.head += total;
                self.set_ignored(Mode::Other);
                return false;
            }
            // Pings, pongs, and continuations of a message whose start was not seen.
            ws::OP_PING | ws::OP_PONG | ws::OP_CONTINUATION => {}
            _ => {}
        }
        self.head += total;
        if complete {
            m.active = false;
            if m.deflate {
                if !ctx.info.deflate_reported {
                    ctx.info.deflate_reported = true;
                    ctx.sink.diagnostics.push(
                        Diagnostic::warning(Code::WebsocketCompressed, format!(
                            "WebSocket connection {} ↔ {} compresses its messages (permessage-deflate): SIP inside can't be read.",
                            ctx.src, ctx.dst
                        ))
                        .at(ctx.file, m.meta.map_or(0, |x| x.frame)),
                    );
                }
            } else if super::super::starts_with_sip(&m.data) {
                if let Some(meta) = m.meta {
                    // A WebSocket payload is unmasked: not the file's bytes.
                    emit_block(&m.data, None, &ctx.src, &ctx.dst, &meta, &[], ctx.sink);
                }
            }
            m.data.clear();
        }
        true
    }

    /// `n` bytes of the stream are not in the capture. `quiet`: already reported (snapshot length).
    pub(super) fn gap(&mut self, n: u64, next: Meta, quiet: bool, ctx: &mut Ctx<'_>) {
        match self.mode {
            Mode::Tls | Mode::Other | Mode::WsLost => {}
            Mode::Unknown => {
                // Not classified yet: what follows is classified afresh, as a stream joined in the middle.
                self.discard();
                self.buf.clear();
                self.syn = false;
            }
            Mode::Hunt { .. } => {
                self.discard();
                self.at_line_start = true;
            }
            Mode::Sip => {
                let note = self.flush_cut(n, ctx);
                self.discard();
                self.start_hunt(HuntReason::Gap, true);
                if !quiet {
                    self.gap_diag(n, next, note.as_deref(), ctx);
                }
            }
            Mode::Ws => {
                let cut = self.ws.active || !self.pending().is_empty();
                let note = cut.then_some(", inside a WebSocket message (dropped)");
                self.discard();
                self.mode = Mode::WsLost;
                if !quiet {
                    self.gap_diag(n, next, note, ctx);
                }
            }
        }
    }

    /// Handle the message a gap cut: shown with a problem when its header section is complete, dropped
    /// otherwise. Returns what the gap diagnostic should say about it.
    pub(super) fn flush_cut(&mut self, n: u64, ctx: &mut Ctx<'_>) -> Option<String> {
        let d = self.pending();
        let lead = d.iter().take_while(|&&b| is_ws(b)).count();
        let rest = d.get(lead..).unwrap_or(&[]);
        if rest.is_empty() {
            return None;
        }
        let len = rest.len();
        let complete_head = memchr::memchr(b'\n', rest).is_some_and(|nl| {
            parser::is_start_line(rest.get(..nl).unwrap_or(&[]))
                && blank_line_end(rest, nl).is_some()
        });
        if !complete_head {
            return Some(format!(
                ", inside a message whose header section is incomplete ({len} bytes, dropped)"
            ));
        }
        self.head += lead;
        let s = if n == 1 { "" } else { "s" };
        let mut problems = vec![Problem::new(
            Code::TruncatedMessage,
            format!(
                "{n} byte{s} of the TCP stream after this point are missing from the capture: this message is incomplete"
            ),
        )];
        if let Some((_, p)) = self.need.take() {
            problems.extend(p);
        }
        self.emit(len, &problems, ctx);
        Some(", inside a message (shown, marked incomplete)".to_string())
    }

    pub(super) fn gap_diag(&mut self, n: u64, next: Meta, note: Option<&str>, ctx: &mut Ctx<'_>) {
        if *ctx.gaps_listed >= LIST_GAPS {
            ctx.report.note(Kind::TcpGapMore, next.frame);
            return;
        }
        *ctx.gaps_listed += 1;
        let s = if n == 1 { "" } else { "s" };
        let resume = if self.mode == Mode::WsLost {
            "the next WebSocket frame that carries SIP"
        } else {
            "the next SIP start line"
        };
        ctx.sink.diagnostics.push(
            Diagnostic::warning(Code::CaptureGap, format!(
                "TCP stream {} → {}: {n} byte{s} are missing from the capture before frame {}{}; reading resumes at {resume}.",
                ctx.src,
                ctx.dst,
                next.frame,
                note.unwrap_or("")
            ))
            .at(ctx.file, next.frame),
        );
    }

    /// The stream is over: flush the message in progress (shown with `why` when its start line is complete).
    pub(super) fn end(&mut self, why: &str, ctx: &mut Ctx<'_>) {
        if self.mode == Mode::Sip {
            let d = self.pending();
            let lead = d.iter().take_while(|&&b| is_ws(b)).count();
            let rest = d.get(lead..).unwrap_or(&[]);
            let has_start = memchr::memchr(b'\n', rest)
                .is_some_and(|nl| parser::is_start_line(rest.get(..nl).unwrap_or(&[])));
            let n = rest.len();
            if has_start {
                self.head += lead;
                let mut problems = vec![Problem::new(Code::TruncatedMessage, why)];
                if let Some((_, p)) = self.need.take() {
                    problems.extend(p);
                }
                self.emit(n, &problems, ctx);
            }
        }
        self.discard();
        self.mode = Mode::Other;
    }
}
