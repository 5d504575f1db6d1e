//! SVG renderer for the ladder: fixed row height so the page can render any window of rows (virtualization).
//!
//! # Coordinates
//! One coordinate system for the whole ladder, computed once by [`Layout::new`]: the column headers take
//! `0..HEADER_HEIGHT`, row `i` takes `HEADER_HEIGHT + i * ROW_HEIGHT` .. `+ ROW_HEIGHT`, the time column
//! takes `0..layout.time_width` and lifeline `c` stands at `layout.xs[c]`. Everything is whole pixels.
//!
//! # Three documents
//! - [`render`] / [`render_with`]: the complete picture for "save as SVG": embedded default stylesheet,
//!   background, headers, lifelines over the full height, and the requested rows at their absolute place
//!   (rows outside the range are left out, the size stays that of the whole ladder).
//!   `render(ladder, 0..ladder.rows.len())` is the full export.
//! - [`header`] / [`header_with`]: only the column headers (and the time-column heading), `HEADER_HEIGHT`
//!   tall and as wide as the ladder, for a sticky header above the scrolling rows.
//! - [`render_rows`]: a window of rows for the virtualized page: the elements sit at their absolute y, and
//!   the root's `viewBox` crops to the window, so the SVG element is only `rows.len() * ROW_HEIGHT` tall.
//!   The page places it at `top: data-y px` (= `layout.row_top(first row)`) inside a spacer
//!   `layout.height` tall. Lifelines are drawn through the window. Cost: O(rows in the window + columns).
//!
//! The page documents carry no `<style>` (so nothing leaks into the page's stylesheet); they rely on the
//! page's CSS, with `currentColor` fills and strokes as fallback so they stay visible without it.
//! [`DEFAULT_CSS`] is the stylesheet the export embeds; its rules are all scoped under `.sipscope-ladder`.
//!
//! # Classes (for the page's stylesheet)
//! Root: `sipscope-ladder` plus `ladder-export`, `ladder-header` or `ladder-rows`. Export only: `bg`.
//! Header: `col-header` (per column, `data-col`), `col-name` (role/name line), `col-addr` (address line),
//! `time-head`, `header-rule`. `lifeline` (lines, inside a `lifelines` group).
//! Arrow groups: `arrow`, its kind (`request`, `unanswered`, `provisional`, `success`, `redirect`,
//! `challenge`, `failure`), then `retrans` for retransmissions, `self` for self-arrows and `alt` on odd rows (for
//! striping); the page may add `selected`. Inside: `hit` (transparent full-row click target), `time`, `delta`, `shaft`, `head`,
//! `label` and `note` (a `tspan` of the label). Arrow colours come from the group's CSS `color`.
//!
//! Each arrow group has `data-msg` (message index), `data-row` (row index), `tabindex="0"`,
//! `role="button"`, an `aria-label` and a `<title>` telling the whole arrow in words (full label, both
//! endpoints, time, note, retransmission, failure).
//!
//! # Escaping
//! All text comes from untrusted logs. It goes through [`crate::ladder::clean_text`] (control, bidi and
//! non-characters replaced or dropped, so only XML 1.0 characters remain), is cut with `…` where space is
//! short (full value in the `<title>`), then `& < > " '` are escaped, in text and attributes alike.
//! Numbers are the only other thing written.

use crate::base::time::{format_clock, format_delta};
use crate::ladder::layout::*;
use crate::ladder::{arrow_extras, clean_text, truncate_width, ArrowKind, Column, Ladder, Row};
use std::fmt::Write;
use std::ops::Range;

const FONTS: &str = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";

