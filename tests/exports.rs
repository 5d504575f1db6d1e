//! The text exports checked as their readers read them: the Snooper-readable text read back by sipscope's own
//! client-log importer gives the same messages for every fixture; the CSV parses as RFC 4180 with a row a message
//! and no cell that starts a formula, whatever the log says; the saved file's name says the input and the view.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::sets;

use sipscope::import::Direction;
use sipscope::ladder::layout::Layout;
use sipscope::render::{csv, export, OutputFormat, Shown};
use sipscope::{Analysis, Code, Severity};

/// `text` with CRLF line ends (what the export writes): each line that an LF ends written with one CR before it.
fn crlf(text: &[u8]) -> Vec<u8> {
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let last = lines.len() - 1;
    let lines: Vec<&[u8]> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| match l.strip_suffix(b"\r") {
            Some(l) if k < last => l,
            _ => l,
        })
        .collect();
    lines.join(&b"\r\n"[..])
}

fn analyze(data: &[(String, Vec<u8>)]) -> Analysis {
    Analysis::of_files(data.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
}

/// Every message of `a` again, in order, in `b` (the export of `a` read back): start line, Call-ID, CSeq, the text
/// and body byte for byte, direction (none is written as sent), addresses, time (none is the one written before,
/// or 1970-01-01 when no message has one).
fn same_messages(name: &str, a: &Analysis, b: &Analysis) {
    assert_eq!(b.messages.len(), a.messages.len(), "{name}: message count");
    let mut written = a
        .messages
        .iter()
        .find_map(|m| m.time)
        .or(Some(sipscope::base::time::Timestamp(0)));
    for (i, (x, y)) in a.messages.iter().zip(&b.messages).enumerate() {
        let at = format!("{name}: message {}", i + 1);
        let (sx, sy) = (a.sip(i as u32), b.sip(i as u32));
        assert_eq!(sy.start_line(), sx.start_line(), "{at}: start line");
        assert_eq!(sy.call_id(), sx.call_id(), "{at}: Call-ID");
        assert_eq!(sy.cseq(), sx.cseq(), "{at}: CSeq");
        assert!(sy.raw == crlf(&sx.raw), "{at}: text");
        assert!(sy.body() == crlf(sx.body()).as_slice(), "{at}: body");
        let direction = match x.direction {
            Direction::Unknown => Direction::Sent,
            d => d,
        };
        assert_eq!(y.direction, direction, "{at}: direction");
        assert_eq!((&*y.src, &*y.dst), (&*x.src, &*x.dst), "{at}: addresses");
        if x.time.is_some() {
            written = x.time;
        }
        assert_eq!(y.time, written, "{at}: time");
    }
}

#[test]
fn snooper_text_reads_back_to_the_same_messages() {
    for (name, data) in sets() {
        let a = analyze(&data);
        if a.messages.is_empty() {
            // An encrypted capture alone: nothing to write.
            assert!(
                a.diagnostics.iter().any(|d| d.code == Code::TlsConnection),
                "{name}: has messages"
            );
            continue;
        }
        let e = export(&a, None, OutputFormat::Snooper);
        let b = Analysis::of_files([("export-snooper.txt", e.bytes.as_slice())]);
        assert_eq!(
            b.files[0].format.name(),
            "uccapilog",
            "{name}: a client log"
        );
        same_messages(&name, &a, &b);
        // Reading it raises no problem the input did not have.
        for d in &b.diagnostics {
            assert!(
                d.severity == Severity::Info || a.diagnostics.iter().any(|o| o.code == d.code),
                "{name}: {:?} {}",
                d.code,
                d.message
            );
        }
        // Nothing in it but the messages' frames and text: no line of the export is a trace line.
        assert_eq!(b.trace_line_count(), 0, "{name}: trace lines");
    }
}

#[test]
fn a_narrowed_view_exports_its_messages_and_says_so_in_the_name() {
    let (_, data) = sets().into_iter().next().unwrap();
    assert_eq!(data[0].0, "sample.uccapilog");
    let a = analyze(&data);
    let c = 4;
    let conv = &a.flow.conversations[c];
    let ladder = a.ladder(Some(&conv.messages));
    let layout = Layout::new(&ladder);
    let shown = Shown {
        ladder: &ladder,
        layout: &layout,
        conversation: Some(c),
    };
    let e = export(&a, Some(shown), OutputFormat::Snooper);
    assert_eq!(
        e.name,
        format!("sample-conversation-{}-snooper.txt", conv.id + 1)
    );
    let b = Analysis::of_files([("narrowed-snooper.txt", e.bytes.as_slice())]);
    assert_eq!(b.messages.len(), conv.messages.len());
    for (k, &i) in conv.messages.iter().enumerate() {
        assert_eq!(b.sip(k as u32).raw, a.sip(i).raw);
    }
    let csv = export(&a, Some(shown), OutputFormat::Csv);
    assert_eq!(csv.name, format!("sample-conversation-{}.csv", conv.id + 1));
    let rows = records(&csv.bytes);
    assert_eq!(rows.len(), conv.messages.len() + 1);
    for (row, &i) in rows[1..].iter().zip(&conv.messages) {
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[13], (c + 1).to_string(), "conversation, from 1");
    }
    let puml = export(&a, Some(shown), OutputFormat::Plantuml);
    assert_eq!(
        puml.name,
        format!("sample-conversation-{}.puml", conv.id + 1)
    );
    assert_eq!(export(&a, None, OutputFormat::Mermaid).name, "sample.mmd");
}

