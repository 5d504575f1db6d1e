//! The HTML report: one self-contained file to hand to a colleague, a vendor or Microsoft support — summary,
//! findings, the ladder as SVG, and each message with its headers, their meanings and its body summaries. It
//! opens offline in any browser and needs no script: its Content-Security-Policy allows none (`default-src
//! 'none'`; its two style sheets by their SHA-256 hashes), and every string from the log is escaped.

use super::svg;
use crate::ladder::{clean_lines, clean_text, layout::Layout, Ladder};
use crate::store::Analysis;
use crate::view::{Finding, MessageDetail};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Messages shown whole in a report; a longer view is listed, and the first of its messages shown whole (a
/// report of 100,000 messages would be hundreds of megabytes no browser opens).
pub const MESSAGES_SHOWN: usize = 1_000;
/// Messages listed in the report's index.
pub const MESSAGES_LISTED: usize = 20_000;

const STYLE: &str = "\
:root{color-scheme:light dark;--text:#1f2328;--muted:#59636e;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;--fail:#c42b2b;--warn:#9a5b00;--ok:#157a3d}\
@media (prefers-color-scheme:dark){:root{--text:#e3e7ed;--muted:#9aa4b4;--line:#2c333d;--bg:#0f1216;--panel:#171b21;--fail:#ff6b6b;--warn:#f0b429;--ok:#4fc27a}}\
body{margin:0 auto;max-width:1200px;padding:16px 24px 48px;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:0 0 6px}\
.muted{color:var(--muted)}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:3px 10px 3px 0;border-bottom:1px solid var(--line)}th{color:var(--muted);font-weight:600}\
.num{text-align:right;font-variant-numeric:tabular-nums}\
ol.findings{padding-left:0;list-style:none}ol.findings li{margin:0 0 6px;padding:6px 10px;border-left:4px solid var(--line);background:var(--panel)}\
li.sev-error{border-color:var(--fail)!important}li.sev-warning{border-color:var(--warn)!important}.sev{font-size:11px;font-weight:700;text-transform:uppercase;margin-right:6px}\
.sev-error .sev{color:var(--fail)}.sev-warning .sev{color:var(--warn)}\
.ladder{overflow-x:auto;border:1px solid var(--line);border-radius:6px;padding:4px}\
article.msg{margin:14px 0;padding:10px 12px;border:1px solid var(--line);border-radius:6px}\
.start{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:700;overflow-wrap:anywhere}\
.k-failure .start{color:var(--fail)}.k-success .start{color:var(--ok)}.kind{font-size:11px;font-weight:700;text-transform:uppercase;color:var(--muted);margin-left:8px}\
td.h-name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600;white-space:nowrap}td.h-value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}\
.meaning{display:block;color:var(--muted);font-family:system-ui,sans-serif;font-size:12.5px}\
.summary{margin:8px 0;padding:6px 10px;background:var(--panel);border-radius:4px}.summary ul{margin:4px 0 0;padding-left:18px}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);padding:8px;border-radius:4px;margin:6px 0}\
ul.problems{margin:6px 0;padding-left:18px;color:var(--warn)}a{color:inherit}\
footer{margin-top:32px;color:var(--muted);font-size:12px}";

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped, control and invisible formatting characters cleaned
/// (single line).
fn esc(s: &str) -> String {
    escape(&clean_text(s))
}

/// [`esc`] for text of several lines (the line breaks stay).
fn esc_lines(s: &str) -> String {
    escape(&clean_lines(s))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    svg::push_escaped(&mut out, s);
    out
}

/// `'sha256-…'` of a style sheet, as a CSP source.
fn csp_hash(css: &str) -> String {
    let digest = Sha256::digest(css.as_bytes());
    format!("'sha256-{}'", crate::base::base64::encode(&digest))
}

/// The report of `analysis` as `ladder` shows it (the page's current view: all messages, a conversation, a
/// query's matches), titled after `name` (the input and the view).
pub fn render(analysis: &Analysis, ladder: &Ladder, layout: &Layout, name: &str) -> String {
    let picture = svg::render_with(ladder, layout, 0..ladder.rows.len());
    // The ladder's own style sheet is allowed by its hash, as the report's is.
    let svg_style = picture
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| css.to_string());
    let mut styles = csp_hash(STYLE);
    if let Some(css) = &svg_style {
        styles.push(' ');
        styles.push_str(&csp_hash(css));
    }
    let mut h = String::new();
    let summary = analysis.summary();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {styles}; img-src data:; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>sipscope report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(name)
    );
    let _ = write!(
        h,
        "<header><h1>sipscope report</h1><p class=\"muted\">{} — made by sipscope {} on the analyst's own device; \
         nothing in it was sent anywhere. It runs no script.</p></header>",
        esc(name),
        env!("CARGO_PKG_VERSION")
    );
    files_and_counts(&mut h, analysis, &summary);
    findings(&mut h, &analysis.findings_view());
    let _ = write!(
        h,
        "<section id=\"flow\"><h2>Message flow ({} messages)</h2><div class=\"ladder\">{picture}</div></section>",
        ladder.rows.len()
    );
    messages(&mut h, analysis, ladder);
    diagnostics(&mut h, &summary);
    h.push_str("<footer>sipscope — SIP flows of Skype for Business / Lync logs, analyzed in the browser.</footer>\n</body>\n</html>\n");
    h
}

