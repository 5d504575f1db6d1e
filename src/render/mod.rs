//! Render: view values → bytes people read (terminal text, SVG, JSON, Mermaid, PlantUML, CSV, Snooper-readable
//! text). Renderers only lay out what the view layer decided; every string from a log is escaped for its target
//! format. [`OutputFormat`] names every output; [`export`] makes any of them for the CLI and the page alike.

pub mod calls;
pub mod csv;
pub mod html;
pub mod ladder_text;
pub mod mermaid;
pub mod plantuml;
mod sequence;
pub mod snooper;
pub mod summary;
pub mod svg;
pub mod text;
pub mod trace;

use crate::base::filename;
use crate::ladder::{layout::Layout, Ladder};
use crate::store::Analysis;
use crate::view::{Export, FileRow};

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
    /// The ladder as a PlantUML sequence diagram.
    Plantuml,
    /// One row per message, for a spreadsheet.
    Csv,
    /// The messages framed as a client log (UccApiLog) that Microsoft's Snooper opens.
    Snooper,
    /// One self-contained HTML file: summary, findings, the ladder, each message explained; no script.
    Html,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 9] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Summary,
        OutputFormat::Svg,
        OutputFormat::Mermaid,
        OutputFormat::Plantuml,
        OutputFormat::Csv,
        OutputFormat::Snooper,
        OutputFormat::Html,
    ];

    /// The name the CLI's `--format` and the page's `export(format)` take.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Summary => "summary",
            OutputFormat::Svg => "svg",
            OutputFormat::Mermaid => "mermaid",
            OutputFormat::Plantuml => "plantuml",
            OutputFormat::Csv => "csv",
            OutputFormat::Snooper => "snooper",
            OutputFormat::Html => "html",
        }
    }

    pub fn from_name(name: &str) -> Option<OutputFormat> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Text
            | OutputFormat::Summary
            | OutputFormat::Plantuml
            | OutputFormat::Snooper => "text/plain;charset=utf-8",
            OutputFormat::Json => "application/json",
            OutputFormat::Svg => "image/svg+xml",
            OutputFormat::Mermaid => "text/vnd.mermaid;charset=utf-8",
            OutputFormat::Csv => "text/csv;charset=utf-8;header=present",
            OutputFormat::Html => "text/html;charset=utf-8",
        }
    }

    /// What follows the name of a saved file: its extension, after a word where two formats share one
    /// (`-summary.txt`; `-snooper.txt`, which is a log again and must not pass for the one it came from).
    pub fn suffix(self) -> &'static str {
        match self {
            OutputFormat::Text => ".txt",
            OutputFormat::Json => ".json",
            OutputFormat::Summary => "-summary.txt",
            OutputFormat::Svg => ".svg",
            OutputFormat::Mermaid => ".mmd",
            OutputFormat::Plantuml => ".puml",
            OutputFormat::Csv => ".csv",
            OutputFormat::Snooper => "-snooper.txt",
            OutputFormat::Html => ".html",
        }
    }

    /// The file name offered when saving: `stem` (see [`export_stem`]) and [`OutputFormat::suffix`].
    pub fn file_name(self, stem: &str) -> String {
        format!("{stem}{}", self.suffix())
    }
}

/// What the page shows: the ladder on screen, its layout, and the conversation it is narrowed to (an index into
/// the analysis's conversations), which the saved file's name says.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    pub ladder: &'a Ladder,
    pub layout: &'a Layout,
    pub conversation: Option<usize>,
}

/// The name of a saved file before its suffix: the first input's name without its folders and its extension (and
/// without `.gz` or `.zip` before that), then `-conversation-N` when the view is narrowed to conversation N (from
/// 1, as the page lists them): `Lync-UccApi-0-conversation-3`. `sipscope` when the name is empty or only dots,
/// spaces and dashes; characters a file name cannot hold become `_`.
pub fn export_stem(analysis: &Analysis, conversation: Option<usize>) -> String {
    let name = analysis.files.first().map_or("", |f| f.name.as_str());
    let mut out = filename::safe(filename::split(name).0, "sipscope");
    if let Some(c) = conversation.and_then(|c| analysis.flow.conversations.get(c)) {
        out.push_str(&format!("-conversation-{}", c.id + 1));
    }
    out
}

