//! The fuzz targets' bodies: each feeds arbitrary bytes to one part of sipscope and checks the invariants it
//! promises (results do not depend on chunking, spans lie inside the input, counts add up, output parses).
//!
//! A violated invariant panics, which is what a fuzzer reports. `fuzz/fuzz_targets/*.rs` are one-line calls
//! into this crate, and `tests/regressions.rs` runs every committed corpus file and every regression file
//! through the same functions with plain `cargo test`, so a crash found once stays fixed without cargo-fuzz.

pub mod packets;

use sipscope::import::{archive, detect, Format, Importer, InFile, Sink};
use sipscope::render::{self, OutputFormat};
use sipscope::sip::{self, framing, grammar};
use sipscope::store::{Analysis, Analyzer};

/// A target: arbitrary bytes in, a panic when an invariant breaks.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/NAME.rs` and the folders of `tests/regressions/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("analysis", analysis),
    ("client_log", client_log),
    ("server_trace", server_trace),
    ("sip_text", sip_text),
    ("sbc_log", sbc_log),
    ("capture", capture),
    ("archive", archive),
    ("sip_message", sip_message),
    ("body", body),
    ("grammar", grammar),
    ("redact", redact),
];

/// A small deterministic generator: chunk sizes derived from the input itself, so a failing input replays.
struct Rng(u64);

