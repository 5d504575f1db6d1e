//! The text a person reads in a terminal (and golden tests compare): files, clocks, ladder, findings, presence,
//! diagnostics.

use crate::base::time::format_offset;
use crate::flow::merge;
use crate::store::Analysis;

impl Analysis {
    /// The text a person reads in a terminal (and golden tests compare): files, ladder, diagnostics.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            out.push_str(&format!(
                "file: {} ({}, {} bytes, {} messages)\n",
                f.name,
                f.format.name(),
                f.bytes,
                f.messages
            ));
        }
        if self.files.len() > 1 {
            for c in &self.clocks {
                let name = self
                    .files
                    .get(c.file as usize)
                    .map_or("", |f| f.name.as_str());
                let how = match c.source {
                    merge::ClockSource::Reference => "reference clock".to_string(),
                    merge::ClockSource::Estimated => {
                        format!("estimated from {} shared messages", c.shared)
                    }
                    merge::ClockSource::Manual => "set by hand".to_string(),
                    merge::ClockSource::Unknown => "unknown: no shared messages".to_string(),
                    merge::ClockSource::TlsRecords => {
                        format!(
                            "estimated from {} messages matched to its TLS records",
                            c.shared
                        )
                    }
                };
                out.push_str(&format!(
                    "clock: {name} {} ({how})\n",
                    format_offset(c.offset_ms)
                ));
            }
            let shared = self.messages.iter().filter(|m| !m.also.is_empty()).count();
            if shared > 0 {
                out.push_str(&format!(
                    "shared: {shared} messages seen in more than one file, drawn once\n"
                ));
            }
        }
        out.push('\n');
        out.push_str(&crate::render::ladder_text::render(&self.ladder(None)));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        let findings = crate::explain::findings(self);
        if !findings.is_empty() {
            out.push_str("\nfindings:\n");
            for f in &findings {
                out.push_str(&format!("  {:7} #{} {}\n", f.severity, f.msg + 1, f.title));
                if !f.detail.is_empty() {
                    out.push_str(&format!("          {}\n", f.detail));
                }
            }
        }
        let presence = crate::explain::presence(self);
        if !presence.contacts.is_empty() {
            out.push_str("\npresence:\n");
            for c in &presence.contacts {
                let changes: Vec<String> = c
                    .changes
                    .iter()
                    .map(|ch| {
                        let when = ch.time.map(|t| t.clock()).unwrap_or_default();
                        let note = ch
                            .note
                            .as_deref()
                            .map(|n| format!(" \"{n}\""))
                            .unwrap_or_default();
                        format!(
                            "{when} {} ({}){note} #{}",
                            ch.name,
                            ch.availability,
                            ch.msg + 1
                        )
                    })
                    .collect();
                out.push_str(&format!("  {}: {}\n", c.uri, changes.join(" → ")));
            }
        }
        if !self.diagnostics.is_empty() {
            out.push_str("\ndiagnostics:\n");
            for d in &self.diagnostics {
                let place = match (d.file.and_then(|f| self.files.get(f as usize)), d.line) {
                    (Some(f), Some(l)) => format!("{}:{}: ", f.name, l),
                    (Some(f), None) => format!("{}: ", f.name),
                    _ => String::new(),
                };
                out.push_str(&format!(
                    "  {:7} {}{}\n",
                    d.severity.as_str(),
                    place,
                    d.message
                ));
            }
        }
        crate::ladder::clean_lines(&out).into_owned()
    }
}