#[test]
fn file_names_say_the_first_input() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-presence.uccapilog"
    ))
    .unwrap();
    for (input, stem) in [
        (
            "C:\\Users\\on1\\Tracing\\Lync-UccApi-0.UccApilog",
            "Lync-UccApi-0",
        ),
        ("/tmp/logs/Lync-UccApi-0.UccApilog.gz", "Lync-UccApi-0"),
        ("trace.2018-03-30.log", "trace.2018-03-30"),
        ("no-extension", "no-extension"),
        (".hidden", ".hidden"),
        ("통화 기록.txt", "통화 기록"),
        ("a:b|c?.log", "a_b_c_"),
        ("", "sipscope"),
        ("..", "sipscope"),
        ("-", "sipscope"),
    ] {
        let a = Analysis::of_files([(input, bytes.as_slice())]);
        for f in OutputFormat::ALL {
            assert_eq!(
                export(&a, None, f).name,
                format!("{stem}{}", f.suffix()),
                "{input}"
            );
        }
    }
    let a = Analysis::of_files([("x.log", bytes.as_slice())]);
    let names: Vec<String> = OutputFormat::ALL.iter().map(|f| f.file_name("x")).collect();
    assert_eq!(
        names,
        [
            "x.txt",
            "x.json",
            "x-summary.txt",
            "x.svg",
            "x.mmd",
            "x.puml",
            "x.csv",
            "x-snooper.txt",
            "x.html"
        ]
    );
    assert_eq!(
        export(&a, None, OutputFormat::Csv).mime,
        "text/csv;charset=utf-8;header=present"
    );
}

/// The records of an RFC 4180 text with CRLF line ends (after the UTF-8 byte-order mark), each its fields.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(text.ends_with("\r\n"), "the last record ends with CRLF");
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => {
                assert!(field.is_empty(), "a quote inside an unquoted field");
                quoted = true;
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR only before LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("an LF without CR"),
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted && record.is_empty() && field.is_empty());
    records
}

#[test]
fn csv_is_one_record_a_message_with_the_rows_values() {
    for (name, data) in sets() {
        let a = analyze(&data);
        let rows = records(&export(&a, None, OutputFormat::Csv).bytes);
        assert_eq!(rows[0], csv::COLUMNS, "{name}: header");
        assert_eq!(
            rows.len(),
            a.messages.len() + 1,
            "{name}: a record a message"
        );
        for (i, row) in rows[1..].iter().enumerate() {
            assert_eq!(row.len(), csv::COLUMNS.len(), "{name}: fields");
            let m = a.message_row(i as u32).unwrap();
            assert_eq!(row[0], (i + 1).to_string());
            assert_eq!(row[1], m.core.time.unwrap_or_default());
            assert_eq!(row[2], a.files[m.core.file as usize].name);
            assert_eq!(row[4], m.core.direction.as_str());
            assert_eq!(row[9], m.core.start_line);
            assert_eq!(row[10], m.core.call_id.unwrap_or_default());
            assert_eq!(row[11], m.core.cseq.unwrap_or_default());
        }
    }
}

/// The hostile fixture with formulas where a spreadsheet would run them: Call-IDs of the same length beginning
/// with `=`, `@`, `-` and `+`, and a file name beginning with `=`.
#[test]
fn csv_cells_never_start_a_formula() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile.uccapilog"
    );
    let mut log = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    let payloads = [
        (
            "1f3b5d7f9a0c4e2a6c8e0a2c4e6a8c0e",
            "=HYPERLINK(\"http://x\",\"pwned\")",
        ),
        (
            "2a4c6e8a0b1d4f3a5c7e9a1c3e5a7c9e",
            "@SUM(1+1)*cmd|' /C calc'!A0 xxxx",
        ),
        (
            "e1a3c5e7f9b14d2f6a8c0e2f4b6d8f13",
            "-2+3+cmd|' /C calc'!A0 xxxxxxxxx",
        ),
    ];
    for (id, payload) in payloads {
        let payload = format!("{payload:x<32}");
        assert_eq!(
            payload.len(),
            id.len(),
            "same length, so every byte count holds"
        );
        log = log.replace(id, &payload);
    }
    let name = "=cmd|' /C calc'!A0.uccapilog";
    let a = Analysis::of_files([(name, log.as_bytes())]);
    assert_eq!(a.messages.len(), 6);
    assert!(a
        .diagnostics
        .iter()
        .all(|d| d.severity != Severity::Warning));
    let rows = records(&export(&a, None, OutputFormat::Csv).bytes);
    let mut guarded = 0;
    for row in &rows[1..] {
        for cell in row {
            let start = cell.trim_start_matches(' ');
            assert!(
                !start.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts a formula: {cell:?}"
            );
            guarded += usize::from(cell.starts_with('\''));
        }
        assert_eq!(row[2], format!("'{name}"));
        assert!(
            row[10].starts_with("'=") || row[10].starts_with("'@") || row[10].starts_with("'-")
        );
    }
    // The file name and the Call-ID in every row; the HTML and script of the log stay as plain text.
    assert_eq!(guarded, 2 * 6);
    assert!(rows[2][9].contains("<img src=x onerror=alert('PWNED')>"));
}

#[test]
fn csv_keeps_korean_as_utf8() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/utf16.uccapilog"
    );
    let bytes = std::fs::read(path).unwrap();
    let a = Analysis::of_files([("온이 통화 기록.uccapilog", bytes.as_slice())]);
    let e = export(&a, None, OutputFormat::Csv);
    assert!(
        e.bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark"
    );
    assert_eq!(e.name, "온이 통화 기록.csv");
    let rows = records(&e.bytes);
    assert!(rows[1..].iter().all(|r| r[2] == "온이 통화 기록.uccapilog"));
}
