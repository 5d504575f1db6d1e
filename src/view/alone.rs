//! Headers alone, for the page and the JSON: each file in which no SIP message was found but whose lines hold
//! headers sipscope explains (see `explain::alone`).

use super::message::HeaderView;
use super::rows::Annotation;
use crate::store::Analysis;
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// Bytes of a file looked at for headers alone: pasted text and copied lines are short.
pub const MAX_BYTES: usize = 256 << 10;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct HeadersAlone {
    pub file: u32,
    pub file_name: String,
    pub headers: Vec<HeaderView>,
    pub annotations: Vec<Annotation>,
}

impl Analysis {
    /// Files without a SIP message whose text holds headers sipscope explains, each with its headers explained.
    pub fn headers_alone(&self) -> Vec<HeadersAlone> {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.messages == 0 && f.format.archive().is_none())
            .filter_map(|(i, f)| {
                let bytes = self.file_head(i as u32, MAX_BYTES)?;
                let (m, annotations) = crate::explain::alone::headers_alone(&bytes)?;
                Some(HeadersAlone {
                    file: i as u32,
                    file_name: f.name.clone(),
                    headers: m
                        .headers
                        .iter()
                        .map(|h| HeaderView {
                            name: m.name(h).to_string(),
                            value: m.value(h).into_owned(),
                        })
                        .collect(),
                    annotations: annotations.iter().map(Into::into).collect(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_without_messages() {
        let sample = include_bytes!("../../www/sample/sample.uccapilog").as_slice();
        let pasted =
            b"ms-diagnostics: 1033;reason=\"Previous hop server component did not respond\"\r\n"
                .as_slice();
        let a = Analysis::of_files([("sample.uccapilog", sample), ("ticket.txt", pasted)]);
        let alone = a.headers_alone();
        assert_eq!(alone.len(), 1);
        assert_eq!(
            (alone[0].file, alone[0].file_name.as_str()),
            (1, "ticket.txt")
        );
        assert_eq!(alone[0].headers[0].name, "ms-diagnostics");
        assert!(alone[0].annotations.iter().any(|n| n.text.contains("1033")));
        let prose = Analysis::of_files([("note.txt", b"Hello: world, no SIP here".as_slice())]);
        assert!(prose.headers_alone().is_empty());
    }
}