fn files_and_counts(h: &mut String, a: &Analysis, s: &crate::view::Summary) {
    h.push_str("<section id=\"summary\"><h2>Summary</h2><table><thead><tr><th>File</th><th>Format</th><th class=\"num\">Bytes</th><th class=\"num\">Messages</th></tr></thead><tbody>");
    for f in &s.files {
        let _ = write!(
            h,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&f.name),
            esc(&f.format_name),
            f.bytes,
            f.messages
        );
    }
    h.push_str("</tbody></table><dl class=\"facts\">");
    let mut fact = |k: &str, v: String| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    };
    fact("Messages", s.message_count.to_string());
    if let (Some(a), Some(b)) = (&s.first_time, &s.last_time) {
        let span = s
            .span
            .as_deref()
            .map(|x| format!(" ({x})"))
            .unwrap_or_default();
        fact("Time", format!("{a} – {b}{span}"));
    }
    fact(
        "Transactions",
        format!(
            "{} ({} failed, {} unanswered)",
            s.transactions, s.failures, s.unanswered
        ),
    );
    fact("Conversations", s.conversations.to_string());
    fact("Subscriptions", s.subscriptions.to_string());
    if s.clocks.len() > 1 {
        for c in &s.clocks {
            let file = a.files.get(c.file as usize).map_or("", |f| f.name.as_str());
            fact(&format!("Clock of {file}"), c.offset_text.clone());
        }
    }
    h.push_str("</dl></section>\n");
}

fn findings(h: &mut String, list: &[Finding]) {
    let _ = write!(
        h,
        "<section id=\"findings\"><h2>Findings ({})</h2>",
        list.len()
    );
    if list.is_empty() {
        h.push_str("<p class=\"muted\">Nothing worth a look was found.</p></section>\n");
        return;
    }
    h.push_str("<ol class=\"findings\">");
    for f in list {
        let sev = f.severity.name();
        let _ = write!(
            h,
            "<li class=\"sev-{sev}\"><span class=\"sev\">{sev}</span><strong>{}</strong> <a href=\"#m{}\">#{}</a><br><span class=\"muted\">{}</span></li>",
            esc(&f.title),
            f.msg + 1,
            f.msg + 1,
            esc(&f.detail)
        );
    }
    h.push_str("</ol></section>\n");
}

fn messages(h: &mut String, a: &Analysis, ladder: &Ladder) {
    let n = ladder.rows.len();
    let _ = write!(h, "<section id=\"messages\"><h2>Messages ({n})</h2>");
    if n > MESSAGES_LISTED {
        let _ = write!(
            h,
            "<p class=\"muted\">The first {MESSAGES_LISTED} of {n} are listed and the first {MESSAGES_SHOWN} shown whole: narrow the view (a conversation, a query) to report the others.</p>"
        );
    } else if n > MESSAGES_SHOWN {
        let _ = write!(
            h,
            "<p class=\"muted\">The first {MESSAGES_SHOWN} of {n} are shown whole: narrow the view (a conversation, a query) to report the others.</p>"
        );
    }
    h.push_str("<table><thead><tr><th>#</th><th>Time</th><th>From</th><th>To</th><th>Message</th></tr></thead><tbody>");
    for row in ladder.rows.iter().take(MESSAGES_LISTED) {
        let m = &a.messages[row.msg as usize];
        let time = crate::base::time::format_clock(m.time);
        let _ = write!(
            h,
            "<tr><td class=\"num\"><a href=\"#m{0}\">{0}</a></td><td class=\"mono\">{1}</td><td class=\"mono\">{2}</td><td class=\"mono\">{3}</td><td>{4}</td></tr>",
            row.msg + 1,
            esc(&time),
            esc(&m.src),
            esc(&m.dst),
            esc(&row.label)
        );
    }
    h.push_str("</tbody></table>");
    for row in ladder.rows.iter().take(MESSAGES_SHOWN) {
        if let Some(d) = a.message_detail(row.msg) {
            message(h, &d);
        }
    }
    h.push_str("</section>\n");
}

