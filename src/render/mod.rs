//! Render: view values → bytes people read (terminal text, SVG, JSON, Mermaid). Renderers only lay out what the
//! view layer decided; every string from a log is escaped for its target format. [`OutputFormat`] names every
//! output; [`export`] makes any of them for the CLI and the page alike.

pub mod ladder_text;
pub mod mermaid;
mod sequence;
pub mod summary;
pub mod svg;
pub mod text;
pub mod trace;

use crate::ladder::{layout::Layout, Ladder};
use crate::store::Analysis;
use crate::view::Export;

/// Every output sipscope writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Files, clocks, the text ladder, findings, presence, diagnostics: for a terminal.
    Text,
    /// The whole analysis as JSON (the view's `Report`).
    Json,
    /// Counts, time span and diagnostic counts.
    Summary,
    /// The ladder as one standalone SVG picture.
    Svg,
    /// The ladder as a Mermaid sequence diagram.
    Mermaid,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 5] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Summary,
        OutputFormat::Svg,
        OutputFormat::Mermaid,
    ];

    /// The name the CLI's `--format` and the page's `export(format)` take.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Summary => "summary",
            OutputFormat::Svg => "svg",
            OutputFormat::Mermaid => "mermaid",
        }
    }

    pub fn from_name(name: &str) -> Option<OutputFormat> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Text | OutputFormat::Summary => "text/plain;charset=utf-8",
            OutputFormat::Json => "application/json",
            OutputFormat::Svg => "image/svg+xml",
            OutputFormat::Mermaid => "text/vnd.mermaid;charset=utf-8",
        }
    }

    /// The file name offered when saving.
    pub fn file_name(self) -> &'static str {
        match self {
            OutputFormat::Text => "sipscope-ladder.txt",
            OutputFormat::Json => "sipscope-analysis.json",
            OutputFormat::Summary => "sipscope-summary.txt",
            OutputFormat::Svg => "sipscope-ladder.svg",
            OutputFormat::Mermaid => "sipscope-ladder.mmd",
        }
    }
}

/// `format` of `analysis`. The pictures (SVG, Mermaid) draw `shown` (the ladder on screen and its layout), or
/// the ladder of all messages when `None` (built only for a picture: it reads every message).
pub fn export(
    analysis: &Analysis,
    shown: Option<(&Ladder, &Layout)>,
    format: OutputFormat,
) -> Export {
    let all;
    let (ladder, layout) = match shown {
        Some(s) => s,
        None if matches!(format, OutputFormat::Svg | OutputFormat::Mermaid) => {
            let ladder = analysis.ladder(None);
            let layout = Layout::new(&ladder);
            all = (ladder, layout);
            (&all.0, &all.1)
        }
        None => {
            all = (Ladder::default(), Layout::new(&Ladder::default()));
            (&all.0, &all.1)
        }
    };
    let text = match format {
        OutputFormat::Text => analysis.to_text(),
        OutputFormat::Json => {
            let mut bytes = Vec::new();
            let _ = write_json(analysis, &mut bytes);
            String::from_utf8(bytes).unwrap_or_default()
        }
        OutputFormat::Summary => summary::render(&analysis.summary()),
        OutputFormat::Svg => svg::render_with(ladder, layout, 0..ladder.rows.len()),
        OutputFormat::Mermaid => mermaid::render(ladder),
    };
    Export {
        mime: format.mime().to_string(),
        name: format.file_name().to_string(),
        bytes: text.into_bytes(),
    }
}

/// `format` of the messages `hits` selected by `query` (`sipscope --filter`): the JSON of their rows, each with
/// its index in the whole analysis; the ladder of those messages as text, SVG or Mermaid; the summary with how
/// many matched.
pub fn write_filtered(
    analysis: &Analysis,
    query: &str,
    hits: &[u32],
    format: OutputFormat,
    mut out: impl std::io::Write,
) -> std::io::Result<()> {
    let matched = format!(
        "{} of {} messages match {query}\n",
        hits.len(),
        analysis.messages.len()
    );
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &analysis.filtered_report(query, hits))?;
            out.write_all(b"\n")
        }
        OutputFormat::Summary => {
            out.write_all(summary::render(&analysis.summary()).as_bytes())?;
            out.write_all(format!("matching:      {matched}").as_bytes())
        }
        OutputFormat::Text => {
            out.write_all(matched.as_bytes())?;
            out.write_all(b"\n")?;
            out.write_all(ladder_text::render(&analysis.ladder(Some(hits))).as_bytes())
        }
        OutputFormat::Svg | OutputFormat::Mermaid => {
            let ladder = analysis.ladder(Some(hits));
            let layout = Layout::new(&ladder);
            out.write_all(&export(analysis, Some((&ladder, &layout)), format).bytes)
        }
    }
}

/// The JSON report (`--json`), written as it is serialized: a caller with a stream (the CLI's stdout) never holds
/// the whole text, which for a 100 MB log is larger than the log.
pub fn write_json(analysis: &Analysis, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &analysis.report())?;
    out.write_all(b"\n")
}