/// Default look, embedded in exported SVGs; every rule is scoped under `.sipscope-ladder`.
pub const DEFAULT_CSS: &str = "\
.sipscope-ladder{color:#1f2328}\
.sipscope-ladder .bg{fill:#fff}\
.sipscope-ladder .lifeline{stroke:#8c959f;stroke-width:1}\
.sipscope-ladder .header-rule{stroke:#d0d7de}\
.sipscope-ladder .col-name{font-weight:600}\
.sipscope-ladder .col-addr,.sipscope-ladder .time-head,.sipscope-ladder .time,.sipscope-ladder .delta,.sipscope-ladder .note{fill:#59636e}\
.sipscope-ladder .col-addr{font-size:11px}\
.sipscope-ladder .time,.sipscope-ladder .delta{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11px}\
.sipscope-ladder .hit{fill:transparent}\
.sipscope-ladder .arrow.alt .hit{fill:rgba(128,128,128,.07)}\
.sipscope-ladder .arrow:hover .hit,.sipscope-ladder .arrow:focus .hit{fill:rgba(9,105,218,.12)}\
.sipscope-ladder .arrow.selected .hit{fill:rgba(9,105,218,.22)}\
.sipscope-ladder .arrow{color:#0550ae;cursor:pointer}\
.sipscope-ladder .arrow.success{color:#1a7f37}\
.sipscope-ladder .arrow.provisional{color:#6e7781}\
.sipscope-ladder .arrow.redirect{color:#9a6700}\
.sipscope-ladder .arrow.challenge{color:#8250df}\
.sipscope-ladder .arrow.unanswered{color:#bc4c00}\
.sipscope-ladder .arrow.failure{color:#cf222e}\
.sipscope-ladder .arrow.failure .label{font-weight:600}\
.sipscope-ladder .shaft{stroke:currentColor;stroke-width:1.5}\
.sipscope-ladder .head{fill:currentColor}\
.sipscope-ladder .label{fill:currentColor;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
.sipscope-ladder .note{font-size:10.5px;font-weight:400}\
.sipscope-ladder .retrans .shaft,.sipscope-ladder .unanswered .shaft{stroke-dasharray:5 3}\
@media (prefers-color-scheme:dark){\
.sipscope-ladder{color:#e6edf3}\
.sipscope-ladder .bg{fill:#0d1117}\
.sipscope-ladder .label{stroke:#0d1117}\
.sipscope-ladder .lifeline{stroke:#6e7681}\
.sipscope-ladder .header-rule{stroke:#30363d}\
.sipscope-ladder .col-addr,.sipscope-ladder .time-head,.sipscope-ladder .time,.sipscope-ladder .delta,.sipscope-ladder .note{fill:#9198a1}\
.sipscope-ladder .arrow{color:#79c0ff}\
.sipscope-ladder .arrow.success{color:#56d364}\
.sipscope-ladder .arrow.provisional{color:#8b949e}\
.sipscope-ladder .arrow.redirect{color:#e3b341}\
.sipscope-ladder .arrow.challenge{color:#d2a8ff}\
.sipscope-ladder .arrow.unanswered{color:#ffa657}\
.sipscope-ladder .arrow.failure{color:#ff7b72}\
.sipscope-ladder .arrow:hover .hit,.sipscope-ladder .arrow:focus .hit{fill:rgba(56,139,253,.18)}\
.sipscope-ladder .arrow.selected .hit{fill:rgba(56,139,253,.3)}\
}";

/// Render rows `rows` of the ladder as a standalone SVG document (lifelines and headers included):
/// the export picture. Rows out of range are clamped. Computes a [`Layout`]; use [`render_with`] to reuse one.
pub fn render(ladder: &Ladder, rows: Range<usize>) -> String {
    render_with(ladder, &Layout::new(ladder), rows)
}

/// [`render`] with a precomputed layout.
pub fn render_with(ladder: &Ladder, layout: &Layout, rows: Range<usize>) -> String {
    let rows = clamp(rows, ladder.rows.len());
    let mut out = String::with_capacity(2048 + rows.len() * 700);
    let (w, h) = (layout.width, layout.height);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sipscope-ladder ladder-export" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONTS}" font-size="12" fill="currentColor">"#
    );
    let _ = write!(
        out,
        "<title>SIP ladder: {} messages between {} endpoints</title><style>{DEFAULT_CSS}</style>",
        ladder.rows.len(),
        ladder.columns.len()
    );
    let _ = write!(
        out,
        r#"<rect class="bg" x="0" y="0" width="{w}" height="{h}" fill="none"/>"#
    );
    header_content(&mut out, ladder, layout);
    lifelines(&mut out, layout, HEADER_HEIGHT, h);
    for i in rows {
        arrow(&mut out, ladder, layout, i);
    }
    out.push_str("</svg>");
    out
}

/// Only the column headers, as a standalone SVG document `HEADER_HEIGHT` tall, for a sticky header.
pub fn header(ladder: &Ladder) -> String {
    header_with(ladder, &Layout::new(ladder))
}

/// [`header`] with a precomputed layout.
pub fn header_with(ladder: &Ladder, layout: &Layout) -> String {
    let mut out = String::with_capacity(512 + ladder.columns.len() * 300);
    let (w, h) = (layout.width, HEADER_HEIGHT);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sipscope-ladder ladder-header" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONTS}" font-size="12" fill="currentColor">"#
    );
    header_content(&mut out, ladder, layout);
    out.push_str("</svg>");
    out
}

/// A window of rows for the virtualized page: elements at their absolute y, root `viewBox` cropped to the
/// window (`data-y` = its top, `data-first-row`, `data-row-count`). Rows out of range are clamped.
pub fn render_rows(ladder: &Ladder, layout: &Layout, rows: Range<usize>) -> String {
    let rows = clamp(rows, ladder.rows.len());
    let (w, y0) = (layout.width, layout.row_top(rows.start));
    let h = layout.row_top(rows.end) - y0;
    let mut out = String::with_capacity(512 + rows.len() * 700);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sipscope-ladder ladder-rows" width="{w}" height="{h}" viewBox="0 {y0} {w} {h}" data-y="{y0}" data-first-row="{}" data-row-count="{}" font-family="{FONTS}" font-size="12" fill="currentColor">"#,
        rows.start,
        rows.len()
    );
    lifelines(&mut out, layout, y0, y0 + h);
    for i in rows {
        arrow(&mut out, ladder, layout, i);
    }
    out.push_str("</svg>");
    out
}

fn clamp(rows: Range<usize>, len: usize) -> Range<usize> {
    let end = rows.end.min(len);
    rows.start.min(end)..end
}

/// Estimated width in px of `chars` characters at `tenths` tenths of a px each.
fn header_content(out: &mut String, ladder: &Ladder, layout: &Layout) {
    let h = HEADER_HEIGHT;
    let (y1, y2) = (h - 28, h - 12);
    if layout.time_width > PAD {
        let _ = write!(
            out,
            r#"<text class="time-head" x="{PAD}" y="{y2}">Time</text>"#
        );
        let _ = write!(
            out,
            r#"<text class="time-head" x="{}" y="{y2}" text-anchor="end">Delta</text>"#,
            layout.time_width - PAD
        );
    }
    for (i, (c, &x)) in ladder.columns.iter().zip(&layout.xs).enumerate() {
        let (top, bottom) = header_lines(c);
        let _ = write!(out, r#"<g class="col-header" data-col="{i}"><title>"#);
        esc(out, &endpoint_name(c));
        out.push_str("</title>");
        if let Some(top) = top {
            let _ = write!(
                out,
                r#"<text class="col-name" x="{x}" y="{y1}" text-anchor="middle">"#
            );
            esc(out, &top);
            out.push_str("</text>");
        }
        let class = if c.lines().1.is_none() && c.label != c.key {
            "col-name"
        } else {
            "col-addr"
        };
        let _ = write!(
            out,
            r#"<text class="{class}" x="{x}" y="{y2}" text-anchor="middle">"#
        );
        esc(out, &bottom);
        out.push_str("</text></g>");
    }
    let _ = write!(
        out,
        r#"<line class="header-rule" x1="0" y1="{0}" x2="{1}" y2="{0}" stroke="currentColor"/>"#,
        h - 1,
        layout.width
    );
    lifelines(out, layout, h - 6, h - 1);
}

fn lifelines(out: &mut String, layout: &Layout, y1: u32, y2: u32) {
    if layout.xs.is_empty() || y2 <= y1 {
        return;
    }
    out.push_str(r#"<g class="lifelines" stroke="currentColor">"#);
    for x in &layout.xs {
        let _ = write!(
            out,
            r#"<line class="lifeline" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}"/>"#
        );
    }
    out.push_str("</g>");
}

/// How an endpoint is named in words: `role address`, or the label and key, or the key.
fn endpoint_name(c: &Column) -> String {
    match c.lines() {
        (a, Some(b)) => format!("{} {}", a.trim(), b.trim()),
        (a, None) if a != c.key => format!("{} ({})", a.trim(), c.key),
        _ => c.key.clone(),
    }
}

/// The arrow told in words, for `aria-label` and `<title>`: full label, endpoints, time, note, marks.
fn describe(ladder: &Ladder, row: &Row) -> String {
    let name = |i: usize| {
        ladder
            .columns
            .get(i)
            .map_or_else(|| "unknown endpoint".to_string(), endpoint_name)
    };
    let mut s = truncate_width(row.label.trim(), MAX_TITLE_CHARS)
        .0
        .into_owned();
    if row.is_self() {
        let _ = write!(s, " from {} to itself", name(row.from));
    } else {
        let _ = write!(s, " from {} to {}", name(row.from), name(row.to));
    }
    if let Some(t) = row.time {
        let _ = write!(s, " at {}", t.clock());
    }
    for e in arrow_extras(row) {
        let _ = write!(s, ", {}", e.trim());
    }
    match row.kind {
        ArrowKind::Failure => s.push_str(", failed"),
        ArrowKind::Challenge => s.push_str(", authentication challenge"),
        _ => {}
    }
    s
}

fn arrow(out: &mut String, ladder: &Ladder, layout: &Layout, i: usize) {
    let Some(row) = ladder.rows.get(i) else {
        return;
    };
    let top = layout.row_top(i);
    let mut class = format!("arrow {}", row.kind.as_str());
    if row.retransmission {
        class.push_str(" retrans");
    }
    if row.is_self() {
        class.push_str(" self");
    }
    if i % 2 == 1 {
        class.push_str(" alt");
    }
    let words = describe(ladder, row);
    let _ = write!(
        out,
        r#"<g class="{class}" data-msg="{}" data-row="{i}" tabindex="0" role="button" aria-label=""#,
        row.msg
    );
    esc(out, &words);
    out.push_str(r#""><title>"#);
    esc(out, &words);
    out.push_str("</title>");
    let _ = write!(
        out,
        r#"<rect class="hit" x="0" y="{top}" width="{}" height="{ROW_HEIGHT}" fill="transparent"/>"#,
        layout.width
    );
    let ty = top + 18;
    if row.time.is_some() {
        let _ = write!(
            out,
            r#"<text class="time" x="{PAD}" y="{ty}">{}</text>"#,
            format_clock(row.time)
        );
    }
    if let Some(d) = row.delta_ms {
        let _ = write!(
            out,
            r#"<text class="delta" x="{}" y="{ty}" text-anchor="end">{}</text>"#,
            layout.time_width - PAD,
            format_delta(d)
        );
    }

    let (label, note) = arrow_texts(row);
    let dash = if row.retransmission {
        r#" stroke-dasharray="5 3""#
    } else {
        ""
    };
    let (Some(&xf), Some(&xt)) = (layout.xs.get(row.from), layout.xs.get(row.to)) else {
        // A row naming a column the layout does not know: words only.
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}">"#,
            layout.time_width + PAD,
            top + 14
        );
        label_content(out, &label, &note);
        out.push_str("</g>");
        return;
    };
    if xf == xt {
        let (y1, y2) = (top + 14, top + 22);
        let _ = write!(
            out,
            r#"<path class="shaft" d="M{xf} {y1}H{0}V{y2}H{1}" fill="none" stroke="currentColor"{dash}/><path class="head" d="M{xf} {y2}L{1} {2}L{1} {3}Z"/>"#,
            xf + LOOP_W,
            xf + HEAD,
            y2 - 4,
            y2 + 4
        );
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}">"#,
            xf + LOOP_W + 6,
            top + 20
        );
    } else {
        let sy = top + 20;
        let base = if xt > xf { xt - HEAD } else { xt + HEAD };
        let _ = write!(
            out,
            r#"<line class="shaft" x1="{xf}" y1="{sy}" x2="{base}" y2="{sy}" stroke="currentColor"{dash}/><path class="head" d="M{xt} {sy}L{base} {}L{base} {}Z"/>"#,
            sy - 4,
            sy + 4
        );
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}" text-anchor="middle">"#,
            xf / 2 + xt / 2 + (xf % 2 + xt % 2) / 2,
            top + 14
        );
    }
    label_content(out, &label, &note);
    out.push_str("</g>");
}

fn label_content(out: &mut String, label: &str, note: &str) {
    esc(out, label);
    if !note.is_empty() {
        out.push_str(r#"<tspan class="note" font-size="10.5"> "#);
        esc(out, note);
        out.push_str("</tspan>");
    }
    out.push_str("</text>");
}

/// Append `s` made safe for XML text and attribute values.
fn esc(out: &mut String, s: &str) {
    push_escaped(out, &clean_text(s));
}

/// Append `s` with the five characters special in XML and HTML escaped (for text already cleaned).
pub(super) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ladder::tests::{arrow, sign_in, three_columns};
    use crate::ladder::*;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    /// An element: name and attributes.
    type El = (String, Vec<(String, String)>);

    /// Parse the whole document; return (element names with their attributes, all text content).
    fn parse(svg: &str) -> (Vec<El>, String) {
        let mut reader = Reader::from_str(svg);
        let mut elements = Vec::new();
        let mut text = String::new();
        let mut depth = 0i32;
        let mut roots = 0;
        loop {
            let ev = reader
                .read_event()
                .unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    if depth == 0 {
                        roots += 1;
                    }
                    if matches!(ev, Event::Start(_)) {
                        depth += 1;
                    }
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap_or_else(|err| panic!("bad attribute: {err}"));
                            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                            let value = a
                                .unescape_value()
                                .unwrap_or_else(|err| panic!("bad value: {err}"))
                                .into_owned();
                            (key, value)
                        })
                        .collect();
                    elements.push((name, attrs));
                }
                Event::End(_) => depth -= 1,
                Event::Text(t) => text.push_str(&t.decode().unwrap()),
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap();
                    let c = match name.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        "#39" => '\'',
                        other => panic!("unexpected entity {other}"),
                    };
                    text.push(c);
                }
                Event::Eof => break,
                Event::CData(_) | Event::PI(_) | Event::DocType(_) => {
                    panic!("unexpected markup in {svg}")
                }
                _ => {}
            }
            assert!(depth >= 0);
        }
        assert_eq!(depth, 0, "unclosed elements");
        let legal = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
        assert!(svg.chars().all(legal), "character illegal in XML 1.0");
        assert_eq!(roots, 1, "one root element");
        (elements, text)
    }

    fn attr<'a>(el: &'a El, key: &str) -> Option<&'a str> {
        el.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn arrows(
        elements: &[(String, Vec<(String, String)>)],
    ) -> Vec<&(String, Vec<(String, String)>)> {
        elements
            .iter()
            .filter(|e| attr(e, "class").is_some_and(|c| c.split(' ').next() == Some("arrow")))
            .collect()
    }

    fn labelled_sign_in() -> Ladder {
        let mut l = sign_in();
        l.set_label("192.168.1.51:51882", "on1 client\n192.168.1.51:51882");
        l.set_label("211.208.253.66:5061", "Access Edge\n211.208.253.66:5061");
        l
    }

    #[test]
    fn full_render_is_well_formed_and_complete() {
        let l = labelled_sign_in();
        let svg = render(&l, 0..l.rows.len());
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
        let (els, text) = parse(&svg);
        let arrows = arrows(&els);
        assert_eq!(arrows.len(), 13);
        for (i, a) in arrows.iter().enumerate() {
            assert_eq!(a.0, "g");
            assert_eq!(attr(a, "data-msg"), Some(i.to_string().as_str()));
            assert_eq!(attr(a, "tabindex"), Some("0"));
            assert_eq!(attr(a, "role"), Some("button"));
            assert!(attr(a, "aria-label").is_some_and(|s| !s.is_empty()));
        }
        assert_eq!(attr(arrows[0], "class"), Some("arrow request"));
        assert_eq!(attr(arrows[1], "class"), Some("arrow failure alt"));
        assert_eq!(attr(arrows[3], "class"), Some("arrow success alt"));
        assert_eq!(attr(arrows[11], "class"), Some("arrow unanswered alt"));
        assert_eq!(attr(arrows[12], "class"), Some("arrow request retrans"));
        assert_eq!(
            attr(arrows[0], "aria-label"),
            Some("REGISTER from on1 client 192.168.1.51:51882 to Access Edge 211.208.253.66:5061 at 10:57:58.371")
        );
        assert_eq!(
            attr(arrows[10], "aria-label"),
            Some("480 Temporarily Unavailable from Access Edge 211.208.253.66:5061 to on1 client 192.168.1.51:51882 at 10:58:00.610, 98 ms, failed")
        );
        assert!(attr(arrows[12], "aria-label")
            .unwrap()
            .ends_with(", retransmission"));
        // Headers, lifelines, times, deltas, style.
        assert_eq!(
            els.iter()
                .filter(|e| attr(e, "class") == Some("col-header"))
                .count(),
            2
        );
        assert_eq!(
            els.iter()
                .filter(|e| attr(e, "class") == Some("lifeline"))
                .count(),
            4
        ); // header stubs + body
        assert!(els.iter().any(|e| e.0 == "style"));
        for t in [
            "on1 client",
            "Access Edge",
            "10:57:58.371",
            "+63 ms",
            "+1.3 s",
            "REGISTER",
            "no response",
            "retransmission",
        ] {
            assert!(text.contains(t), "missing {t}");
        }
        // Dashed retransmission, arrowheads on every arrow.
        assert!(svg.contains(r#"stroke-dasharray="5 3""#));
        assert_eq!(
            els.iter()
                .filter(|e| attr(e, "class") == Some("head"))
                .count(),
            13
        );
        // Size matches the layout.
        let layout = Layout::new(&l);
        assert_eq!(
            attr(&els[0], "height"),
            Some(layout.height.to_string().as_str())
        );
        assert_eq!(layout.height, HEADER_HEIGHT + 13 * ROW_HEIGHT + BOTTOM);
    }

    #[test]
    fn hostile_text_is_escaped() {
        let hostile = [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "]]><![CDATA[x]]>",
            "a\u{0}b\u{1b}[31mc\u{7}\u{8}\u{b}\u{c}\u{fffe}\u{ffff}'&amp;\u{202e}",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]>&e;",
        ];
        let mut l = Ladder::build(hostile.iter().enumerate().map(|(i, h)| ArrowInput {
            note: Some(h.to_string()),
            ..arrow(i as u32, h, &format!("{h}:2"), h, ArrowKind::Failure)
        }));
        l.set_label(hostile[0], format!("{}\n{}", hostile[1], hostile[3]));
        for svg in [
            render(&l, 0..l.rows.len()),
            header(&l),
            render_rows(&l, &Layout::new(&l), 0..99),
        ] {
            let (els, text) = parse(&svg);
            assert!(!svg.to_ascii_lowercase().contains("<script"), "{svg}");
            assert!(
                !svg.contains("<img")
                    && !svg.contains("<![CDATA[")
                    && !svg.contains("<!ENTITY")
                    && !svg.contains("<?xml")
            );
            assert!(
                !svg.contains('\u{0}')
                    && !svg.contains('\u{1b}')
                    && !svg.contains('\u{fffe}')
                    && !svg.contains('\u{202e}')
            );
            assert!(els.iter().all(|e| [
                "svg", "title", "style", "rect", "g", "text", "tspan", "line", "path"
            ]
            .contains(&e.0.as_str())));
            assert!(els.iter().all(|e| e
                .1
                .iter()
                .all(|(k, _)| !k.starts_with("on") && k != "href" && k != "src")));
            // The hostile text is shown as text, not lost.
            assert!(
                text.contains("<script>alert(1)</script>")
                    || text.contains("<script>alert(1)</scri"),
                "{text}"
            );
        }
    }

    #[test]
    fn window_contains_only_requested_rows() {
        let l = three_columns();
        let layout = Layout::new(&l);
        let svg = render_rows(&l, &layout, 3..6);
        let (els, _) = parse(&svg);
        let rows: Vec<_> = arrows(&els)
            .iter()
            .map(|a| attr(a, "data-row").unwrap().to_string())
            .collect();
        assert_eq!(rows, ["3", "4", "5"]);
        let msgs: Vec<_> = arrows(&els)
            .iter()
            .map(|a| attr(a, "data-msg").unwrap().to_string())
            .collect();
        assert_eq!(msgs, ["103", "104", "105"]);
        let top = layout.row_top(3);
        assert_eq!(
            attr(&els[0], "viewBox"),
            Some(format!("0 {top} {} {}", layout.width, 3 * ROW_HEIGHT).as_str())
        );
        assert_eq!(attr(&els[0], "data-y"), Some(top.to_string().as_str()));
        assert!(!els
            .iter()
            .any(|e| e.0 == "style" || attr(e, "class") == Some("col-header")));
        // Every hit area lies inside the window.
        for e in els.iter().filter(|e| attr(e, "class") == Some("hit")) {
            let y: u32 = attr(e, "y").unwrap().parse().unwrap();
            assert!(y >= top && y < top + 3 * ROW_HEIGHT);
        }
        // The export of a partial range also only has those rows.
        let (els, _) = parse(&render(&l, 9..100));
        assert_eq!(arrows(&els).len(), 2);
    }

    #[test]
    fn header_only_has_headers() {
        let l = labelled_sign_in();
        let (els, text) = parse(&header(&l));
        assert!(arrows(&els).is_empty());
        assert_eq!(
            attr(&els[0], "height"),
            Some(HEADER_HEIGHT.to_string().as_str())
        );
        assert!(
            text.contains("on1 client")
                && text.contains("211.208.253.66:5061")
                && text.contains("Time")
        );
    }

    #[test]
    fn layout_fits_labels_and_grows_with_columns() {
        let l = three_columns();
        let layout = Layout::new(&l);
        assert_eq!(layout.xs.len(), 3);
        assert!(layout.xs.windows(2).all(|w| w[1] - w[0] >= MIN_GAP));
        // The 481 response spans two gaps and must fit between its lifelines.
        let need = arrow_text_width(&l.rows[10]) + ARROW_SPARE;
        assert!(layout.xs[2] - layout.xs[0] >= need);
        assert!(layout.width > layout.xs[2]);
        assert_eq!(layout.row_at(layout.row_top(4) + 5), Some(4));
        assert_eq!(layout.row_at(3), None);
        assert_eq!(layout.row_at(layout.height), None);
        assert_eq!(layout.rows_in_view(0, HEADER_HEIGHT + ROW_HEIGHT * 2), 0..2);
        assert_eq!(layout.rows_in_view(layout.row_top(5) + 1, ROW_HEIGHT), 5..7);
        assert_eq!(layout.rows_in_view(u32::MAX - 5, 100), 11..11);

        let wide = Ladder::build((0..40).map(|i| {
            arrow(
                i,
                &format!("10.0.0.{i}:5060"),
                &format!("10.0.0.{}:5060", i + 1),
                "MESSAGE",
                ArrowKind::Request,
            )
        }));
        let lw = Layout::new(&wide);
        assert_eq!(lw.xs.len(), 41);
        assert!(lw.width > 40 * MIN_GAP);
    }

    #[test]
    fn long_labels_are_cut_with_full_value_in_title() {
        let long = format!("sip:{}@contoso.com", "x".repeat(200));
        let mut l = Ladder::build([arrow(7, "a:1", "b:2", &long, ArrowKind::Request)]);
        l.set_label("a:1", format!("{long}\na:1"));
        let svg = render(&l, 0..1);
        let (els, text) = parse(&svg);
        assert!(text.contains('…'));
        assert!(attr(arrows(&els)[0], "aria-label").unwrap().contains(&long));
        assert!(text.contains(&long)); // in the <title>s
        let layout = Layout::new(&l);
        assert!(
            layout.xs[1] - layout.xs[0] < 600,
            "cut labels keep the gap bounded"
        );
    }

    #[test]
    fn window_cost_does_not_depend_on_ladder_size() {
        let build = |n: u32| {
            Ladder::build((0..n).map(|i| ArrowInput {
                time: Some(crate::base::time::Timestamp(i64::from(i) * 37)),
                ..arrow(
                    i,
                    &format!("10.0.0.{}:5060", i % 5),
                    &format!("10.1.0.{}:5061", i % 3),
                    "SUBSCRIBE",
                    ArrowKind::Request,
                )
            }))
        };
        let (small, big) = (build(200), build(20_000));
        let (ls, lb) = (Layout::new(&small), Layout::new(&big));
        assert_eq!(ls.xs, lb.xs);
        let a = render_rows(&small, &ls, 100..200);
        let b = render_rows(&big, &lb, 19_900..20_000);
        assert_eq!(arrows(&parse(&b).0).len(), 100);
        // Same content apart from the row numbers and positions.
        assert!(
            b.len() < a.len() + a.len() / 5,
            "{} vs {}",
            b.len(),
            a.len()
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let empty = Ladder::default();
        for svg in [
            render(&empty, 0..10),
            header(&empty),
            render_rows(&empty, &Layout::new(&empty), Range { start: 5, end: 2 }),
        ] {
            parse(&svg);
        }
        let mut l = three_columns();
        let layout = Layout::new(&l);
        l.rows[0].from = 42; // stale or hand-made ladders
        l.rows.push(l.rows[1].clone());
        parse(&render_rows(&l, &layout, 0..usize::MAX));
        parse(&render_rows(&l, &layout, usize::MAX..usize::MAX));
        let other = sign_in();
        parse(&render_with(&l, &Layout::new(&other), 0..20));
    }
}