impl Rng {
    fn for_input(data: &[u8]) -> Rng {
        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ data.len() as u64;
        for &b in data.iter().take(64) {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        Rng(h | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Mostly small chunks (where boundaries fall inside lines, headers, packet headers), now and then big ones.
    fn chunk(&mut self) -> usize {
        match self.next() % 8 {
            0 => 1,
            1..=4 => 1 + (self.next() % 64) as usize,
            5 | 6 => 1 + (self.next() % 4096) as usize,
            _ => 1 + (self.next() % 300_000) as usize,
        }
    }
}

/// Cut `data` into the chunk sizes `rng` gives.
fn chunks<'a>(data: &'a [u8], rng: &mut Rng) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = rng.chunk().min(rest.len());
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    out
}

/// Analyze `pieces` as one file; `read_back`: leave verbatim text in the file (read back through a source, as
/// the page and the CLI do) instead of keeping every text.
fn analyze(pieces: &[&[u8]], read_back: bool) -> Analysis {
    let total = pieces.iter().map(|p| p.len() as u64).sum();
    let mut a = if read_back {
        let source = sipscope::store::text::MemorySource(vec![pieces.concat()]);
        Analyzer::with_source(std::rc::Rc::new(source))
    } else {
        Analyzer::new()
    };
    let id = a.add_file("input.log", total);
    for p in pieces {
        a.push(id, p);
    }
    a.finish_file(id);
    a.finish()
}

/// The whole analysis, as the page and the CLI run it: the input fed whole and in arbitrary chunks must give
/// the same analysis; every message's span lies inside its file; counts add up; every view builds and its
/// JSON parses.
pub fn analysis(data: &[u8]) {
    let whole = analyze(&[data], false);
    let mut rng = Rng::for_input(data);
    let json = render::export(&whole, None, OutputFormat::Json).bytes;
    let trace = trace_json(&whole);
    let mut splits = vec![chunks(data, &mut rng)];
    if data.len() <= 256 {
        // Byte by byte: every boundary at once (a decision taken on a partial first line shows here).
        splits.push(data.chunks(1).collect());
    }
    // Chunked runs read verbatim text back from the input: what they show must be what keeping it shows.
    for pieces in splits {
        let chunked = analyze(&pieces, true);
        let other = render::export(&chunked, None, OutputFormat::Json).bytes;
        for i in 0..whole.messages.len().min(64) as u32 {
            assert_eq!(
                whole.sip(i).raw,
                chunked.sip(i).raw,
                "message {i} read back differs from the text kept"
            );
        }
        if json != other {
            panic!(
                "the analysis depends on chunking ({} chunks):\nwhole:   {}\nchunked: {}",
                pieces.len(),
                String::from_utf8_lossy(&json[..json.len().min(2000)]),
                String::from_utf8_lossy(&other[..other.len().min(2000)])
            );
        }
        // Trace lines read back from their places give what keeping their text gives.
        assert!(
            trace == trace_json(&chunked),
            "trace lines read back ({} chunks) differ from the text kept",
            pieces.len()
        );
    }
    check_analysis(&whole, data.len() as u64);
}

/// Every trace line as `sipscope --trace --json` prints it.
fn trace_json(a: &Analysis) -> Vec<u8> {
    let all =
        sipscope::view::trace::TraceFilter::lines_from(sipscope::import::trace::Level::Trace, "");
    let mut out = Vec::new();
    render::trace::write_trace(a, &all, true, &mut out)
        .expect("an empty query reads")
        .expect("writing to memory");
    out
}

/// Invariants of one analysis of an input of `input_len` bytes.
pub fn check_analysis(a: &Analysis, input_len: u64) {
    assert_eq!(
        a.files.first().map(|f| f.bytes),
        Some(input_len),
        "the input file's size"
    );
    let mut sightings = 0usize;
    for m in &a.messages {
        for s in std::iter::once(m).chain(m.also.iter()) {
            sightings += 1;
            let file = &a.files[s.file as usize];
            assert!(
                s.span.0 <= s.span.1 && s.span.1 <= file.bytes,
                "message span {:?} outside its file of {} bytes",
                s.span,
                file.bytes
            );
            assert!(s.line >= 1, "lines are 1-based");
        }
    }
    let counted: u64 = a.files.iter().map(|f| f.messages as u64).sum();
    assert_eq!(
        counted, sightings as u64,
        "files' message counts add up to the messages read"
    );
    for d in &a.diagnostics {
        if let Some(f) = d.file {
            assert!(
                (f as usize) < a.files.len(),
                "diagnostic names a file that does not exist"
            );
        }
        if let Some(i) = d.msg {
            assert!(
                (i as usize) < a.messages.len(),
                "diagnostic names a message that does not exist"
            );
        }
    }
    for format in OutputFormat::ALL {
        let out = render::export(a, None, format).bytes;
        if matches!(format, OutputFormat::Json) {
            serde_json::from_slice::<serde_json::Value>(&out).expect("the JSON export parses");
        }
    }
    serde_json::to_string(&a.summary()).expect("the summary serializes");
    serde_json::to_string(&a.findings_view()).expect("the findings serialize");
    serde_json::to_string(&a.presence_view()).expect("the presence view serializes");
    serde_json::to_string(&a.conversation_list()).expect("the conversations serialize");
    // The trace view: every line and message once, in order; each line's text readable; a message found.
    let mut view = sipscope::view::trace::TraceView::new(a);
    let count = view.select(a, &sipscope::view::trace::TraceFilter::default());
    assert_eq!(
        count.total as u64,
        a.messages.len() as u64 + a.trace_line_count(),
        "the trace view lists every line and message"
    );
    let page = view.page(a, 0, count.total.min(64));
    serde_json::to_string(&page).expect("trace rows serialize");
    serde_json::to_string(&a.trace_summary()).expect("the trace summary serializes");
    if !a.messages.is_empty() {
        assert!(view.locate_message(0).exact, "a message has its place");
    }
    // Each message's panel, as a click shows it (the first ones: the fuzzer's inputs are small).
    for i in 0..a.messages.len().min(16) as u32 {
        let d = a
            .message_detail(i)
            .expect("every message has a detail view");
        serde_json::to_string(&d).expect("a message's detail serializes");
    }
}

/// One importer fed whole and in chunks: the same records and diagnostics; every record's span inside the input.
fn importer(format: Format, data: &[u8]) {
    let run = |pieces: &[&[u8]]| {
        let mut imp = Importer::new(format, 0);
        let mut sink = Sink::default();
        for p in pieces {
            imp.push(p, &mut sink);
        }
        imp.finish(&mut sink);
        sink
    };
    let whole = run(&[data]);
    let mut rng = Rng::for_input(data);
    let chunked = run(&chunks(data, &mut rng));
    assert!(
        whole.records == chunked.records,
        "{format:?}: records depend on chunking"
    );
    assert!(
        whole.tls == chunked.tls,
        "{format:?}: TLS records depend on chunking"
    );
    assert!(
        whole.diagnostics == chunked.diagnostics,
        "{format:?}: diagnostics depend on chunking:\n{:?}\n{:?}",
        whole.diagnostics,
        chunked.diagnostics
    );
    for r in &whole.records {
        assert!(
            r.span.0 <= r.span.1 && r.span.1 <= data.len() as u64,
            "{format:?}: record span {:?} outside the input of {} bytes",
            r.span,
            data.len()
        );
        let text: &[u8] = r.parsed.as_ref().map_or(&r.sip, |m| &m.raw);
        if let Some(at) = &r.at {
            assert!(
                in_file(data, at, text.len()).as_deref() == Some(text),
                "{format:?}: a record's text is not the input's bytes at {at:?}, where the importer says it is"
            );
        }
        if let Ok(m) = r.clone().into_message() {
            check_message(&m);
        }
    }
}

/// The `len` bytes of text an [`InFile`] names in `data` (`None` when it points outside).
fn in_file(data: &[u8], at: &InFile, len: usize) -> Option<Vec<u8>> {
    at.gather(len, |from, n, into| {
        let from = usize::try_from(from).ok()?;
        into.extend_from_slice(data.get(from..from.checked_add(n)?)?);
        Some(())
    })
}

/// A client log (UccApiLog) importer.
pub fn client_log(data: &[u8]) {
    importer(Format::UccApiLog, data);
}

/// A server trace (CLS / OCSLogger text) importer.
pub fn server_trace(data: &[u8]) {
    importer(Format::ServerTrace, data);
}

/// SIP messages as text (pasted, saved streams).
pub fn sip_text(data: &[u8]) {
    importer(Format::SipText, data);
}

/// SBC and proxy logs: the first byte picks the product (Expressway, AudioCodes, Ribbon, FreeSWITCH, drachtio,
/// Kamailio, syslog), the rest is its log, read as [`importer`] reads any format. Detection runs over it too.
pub fn sbc_log(data: &[u8]) {
    let Some((&pick, log)) = data.split_first() else {
        return;
    };
    let products = sipscope::import::Product::ALL;
    importer(
        Format::SbcLog(products[pick as usize % products.len()]),
        log,
    );
    let _ = detect(log, true);
}

/// pcap, pcapng and Network Monitor captures (the format the magic number names; pcap otherwise).
pub fn capture(data: &[u8]) {
    let format = match detect(data, true).0 {
        Format::PcapNg => Format::PcapNg,
        Format::NetMon => Format::NetMon,
        _ => Format::Pcap,
    };
    importer(format, data);
    tls_lineup(format, data);
}

/// A capture with TLS records, merged with the sample client log: whatever the records, the lineup points at
/// real messages and records, each record carries at most one message, and the counts add up.
fn tls_lineup(format: Format, data: &[u8]) {
    let mut imp = Importer::new(format, 0);
    let mut sink = Sink::default();
    imp.push(data, &mut sink);
    imp.finish(&mut sink);
    if sink.tls.is_empty() {
        return;
    }
    const SAMPLE: &[u8] = include_bytes!("../../www/sample/sample.uccapilog");
    let a = Analysis::of_files([("Lync-UccApi-0.UccApilog", SAMPLE), ("capture.pcap", data)]);
    let l = &a.tls_lineup;
    let mut records: Vec<u32> = l.carried.iter().map(|&(_, r)| r).collect();
    records.sort_unstable();
    let n = records.len();
    records.dedup();
    assert_eq!(records.len(), n, "a TLS record carries two messages");
    for &(m, r) in &l.carried {
        let msg = &a.messages[m as usize];
        let rec = &a.tls.records[r as usize];
        assert_eq!(msg.file, 0, "a TLS record carries a message of the capture");
        assert_eq!(rec.file, 1);
        assert_eq!(
            rec.from_client,
            msg.direction == sipscope::import::Direction::Sent
        );
    }
    for c in &l.conns {
        assert!(c.matched + c.keepalives <= c.records, "{c:?}");
    }
    let matched: u32 = l.files.iter().map(|f| f.messages).sum();
    let carried: std::collections::BTreeSet<u32> = l.carried.iter().map(|&(m, _)| m).collect();
    assert_eq!(matched as usize, carried.len());
    for i in carried {
        let _ = a.message_detail(i).expect("a carried message has a detail");
    }
}

/// gzip and zip readers: the same entries whole and chunked.
pub fn archive(data: &[u8]) {
    let kind = archive::sniff(data).unwrap_or(if data.first().is_some_and(|b| b & 1 == 1) {
        archive::Kind::Zip
    } else {
        archive::Kind::Gzip
    });
    let run = |pieces: &[&[u8]]| {
        let mut r = archive::Reader::new(kind, "input.zip");
        let (mut events, mut diags) = (Vec::new(), Vec::new());
        for p in pieces {
            r.push(p, &mut events, &mut diags);
        }
        r.finish(&mut events, &mut diags);
        (entries(events), diags)
    };
    let whole = run(&[data]);
    let mut rng = Rng::for_input(data);
    let pieces = chunks(data, &mut rng);
    let chunked = run(&pieces);
    assert!(whole == chunked, "archive entries depend on chunking");

    // Restart points (how an entry's text is read again): a reader restarted at an entry's header gives that
    // entry again, and a snapshot taken between two pieces goes on exactly as the reader it was taken of.
    let mut r = archive::Reader::new(kind, "input.zip");
    let (mut events, mut diags) = (Vec::new(), Vec::new());
    let mut snap = None;
    for (i, p) in pieces.iter().enumerate() {
        if i == pieces.len() / 2 {
            snap = Some((r.snapshot(), events.len()));
        }
        r.push(p, &mut events, &mut diags);
    }
    r.finish(&mut events, &mut diags);
    let rerun = |mut r: archive::Reader| {
        let (mut events, mut diags) = (Vec::new(), Vec::new());
        let from = usize::try_from(r.consumed()).expect("an offset in the input");
        r.push(&data[from..], &mut events, &mut diags);
        r.finish(&mut events, &mut diags);
        events
    };
    if let Some((s, from)) = snap {
        assert!(
            joined(rerun(s)) == joined(events[from..].to_vec()),
            "a snapshot does not go on as its reader did"
        );
    }
    let (mut entry, whole_entries) = (0, &whole.0);
    for e in &events {
        if let archive::Event::Begin { at, .. } = e {
            let again = entries(rerun(archive::Reader::restart(kind, *at)));
            let first = again
                .first()
                .expect("a restart at a header begins that entry");
            assert!(
                first.1 == whole_entries[entry].1,
                "entry {entry} read again from its header differs"
            );
            entry += 1;
        }
    }
}

/// Events with adjacent data joined (chunking may split data differently).
fn joined(events: Vec<archive::Event>) -> Vec<archive::Event> {
    let mut out: Vec<archive::Event> = Vec::new();
    for e in events {
        match (out.last_mut(), e) {
            (Some(archive::Event::Data(d)), archive::Event::Data(more)) => {
                d.extend_from_slice(&more)
            }
            (_, e) => out.push(e),
        }
    }
    out
}

/// Entry names and contents from a reader's events (data joined: chunking may split it differently).
fn entries(events: Vec<archive::Event>) -> Vec<(String, Vec<u8>, bool)> {
    let mut out: Vec<(String, Vec<u8>, bool)> = Vec::new();
    for e in events {
        match e {
            archive::Event::Begin { name, .. } => out.push((name, Vec::new(), false)),
            archive::Event::Data(d) => out
                .last_mut()
                .expect("data before any entry began")
                .1
                .extend_from_slice(&d),
            archive::Event::End => out.last_mut().expect("end before any entry began").2 = true,
        }
    }
    out
}

/// The SIP parser and the block framer.
pub fn sip_message(data: &[u8]) {
    for f in framing::frame_block(data) {
        assert!(
            f.range.start <= f.range.end && f.range.end <= data.len(),
            "frame {:?} outside the block of {} bytes",
            f.range,
            data.len()
        );
    }
    if let Ok(m) = sip::parse_message(data.to_vec()) {
        check_message(&m);
        let _ = sipscope::explain::annotate_message(&m);
        let _ = sipscope::explain::body::decode_body(&m);
    }
}

/// A parsed message's spans lie inside its text, and every accessor answers.
fn check_message(m: &sip::Message) {
    let len = m.raw.len() as u32;
    assert!(m.body.start <= m.body.end && m.body.end == len, "body span");
    for h in &m.headers {
        assert!(
            h.name.start < h.name.end && h.name.end <= len,
            "header name span"
        );
        assert!(
            h.value.start <= h.value.end && h.value.end <= len,
            "header value span"
        );
        let _ = (m.name(h), m.value(h));
    }
    let _ = (
        m.content_length(),
        m.cseq(),
        m.top_via(),
        m.start_line(),
        m.call_id(),
    );
    let _ = (m.via_branch(), m.from_tag(), m.to_tag(), m.content_type());
    let _ = sip::body::parts(m);
}

/// Body decoders (multipart, XML summaries, SDP, presence, IM text): the first line is the Content-Type, the
/// rest the body. Pretty-printed XML stays in proportion to its input.
pub fn body(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (content_type, body) = text.split_once('\n').unwrap_or((&text, ""));
    let summary = sipscope::explain::body::summarize_part(0, content_type.trim(), body);
    let _ = format!("{summary:?}");
    let _ = sipscope::explain::body::presence_docs(body);
    if let Some(pretty) = sip::body::pretty_xml(body) {
        assert!(
            pretty.len() <= 12 * body.len() + 4096,
            "pretty-printed XML of {} bytes grew to {}",
            body.len(),
            pretty.len()
        );
    }
}

/// The SIP value grammar (URIs, name-addr, Via, parameters, authentication parameters, folding): every span
/// it returns lies inside the value, on character boundaries.
pub fn grammar(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s: &str = &s;
    let ok = |r: &std::ops::Range<usize>| {
        assert!(
            r.start <= r.end
                && r.end <= s.len()
                && s.is_char_boundary(r.start)
                && s.is_char_boundary(r.end),
            "span {r:?} outside or inside a character of a {}-byte value",
            s.len()
        )
    };
    ok(&grammar::first_entry_span(s));
    ok(&grammar::semi_first(s));
    for r in grammar::split_spans(s, b',') {
        ok(&r);
    }
    for p in grammar::semi_params(s) {
        ok(&p.name);
        ok(&p.value);
    }
    let na = grammar::name_addr(s);
    ok(&na.uri);
    ok(&na.params);
    if let Some(d) = &na.display {
        ok(d);
    }
    let u = grammar::uri(s);
    for r in [&u.scheme, &u.host, &u.params]
        .into_iter()
        .chain(u.user.as_ref())
        .chain(u.port.as_ref())
    {
        ok(r);
    }
    for p in grammar::uri_params(s, u.params.clone()) {
        ok(&p.name);
        ok(&p.value);
    }
    let v = grammar::via(s);
    for r in [&v.protocol, &v.params]
        .into_iter()
        .chain(v.sent_by.as_ref())
    {
        ok(r);
    }
    let (scheme, params) = grammar::auth(s);
    ok(&scheme);
    for p in params {
        ok(&p.name);
        ok(&p.value);
    }
    for r in grammar::unfold(s) {
        ok(&r);
    }
    ok(&grammar::uri_host_port(s));
    for name in ["branch", "tag", "epid", "expires", "+sip.instance"] {
        if let Some(r) = grammar::param_span(s, name) {
            ok(&r);
        }
        if let Some(r) = grammar::param_value_bytes(data, name.as_bytes()) {
            assert!(r.start <= r.end && r.end <= data.len());
        }
    }
}

/// A redacted copy (`sipscope redact`) of any input: never a panic; and the copy is read as the same format with
/// the same messages — count, methods and statuses —, malformed inputs too (tests/regressions/redact/README.md).
/// The one exception: an archive whose copy leaves a file out (one that cannot be redacted is never copied
/// through), which then holds fewer messages by design.
pub fn redact(data: &[u8]) {
    let (out, r) = sipscope::redact::redact_all(&[data], sipscope::redact::Keep::default());
    let Some(Ok(copy)) = out.first() else {
        return;
    };
    if !r.left_out().is_empty() {
        return;
    }
    let before = Analysis::of_files([("input.log", data)]);
    let after = Analysis::of_files([("input.log", copy.as_slice())]);
    assert_eq!(
        before.files.first().map(|f| f.format),
        after.files.first().map(|f| f.format),
        "the copy is read as the same format"
    );
    let shape = |a: &Analysis| -> Vec<(Option<String>, Option<u16>)> {
        a.messages
            .iter()
            .map(|m| {
                (
                    m.brief.method.map(|s| a.syms().get(s).to_string()),
                    m.brief.status,
                )
            })
            .collect()
    };
    assert_eq!(
        shape(&before),
        shape(&after),
        "the copy holds the same messages"
    );
}
