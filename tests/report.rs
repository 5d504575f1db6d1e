//! The HTML report: self-contained (no script, no request, a CSP that allows only its own two style sheets by
//! hash), every log string escaped (the hostile fixture), and what a reader needs in it: summary, findings, the
//! ladder, each message with its headers, meanings and body summaries.
#![cfg(not(target_arch = "wasm32"))]

use sha2::{Digest, Sha256};
use sipscope::ladder::layout::Layout;
use sipscope::render::html;
use sipscope::Analysis;
use std::path::Path;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn report(files: &[(&str, &str)]) -> (Analysis, String) {
    let data: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, p)| (*n, read(p))).collect();
    let a = Analysis::of_files(data.iter().map(|(n, b)| (*n, b.as_slice())));
    let ladder = a.ladder(None);
    let layout = Layout::new(&ladder);
    let html = html::render(&a, &ladder, &layout, files[0].0);
    (a, html)
}

/// The text between `open` and `close` (the first such).
fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let from = s.find(open).unwrap() + open.len();
    &s[from..from + s[from..].find(close).unwrap()]
}

#[test]
fn the_report_allows_no_script_and_only_its_own_styles() {
    let (_, h) = report(&[("sample.uccapilog", "www/sample/sample.uccapilog")]);
    let csp = between(
        &h,
        "http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    );
    assert!(csp.starts_with("default-src 'none'; "), "{csp}");
    assert!(
        !csp.contains("unsafe") && !csp.contains("script-src"),
        "{csp}"
    );
    // Every <style> in the file is allowed by its hash, and nothing else is.
    let mut hashes = Vec::new();
    for part in h.split("<style>").skip(1) {
        let css = &part[..part.find("</style>").unwrap()];
        let digest = Sha256::digest(css.as_bytes());
        let b64 = base64(&digest);
        assert!(
            csp.contains(&format!("'sha256-{b64}'")),
            "a style sheet without its hash in the CSP"
        );
        hashes.push(b64);
    }
    assert_eq!(hashes.len(), 2, "the report's style and the ladder's");
    assert_eq!(csp.matches("'sha256-").count(), 2);
    tags_are_harmless(&h);
}

/// Every tag in `h` is one the report writes (no script, no frame, no image, no form), with no event handler
/// attribute and no link but to a place in the report. Log text is escaped, so every `<` starts a real tag.
fn tags_are_harmless(h: &str) {
    const TAGS: &[&str] = &[
        "!doctype", "html", "head", "meta", "title", "style", "body", "header", "footer", "h1",
        "h2", "h3", "p", "section", "article", "table", "thead", "tbody", "tr", "th", "td", "dl",
        "dt", "dd", "ol", "ul", "li", "strong", "span", "a", "br", "div", "pre", "code", "svg",
        "g", "line", "path", "text", "rect", "tspan", "polygon", "polyline", "circle", "defs",
        "marker", "use",
    ];
    let mut rest = h;
    while let Some(at) = rest.find('<') {
        let tag = &rest[at + 1..at + 1 + rest[at + 1..].find('>').expect("a closed tag")];
        rest = &rest[at + 1 + tag.len()..];
        let tag = tag.trim_start_matches('/');
        let name = tag.split([' ', '/']).next().unwrap().to_ascii_lowercase();
        assert!(TAGS.contains(&name.as_str()), "a <{name}> element: <{tag}>");
        // Attributes: name="value" (values are escaped: no quote inside), or a bare name.
        let mut attrs = tag[tag.find(' ').unwrap_or(tag.len())..].trim();
        while !attrs.is_empty() {
            let end = attrs.find(['=', ' ']).unwrap_or(attrs.len());
            let key = attrs[..end].to_ascii_lowercase();
            attrs = &attrs[end..];
            let mut value = "";
            if let Some(v) = attrs.strip_prefix("=\"") {
                let close = v.find('"').expect("a closed attribute value");
                value = &v[..close];
                attrs = &v[close + 1..];
            }
            attrs = attrs.trim_start();
            let key = key.trim_end_matches('/');
            assert!(!key.starts_with("on"), "an event handler: <{tag}>");
            if key == "href" || key == "xlink:href" {
                assert!(value.starts_with('#'), "a link out of the report: <{tag}>");
            }
        }
    }
}

/// Base64 as the CSP spells a hash (the report's own encoder is private).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = String::new();
    for b in bytes {
        bits.push_str(&format!("{b:08b}"));
    }
    while bits.len() % 6 != 0 {
        bits.push('0');
    }
    let mut out: String = bits
        .as_bytes()
        .chunks(6)
        .map(|c| ABC[usize::from_str_radix(std::str::from_utf8(c).unwrap(), 2).unwrap()] as char)
        .collect();
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

#[test]
fn the_report_holds_what_a_reader_needs() {
    let (a, h) = report(&[("sample.uccapilog", "www/sample/sample.uccapilog")]);
    assert!(
        h.contains("<h2>Findings (5)</h2>"),
        "the sample's five findings"
    );
    assert!(
        h.contains("Temporarily cannot route"),
        "the 503's ms-diagnostics reason"
    );
    assert!(h.contains("<svg"), "the ladder");
    assert_eq!(h.matches("<article class=\"msg").count(), a.messages.len());
    // Each finding links to its message's section.
    for f in a.findings_view() {
        assert!(h.contains(&format!("href=\"#m{}\"", f.msg + 1)));
        assert!(h.contains(&format!("id=\"m{}\"", f.msg + 1)));
    }
    // Headers with their meanings, body summaries, bodies.
    assert!(h.contains("<td class=\"h-name\">ms-diagnostics</td>"));
    assert!(h.contains("class=\"meaning\""));
    assert!(h.contains("class=\"summary\""));
    assert!(h.contains("Busy"), "presence in words");
}

#[test]
fn hostile_log_text_stays_text() {
    let (a, h) = report(&[("hostile.uccapilog", "tests/fixtures/hostile.uccapilog")]);
    assert!(a.messages.len() >= 6);
    tags_are_harmless(&h);
    assert!(
        h.contains("&lt;script&gt;"),
        "the payloads are shown, escaped"
    );
    assert!(h.contains("PWNED"));
}

#[test]
fn a_long_view_is_listed_and_its_first_messages_shown() {
    let one = read("www/sample/sample.uccapilog");
    let many: Vec<u8> = std::iter::repeat_n(one.as_slice(), 40)
        .flatten()
        .copied()
        .collect();
    let a = Analysis::of_files([("many.uccapilog", many.as_slice())]);
    let ladder = a.ladder(None);
    let layout = Layout::new(&ladder);
    let h = html::render(&a, &ladder, &layout, "many.uccapilog");
    assert!(a.messages.len() > html::MESSAGES_SHOWN);
    assert_eq!(
        h.matches("<article class=\"msg").count(),
        html::MESSAGES_SHOWN
    );
    assert!(h.contains(&format!(
        "The first {} of {}",
        html::MESSAGES_SHOWN,
        a.messages.len()
    )));
}