/// `format` of `analysis`. The pictures (SVG, Mermaid, PlantUML) and the HTML report draw `shown`'s ladder, the tables (CSV, Snooper)
/// list its messages; without `shown`, the ladder or the list of all messages (a picture's ladder is built only
/// for a picture: it reads every message).
pub fn export(analysis: &Analysis, shown: Option<Shown<'_>>, format: OutputFormat) -> Export {
    let bytes = match format {
        OutputFormat::Text => analysis.to_text().into_bytes(),
        OutputFormat::Json => {
            let mut bytes = Vec::new();
            let _ = write_json(analysis, &mut bytes);
            bytes
        }
        OutputFormat::Summary => summary::render(&analysis.summary()).into_bytes(),
        OutputFormat::Csv | OutputFormat::Snooper => {
            let messages: Vec<u32> = match shown {
                Some(s) => s.ladder.rows.iter().map(|r| r.msg).collect(),
                None => (0..analysis.messages.len() as u32).collect(),
            };
            messages_as(analysis, &messages, format)
        }
        OutputFormat::Svg | OutputFormat::Mermaid | OutputFormat::Plantuml | OutputFormat::Html => {
            let stem = export_stem(analysis, shown.and_then(|s| s.conversation));
            let draw = |ladder: &Ladder, layout: &Layout| match format {
                OutputFormat::Html => html::render(analysis, ladder, layout, &stem).into_bytes(),
                _ => picture(ladder, layout, format),
            };
            match shown {
                Some(s) => draw(s.ladder, s.layout),
                None => {
                    let ladder = analysis.ladder(None);
                    draw(&ladder, &Layout::new(&ladder))
                }
            }
        }
    };
    Export {
        mime: format.mime().to_string(),
        name: format.file_name(&export_stem(analysis, shown.and_then(|s| s.conversation))),
        bytes,
    }
}

/// A picture of `ladder`.
fn picture(ladder: &Ladder, layout: &Layout, format: OutputFormat) -> Vec<u8> {
    match format {
        OutputFormat::Svg => svg::render_with(ladder, layout, 0..ladder.rows.len()),
        OutputFormat::Plantuml => plantuml::render(ladder),
        _ => mermaid::render(ladder),
    }
    .into_bytes()
}

/// The CSV rows or the Snooper-readable text of `messages`.
fn messages_as(analysis: &Analysis, messages: &[u32], format: OutputFormat) -> Vec<u8> {
    if format == OutputFormat::Snooper {
        return snooper::render(analysis, messages);
    }
    let files: Vec<FileRow> = analysis.files.iter().map(Into::into).collect();
    csv::render(
        &files,
        messages.iter().filter_map(|&i| analysis.table_row(i)),
    )
    .into_bytes()
}

/// `format` of the messages `hits` selected by `query` (`sipscope --filter`): the JSON of their rows, each with
/// its index in the whole analysis; the ladder of those messages as text, SVG, Mermaid or PlantUML; their CSV
/// rows or Snooper-readable text; the summary with how many matched.
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
        OutputFormat::Csv | OutputFormat::Snooper => {
            out.write_all(&messages_as(analysis, hits, format))
        }
        OutputFormat::Svg | OutputFormat::Mermaid | OutputFormat::Plantuml | OutputFormat::Html => {
            let ladder = analysis.ladder(Some(hits));
            let layout = Layout::new(&ladder);
            let shown = Shown {
                ladder: &ladder,
                layout: &layout,
                conversation: None,
            };
            out.write_all(&export(analysis, Some(shown), format).bytes)
        }
    }
}

/// The JSON report (`--json`), written as it is serialized: a caller with a stream (the CLI's stdout) never holds
/// the whole text, which for a 100 MB log is larger than the log.
pub fn write_json(analysis: &Analysis, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &analysis.report())?;
    out.write_all(b"\n")
}
