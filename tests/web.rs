//! wasm-bindgen tests of the JS bindings, run in headless Chromium by wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

use sipscope::web::{redact, sample_log, version, Session};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn analyze(bytes: &[u8], chunk: usize) -> Session {
    let mut s = Session::new(None);
    let id = s.add_file("sample.uccapilog", bytes.len() as f64).unwrap();
    for c in bytes.chunks(chunk) {
        s.push(id, c);
    }
    s.finish_file(id);
    s
}

#[wasm_bindgen_test]
fn sample_analyzes_to_a_ladder_with_clickable_arrows() {
    let bytes = sample_log().to_vec();
    assert!(bytes.len() > 1000);
    let mut s = analyze(&bytes, 4 << 20);
    let summary = s.summary();
    let count = get(&summary, "message_count").as_f64().unwrap();
    assert!(count >= 20.0, "sample has {count} messages");
    let files = js_sys::Array::from(&get(&summary, "files"));
    assert_eq!(
        get(&files.get(0), "format").as_string().unwrap(),
        "uccapilog"
    );

    let meta = s.ladder_meta();
    assert_eq!(get(&meta, "rows").as_f64().unwrap(), count);
    let svg = s.ladder_svg(0, 5);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert_eq!(svg.matches("data-msg=\"").count(), 5);

    let m = s.message(0);
    assert!(get(&m, "start_line")
        .as_string()
        .unwrap()
        .starts_with("REGISTER "));
    let headers = js_sys::Array::from(&get(&m, "headers"));
    assert!(headers.length() > 5);
    assert!(s.message(1_000_000).is_null());
}

#[wasm_bindgen_test]
fn chunk_size_does_not_change_the_result() {
    let bytes = sample_log().to_vec();
    let mut whole = analyze(&bytes, bytes.len());
    let mut small = analyze(&bytes, 997);
    assert_eq!(whole.ladder_svg(0, 10_000), small.ladder_svg(0, 10_000));
    assert_eq!(whole.message_count(), small.message_count());
}

#[wasm_bindgen_test]
fn conversations_filter_the_ladder() {
    let bytes = sample_log().to_vec();
    let mut s = analyze(&bytes, 65536);
    let convs = js_sys::Array::from(&s.conversations());
    assert!(convs.length() >= 3);
    let first = convs.get(0);
    let n = get(&first, "message_count").as_f64().unwrap() as u32;
    assert!(
        get(&first, "messages").is_undefined(),
        "the lists stay in the engine"
    );
    s.set_filter(0);
    assert_eq!(get(&s.ladder_meta(), "rows").as_f64().unwrap() as u32, n);
    s.set_filter(-1);
    assert_eq!(
        get(&s.ladder_meta(), "rows").as_f64().unwrap() as usize,
        s.message_count()
    );
}

#[wasm_bindgen_test]
fn junk_gives_a_diagnostic_not_a_crash() {
    let junk: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut s = analyze(&junk, 4096);
    let summary = s.summary();
    assert_eq!(get(&summary, "message_count").as_f64().unwrap(), 0.0);
    let diags = js_sys::Array::from(&get(&summary, "diagnostics"));
    assert!(diags.length() >= 1);
    assert_eq!(get(&diags.get(0), "severity").as_string().unwrap(), "error");
    assert!(!version().is_empty());
}

#[wasm_bindgen_test]
fn a_clock_offset_set_by_hand_re_merges_the_files() {
    let bytes = sample_log().to_vec();
    let mut s = Session::new(None);
    for (name, b) in [("a.uccapilog", &bytes), ("b.uccapilog", &bytes)] {
        let id = s.add_file(name, b.len() as f64).unwrap();
        s.push(id, b);
        s.finish_file(id);
    }
    // The same log twice: every message is seen in both files, drawn once.
    let clocks = js_sys::Array::from(&get(&s.summary(), "clocks"));
    assert_eq!(
        get(&clocks.get(1), "source").as_string().unwrap(),
        "estimated"
    );
    assert_eq!(s.message_count(), 34);
    // An hour apart by hand: nothing is shared any more.
    s.set_clock_offset(1, Some(3_600_000.0));
    let clocks = js_sys::Array::from(&get(&s.summary(), "clocks"));
    assert_eq!(get(&clocks.get(1), "source").as_string().unwrap(), "manual");
    assert_eq!(s.message_count(), 68);
    s.set_clock_offset(1, None);
    assert_eq!(s.message_count(), 34);
}

