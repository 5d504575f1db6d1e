//! A small namespace-agnostic XML tree built with quick-xml, for reading presence and SOAP bodies.
//!
//! Elements and attributes are keyed by their local names (`m:setPresence` → `setPresence`, `xsi:type` →
//! `type`); text is unescaped (predefined entities and character references) and CDATA is kept as text. The
//! tree is bounded ([`MAX_NODES`], [`MAX_DEPTH`]); a document that is not well-formed yields the part read so
//! far together with the reason, so callers can both summarize and say it is malformed.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Elements kept per document; the rest are dropped (and the tree marked as cut).
pub const MAX_NODES: usize = 20_000;
/// Nesting kept; deeper elements are flattened into their ancestor at this depth.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (no prefix).
    pub name: String,
    /// Attributes by local name, unescaped, in document order. `xmlns` declarations are left out.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Text directly inside this element (all text nodes joined), unescaped.
    pub text: String,
}

/// A parsed document: its root (the first top-level element) and the parse problem, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    pub root: Option<Element>,
    /// Why the document is not well-formed (or was cut), when it is not.
    pub error: Option<String>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// First child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// First descendant (depth first, self excluded) with this local name.
    pub fn find(&self, name: &str) -> Option<&Element> {
        for c in &self.children {
            if c.name.eq_ignore_ascii_case(name) {
                return Some(c);
            }
            if let Some(f) = c.find(name) {
                return Some(f);
            }
        }
        None
    }

    /// All descendants with this local name, depth first.
    pub fn find_all<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        self.collect(name, &mut out);
        out
    }

    fn collect<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name.eq_ignore_ascii_case(name) {
                out.push(c);
            }
            c.collect(name, out);
        }
    }

    /// Trimmed text of the first descendant with this name (empty text gives `None`).
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.find(name)
            .map(|e| e.all_text())
            .filter(|t| !t.is_empty())
    }

    /// All text below this element, in order, white space collapsed.
    pub fn all_text(&self) -> String {
        let mut s = String::new();
        self.push_text(&mut s);
        super::util::one_line(&s)
    }

    fn push_text(&self, s: &mut String) {
        s.push_str(&self.text);
        for c in &self.children {
            s.push(' ');
            c.push_text(s);
        }
    }

    /// Number of elements in this subtree (self included).
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Element::count).sum::<usize>()
    }
}

fn local(name: &[u8]) -> String {
    let local = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(local).into_owned()
}

fn element(start: &BytesStart<'_>) -> Element {
    let mut attrs = Vec::new();
    for a in start.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let value = match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        };
        attrs.push((local(key), value));
    }
    Element {
        name: local(start.name().as_ref()),
        attrs,
        children: Vec::new(),
        text: String::new(),
    }
}

/// The predefined XML entities (XML 1.0 §4.6); others are kept as written.
fn entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Parse `text` as XML. Never fails: problems are reported in [`Doc::error`].
pub fn parse(text: &str) -> Doc {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // The open elements; index 0 is a synthetic document node.
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut nodes = 0usize;
    let mut error = None;
    // Elements that were not pushed because the depth limit was reached, still open.
    let mut flattened = 0usize;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                error = Some(format!(
                    "not well-formed XML near byte {}: {e}",
                    reader.buffer_position()
                ));
                break;
            }
        };
        match ev {
            Event::Start(s) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    error = Some(format!("document cut after {MAX_NODES} elements"));
                    break;
                }
                if stack.len() > MAX_DEPTH {
                    flattened += 1;
                } else {
                    stack.push(element(&s));
                }
            }
            Event::Empty(s) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    error = Some(format!("document cut after {MAX_NODES} elements"));
                    break;
                }
                let e = element(&s);
                if let Some(top) = stack.last_mut() {
                    top.children.push(e);
                }
            }
            Event::End(_) => {
                if flattened > 0 {
                    flattened -= 1;
                    continue;
                }
                if stack.len() > 1 {
                    if let Some(done) = stack.pop() {
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(done);
                        }
                    }
                }
            }
            Event::Text(t) => {
                let s = t
                    .xml_content()
                    .map(|c| c.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::CData(c) => {
                let s = String::from_utf8_lossy(&c).into_owned();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => entity(&name),
                };
                if let Some(top) = stack.last_mut() {
                    match ch {
                        Some(c) => top.text.push(c),
                        None => {
                            top.text.push('&');
                            top.text.push_str(&name);
                            top.text.push(';');
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if error.is_none() && (stack.len() > 1 || flattened > 0) {
        error = Some("not well-formed XML: the document ends inside an element".into());
    }
    // Close whatever is still open so the part read so far can be summarized.
    while stack.len() > 1 {
        if let Some(done) = stack.pop() {
            if let Some(parent) = stack.last_mut() {
                parent.children.push(done);
            }
        }
    }
    let doc = stack.pop().unwrap_or_default();
    let root = doc.children.into_iter().next();
    if root.is_none() && error.is_none() {
        error = Some("no XML element found".into());
    }
    Doc { root, error }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_local_and_text_unescaped() {
        let d = parse(
            r#"<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="x"><SOAP-ENV:Body><m:setPresence xmlns:m="y"><m:presentity m:uri="sip:a@b"><m:availability m:aggregate="300"/></m:presentity></m:setPresence></SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
        );
        assert!(d.error.is_none(), "{:?}", d.error);
        let root = d.root.unwrap();
        assert_eq!(root.name, "Envelope");
        let p = root.find("presentity").unwrap();
        assert_eq!(p.attr("uri"), Some("sip:a@b"));
        assert_eq!(
            p.child("availability").unwrap().attr("aggregate"),
            Some("300")
        );
    }

    #[test]
    fn entities_cdata_and_korean() {
        let d = parse("<note><body>회의 &amp; 점심 &#x263A; <![CDATA[<b>]]></body></note>");
        let root = d.root.unwrap();
        assert_eq!(root.text_of("body").unwrap(), "회의 & 점심 ☺ <b>");
    }

    #[test]
    fn malformed_documents_report_and_keep_what_was_read() {
        let d = parse("<categories><category name=\"state\"><state>");
        assert!(d.error.is_some());
        assert_eq!(
            d.root.unwrap().child("category").unwrap().attr("name"),
            Some("state")
        );
        let d = parse("<a><b></a>");
        assert!(d.error.is_some());
        let d = parse("just text");
        assert!(d.root.is_none() && d.error.is_some());
        let d = parse("");
        assert!(d.root.is_none());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "<a>".repeat(500) + &"</a>".repeat(500);
        let d = parse(&deep);
        assert!(d.error.is_none(), "{:?}", d.error);
        assert!(d.root.unwrap().count() <= MAX_DEPTH + 1);
    }
}