fn message(h: &mut String, d: &MessageDetail) {
    let c = &d.core;
    let kind = format!("{:?}", d.kind).to_lowercase();
    let _ = write!(
        h,
        "<article class=\"msg k-{kind}\" id=\"m{}\"><h3>#{} <span class=\"start\">{}</span><span class=\"kind\">{kind}</span></h3><dl class=\"facts\">",
        c.index + 1,
        c.index + 1,
        esc(&c.start_line)
    );
    let mut fact = |k: &str, v: &str| {
        let _ = write!(h, "<dt>{}</dt><dd class=\"mono\">{}</dd>", esc(k), esc(v));
    };
    if let Some(t) = &c.time {
        fact("Time", t);
    }
    fact("From", &c.src);
    fact("To", &c.dst);
    fact("Source", &format!("{}, line {}", d.file_name, d.line));
    if let Some(tx) = &d.transaction {
        let status = tx
            .final_status
            .map_or("no final response".to_string(), |s| format!("final {s}"));
        let after = tx
            .response_time
            .as_deref()
            .map(|t| format!(" after {t}"))
            .unwrap_or_default();
        fact(
            "Transaction",
            &format!("{} {} — {status}{after}", tx.cseq, tx.method),
        );
    }
    h.push_str("</dl>");
    let problems: Vec<&str> = d
        .problems
        .iter()
        .map(String::as_str)
        .chain(d.diagnostics.iter().map(|x| x.message.as_str()))
        .collect();
    if !problems.is_empty() {
        h.push_str("<ul class=\"problems\">");
        for p in problems {
            let _ = write!(h, "<li>{}</li>", esc(p));
        }
        h.push_str("</ul>");
    }
    if let Some(note) = &d.masked {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(note));
    }
    h.push_str("<table><thead><tr><th>Header</th><th>Value and meaning</th></tr></thead><tbody>");
    for (i, hv) in d.headers.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td class=\"h-name\">{}</td><td class=\"h-value\">{}",
            esc(&hv.name),
            esc(&hv.value)
        );
        for a in d.annotations.iter().filter(|a| a.header_index == i) {
            let _ = write!(h, "<span class=\"meaning\">{}</span>", esc(&a.text));
        }
        h.push_str("</td></tr>");
    }
    h.push_str("</tbody></table>");
    for s in &d.body_summaries {
        let _ = write!(
            h,
            "<div class=\"summary\"><strong>{}</strong>",
            esc(&s.title)
        );
        if !s.lines.is_empty() || !s.entries.is_empty() {
            h.push_str("<ul>");
            for l in &s.lines {
                let _ = write!(h, "<li>{}</li>", esc(l));
            }
            for e in &s.entries {
                let _ = write!(
                    h,
                    "<li><span class=\"muted\">{} {}:</span> {}</li>",
                    esc(&e.subject),
                    esc(&e.field),
                    esc(&e.value)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</div>");
    }
    for p in &d.body_parts {
        let text = p.pretty.as_deref().unwrap_or(&p.text);
        if !text.is_empty() {
            let _ = write!(
                h,
                "<p class=\"muted\">{}</p><pre>{}</pre>",
                esc(if p.content_type.is_empty() {
                    "body"
                } else {
                    &p.content_type
                }),
                esc_lines(text)
            );
        }
    }
    h.push_str("</article>");
}

fn diagnostics(h: &mut String, s: &crate::view::Summary) {
    if s.diagnostics.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"diagnostics\"><h2>Diagnostics ({})</h2><ul>",
        s.diagnostics_total
    );
    for d in &s.diagnostics {
        let place = d.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        let _ = write!(
            h,
            "<li><span class=\"sev\">{}</span>{}{}</li>",
            d.severity.name(),
            esc(&d.message),
            esc(&place)
        );
    }
    h.push_str("</ul></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hashes_are_the_standard_ones() {
        // SHA-256 of the empty string, as browsers compute a style's hash.
        assert_eq!(
            csp_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn log_text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("a\u{202e}b\u{1b}[31m"), "ab\u{fffd}[31m");
    }
}