#[wasm_bindgen_test]
fn annotations_findings_and_presence_reach_js() {
    let bytes = sample_log().to_vec();
    let mut s = analyze(&bytes, 1 << 16);
    let m = s.message(0);
    let notes = js_sys::Array::from(&get(&m, "annotations"));
    assert!(notes.length() > 3);
    let ua = notes
        .iter()
        .find(|a| get(a, "header").as_string().unwrap() == "User-Agent")
        .unwrap();
    assert!(get(&ua, "text")
        .as_string()
        .unwrap()
        .contains("Skype for Business"));
    let page = s.findings(0, 1000);
    assert!(get(&page, "total").as_f64().unwrap() >= 1.0);
    let findings = js_sys::Array::from(&get(&page, "items"));
    assert!(findings
        .iter()
        .any(|f| get(&f, "title").as_string().unwrap().contains("503")));
    let presence = s.presence();
    let contacts = js_sys::Array::from(&get(&presence, "contacts"));
    assert!(contacts.length() >= 2);
}

#[wasm_bindgen_test]
fn a_query_returns_the_matching_message_indices() {
    let bytes = sample_log().to_vec();
    let mut s = analyze(&bytes, 1 << 20);
    let hits_of = |s: &mut Session, q: &str| -> Vec<u32> {
        let r = s.set_query(q, false);
        js_sys::Array::from(&get(&r, "hits"))
            .iter()
            .map(|v| v.as_f64().unwrap() as u32)
            .collect()
    };
    let hits = hits_of(&mut s, "BeNotify");
    assert!(!hits.is_empty());
    assert!(
        js_sys::Array::from(&get(&s.set_query("BeNotify", false), "conversations")).length() >= 1
    );
    for i in hits {
        let m = s.message(i);
        let raw = get(&m, "raw").as_string().unwrap_or_default();
        let start = get(&m, "start_line").as_string().unwrap_or_default();
        assert!(
            format!("{start}\n{raw}")
                .to_lowercase()
                .contains("benotify"),
            "message {i}"
        );
    }
    assert_eq!(hits_of(&mut s, "211.208.253.66").len(), s.message_count());
    assert!(hits_of(&mut s, "no-such-text-anywhere-42").is_empty());
}

#[wasm_bindgen_test]
fn the_trace_view_lists_lines_and_finds_a_message_among_them() {
    let bytes = sample_log().to_vec();
    let mut s = analyze(&bytes, 1 << 20);
    let summary = s.trace_summary();
    assert_eq!(get(&summary, "lines").as_f64(), Some(42.0));
    assert_eq!(get(&get(&summary, "levels"), "error").as_f64(), Some(2.0));
    // Errors and warnings only, no messages.
    let count = s.set_trace_filter(1 | 2, false, "", "");
    assert_eq!(get(&count, "total").as_f64(), Some(5.0));
    let page = s.trace_rows(0, 100);
    let rows = js_sys::Array::from(&get(&page, "rows"));
    assert_eq!(rows.length(), 5);
    for r in rows.iter() {
        let level = get(&r, "level").as_string().unwrap();
        assert!(level == "error" || level == "warn", "{level}");
        assert!(!get(&r, "text").as_string().unwrap().is_empty());
    }
    // Everything: the 503 (message 15) is a row of its own.
    s.set_trace_filter(15, true, "", "");
    let place = s.trace_locate(15);
    assert_eq!(get(&place, "exact").as_bool(), Some(true));
    let row = get(&place, "row").as_f64().unwrap() as u32;
    let one = js_sys::Array::from(&get(&s.trace_rows(row, 1), "rows")).get(0);
    assert_eq!(get(&one, "message").as_f64(), Some(15.0));
    // A query that cannot be read comes back as a problem.
    let bad = s.set_trace_filter(15, true, "", "level:loud");
    assert!(get(&get(&bad, "error"), "message")
        .as_string()
        .unwrap()
        .contains("loud"));
}

#[wasm_bindgen_test]
fn exports_carry_mime_name_and_bytes() {
    let bytes = sample_log().to_vec();
    let mut s = analyze(&bytes, 1 << 20);
    let e = s.export("mermaid").unwrap();
    assert_eq!(get(&e, "name").as_string().unwrap(), "sample.mmd");
    let b = js_sys::Uint8Array::new(&get(&e, "bytes")).to_vec();
    assert!(String::from_utf8(b)
        .unwrap()
        .starts_with("sequenceDiagram\n"));
    let svg = s.export("svg").unwrap();
    assert_eq!(get(&svg, "mime").as_string().unwrap(), "image/svg+xml");
    assert!(s.export("pdf").is_err());
    // Narrowed to the third conversation, the name says so; the tables list the ladder's messages.
    s.set_filter(2);
    let rows = get(&s.ladder_meta(), "rows").as_f64().unwrap() as usize;
    let puml = s.export("plantuml").unwrap();
    assert_eq!(
        get(&puml, "name").as_string().unwrap(),
        "sample-conversation-3.puml"
    );
    let csv = s.export("csv").unwrap();
    assert_eq!(
        get(&csv, "name").as_string().unwrap(),
        "sample-conversation-3.csv"
    );
    let csv = String::from_utf8(js_sys::Uint8Array::new(&get(&csv, "bytes")).to_vec()).unwrap();
    assert_eq!(csv.matches("\r\n").count(), rows + 1);
    let snooper = s.export("snooper").unwrap();
    assert_eq!(
        get(&snooper, "name").as_string().unwrap(),
        "sample-conversation-3-snooper.txt"
    );
}

/// A session given the worker's `read(file, offset, length)` leaves the text in the file and reads it back:
/// every message shows what a session that kept the text shows.
#[wasm_bindgen_test]
fn a_session_reads_message_text_back_through_the_js_reader() {
    let bytes = sample_log();
    let reads = js_sys::Array::new();
    let read = js_sys::Function::new_with_args(
        "bytes, reads, file, offset, length",
        "reads.push(offset); return file === 0 ? bytes.subarray(offset, offset + length) : null;",
    )
    .bind2(&JsValue::NULL, &bytes, &reads)
    .unchecked_into::<js_sys::Function>();
    let mut s = Session::new(Some(read));
    let data = bytes.to_vec();
    let id = s.add_file("sample.uccapilog", data.len() as f64).unwrap();
    for c in data.chunks(4096) {
        s.push(id, c);
    }
    s.finish_file(id);
    let mut kept = analyze(&data, 4096);
    let count = s.message_count();
    assert!(count > 20);
    for i in 0..count as u32 {
        let (a, b) = (s.message(i), kept.message(i));
        assert_eq!(
            get(&a, "raw").as_string(),
            get(&b, "raw").as_string(),
            "message {i}"
        );
    }
    assert!(reads.length() > 0, "the text was read back, not kept");
}

#[wasm_bindgen_test]
fn redact_gives_copies_as_bytes_a_summary_and_the_mapping_only_when_asked() {
    let sample = sample_log();
    let junk = js_sys::Uint8Array::from(&[0u8, 159, 146, 150, 0, 1][..]);
    let names = vec!["sample.uccapilog".to_string(), "junk.bin".to_string()];
    let r = redact(
        names.clone(),
        vec![sample.clone(), junk.clone()],
        vec!["domains".into()],
        false,
        false,
    )
    .unwrap();
    let copies = js_sys::Array::from(&get(&r, "copies"));
    let copy = copies.get(0).dyn_into::<js_sys::Uint8Array>().unwrap();
    assert!(copy.length() > 1000);
    assert!(copies.get(1).is_null(), "junk has no copy");
    assert!(get(&r, "mapping").is_null());
    let summary = get(&r, "summary");
    let files = js_sys::Array::from(&get(&summary, "files"));
    assert_eq!(
        get(&files.get(0), "copy_name").as_string().unwrap(),
        "sample-redacted.uccapilog"
    );
    assert_eq!(
        get(&files.get(0), "copy_size").as_f64(),
        Some(copy.length() as f64)
    );
    assert!(get(&files.get(1), "refused").as_string().is_some());
    let cats = js_sys::Array::from(&get(&summary, "categories"));
    let domains = cats
        .iter()
        .find(|c| get(c, "name").as_string().as_deref() == Some("domains"))
        .unwrap();
    assert_eq!(get(&domains, "kept").as_bool(), Some(true));
    let text = String::from_utf8(copy.to_vec()).unwrap();
    assert!(text.contains("limcm.com"), "domains kept");
    assert!(!text.contains("sip:on1@"), "users replaced");
    assert!(get(&r, "zip").is_null());
    let with = redact(names, vec![sample.clone(), junk], vec![], true, true).unwrap();
    assert!(get(&with, "zip").is_null(), "one copy: no zip");
    let two = redact(
        vec!["a.uccapilog".into(), "b.uccapilog".into()],
        vec![sample.clone(), sample],
        vec![],
        false,
        true,
    )
    .unwrap();
    let zip = get(&two, "zip").dyn_into::<js_sys::Uint8Array>().unwrap();
    assert_eq!(&zip.to_vec()[..4], b"PK\x03\x04");
    assert!(get(&with, "mapping")
        .as_string()
        .unwrap()
        .contains("\tlimcm.com\t"));
    assert!(redact(vec!["a".into()], vec![], vec![], false, false).is_err());
    assert!(redact(vec![], vec![], vec!["passwords".into()], false, false).is_err());
}
