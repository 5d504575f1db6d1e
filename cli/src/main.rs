//! sipscope command line: the text ladder for people, JSON for scripts, SVG, Mermaid and PlantUML pictures, CSV,
//! Snooper-readable text — every output a renderer of the same core as the page (`sipscope --help`).

mod pieces;
mod redact;

use clap::Parser;
use pieces::Split;
use sipscope::import::trace::Level;
use sipscope::import::SNIFF_BYTES;
use sipscope::render::{self, OutputFormat};
use sipscope::store::text::Source;
use sipscope::view::trace::TraceFilter;
use sipscope::Analyzer;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::ExitCode;
use std::rc::Rc;

/// mimalloc instead of the system allocator: the analysis makes a few small allocations per message and keeps
/// them, and glibc's malloc spent a quarter of `sipscope --summary` on them and on page faults (0.63 s → 0.33 s
/// on a 210 MB client log; mimalloc also maps its memory in large pages).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc v3, the version the `mimalloc` crate builds by default):
/// milliseconds before freed memory goes back to the operating system; -1 never.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc's default for it, which tells that the index above is that option in the mimalloc linked.
const MI_PURGE_DELAY_DEFAULT: std::ffi::c_long = 1000;

/// The CLI is a batch process: memory it frees is reused by the next message, never worth handing back before
/// it exits. With mimalloc's default (hand back after a second), the pages of messages parsed and let go went
/// back and came again zeroed by the kernel: a 210 MB capture took 1.7 s instead of 0.95 s, most of it in page
/// faults. Peak memory is the same either way.
fn keep_freed_memory() {
    // SAFETY: mi_option_get/mi_option_set only read and write mimalloc's option table; the index is checked to
    // be the purge delay by its documented default before it is set.
    unsafe {
        if libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == MI_PURGE_DELAY_DEFAULT {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        }
    }
}

const CHUNK: usize = 4 << 20;
/// Bytes of a piece of a file cut for several threads: small enough that the threads share the work evenly
/// and hold little at once, large enough that a piece is many records.
const PIECE: u64 = 4 << 20;

/// SIP flow analyzer for Skype for Business / Lync logs.
///
/// Reads client logs (Lync-UccApi-0.UccApilog), server SIPStack traces, SIP text, pcap/pcapng captures and
/// .gz/.zip archives of them, detected by content; '-' reads standard input. Several files are merged into one
/// ladder ordered by time.
#[derive(Debug, Parser)]
#[command(
    name = "sipscope",
    version,
    about,
    long_about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,

    /// Log files to analyze ('-' for standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,

    /// What to print: text (the ladder for a terminal), json, summary, svg (the ladder as a picture), mermaid or
    /// plantuml (a sequence diagram to paste into a ticket or a wiki), csv (one row per message, for a
    /// spreadsheet), snooper (the messages as a client log that Microsoft's Snooper opens) or html (one
    /// self-contained report: summary, findings, the ladder, each message explained; it runs no script).
    #[arg(long, short = 'f', value_name = "FORMAT", value_parser = parse_format, default_value = "text",
          conflicts_with_all = ["json", "summary"])]
    format: OutputFormat,

    /// Same as --format json: files, messages, diagnostics, transactions, conversations, subscriptions, …
    #[arg(long)]
    json: bool,

    /// Same as --format summary: formats, counts, time span and diagnostic counts.
    #[arg(long)]
    summary: bool,

    /// Set the clock of the N-th file (1 = first) by hand: MS milliseconds are added to its times (e.g.
    /// 2=-32400000 for a server trace in UTC beside a client log in UTC+9); the others are estimated.
    #[arg(long = "clock-offset", value_name = "N=MS", value_parser = parse_offset)]
    clock_offsets: Vec<(usize, i64)>,

    /// Only the messages that match QUERY, e.g. 'method:INVITE status:>=400 -from:alice' (words, "phrases",
    /// /regex/, method: status: from: to: user: callid: cseq: header: code: direction: file: conversation:
    /// finding: after: before: ip:, OR, NOT or -, parentheses; see docs/query.md). With --json: their rows, each
    /// with its index in the whole analysis; text, svg, mermaid, plantuml: their ladder; csv, snooper: those
    /// messages; summary: how many matched.
    #[arg(long, value_name = "QUERY")]
    filter: Option<String>,

    /// Print the log's trace lines instead of its messages: a client log's lines that are not SIP (ERROR, WARN,
    /// INFO, TRACE, with thread ids) and a server trace's non-protocol records, in order on the merged timeline.
    /// With --json: [{file, line, time, level, thread, text}]. --filter narrows them (words, /regex/, level:,
    /// thread:, file:, after:, before:).
    #[arg(long, conflicts_with_all = ["summary", "format"])]
    trace: bool,

    /// Print the calls instead of the messages: each INVITE dialog that is not an IM session — who called whom,
    /// how it ended and why, setup, ring and talk time, who hung up, each media line's codecs, SRTP, ICE
    /// candidates and path, and its quality report's figures. With --json: the `calls` of the full report.
    #[arg(long, conflicts_with_all = ["summary", "format", "trace", "filter"])]
    calls: bool,

    /// With --trace: only lines of LEVEL and worse (error, warn, info, trace). Implies --trace.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, conflicts_with_all = ["summary", "format"])]
    level: Option<Level>,

    /// Threads that read a file: client logs and server traces are cut into pieces read side by side (other
    /// formats are read by one). Default: every core. 1 reads every file in one pass.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,

    /// Bytes of a piece of a file read by one thread (the test suite sets it small to cut fixtures).
    #[arg(long, value_name = "BYTES", default_value_t = PIECE, hide = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    piece_bytes: u64,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Write each file again with consistent pseudonyms, to share (client logs, server traces, SIP text, SBC and
    /// proxy logs, pcap and pcapng).
    Redact(redact::RedactArgs),
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    OutputFormat::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = OutputFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {s:?}; one of: {}", names.join(", "))
    })
}

fn parse_level(v: &str) -> Result<Level, String> {
    Level::named(v).ok_or_else(|| format!("{v:?} is not a level; one of: error, warn, info, trace"))
}

fn parse_offset(v: &str) -> Result<(usize, i64), String> {
    let bad = || format!("{v:?} is not N=MS, e.g. --clock-offset 2=-32400000");
    let (n, ms) = v.split_once('=').ok_or_else(bad)?;
    let n = n
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(bad)?;
    let ms = ms.trim().parse::<i64>().map_err(|_| bad())?;
    Ok((n, ms))
}

fn main() -> ExitCode {
    keep_freed_memory();
    let args = Args::parse();
    if let Some(Command::Redact(r)) = &args.command {
        return redact::run(r);
    }
    let format = if args.json {
        OutputFormat::Json
    } else if args.summary {
        OutputFormat::Summary
    } else {
        args.format
    };
    // A query that cannot be read is said before any file is.
    if let Some(q) = &args.filter {
        if let Err(e) = sipscope::query::parse(q) {
            eprintln!("{}", query_error(q, &e));
            return ExitCode::from(2);
        }
    }
    // Message text stays in the files and is read back when an output needs it: memory holds positions.
    let source = Rc::new(FileSource::default());
    let mut analyzer = Analyzer::with_source(source.clone());
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    let split = Split {
        threads,
        piece: args.piece_bytes,
    };
    for path in &args.files {
        if let Err(e) = feed(&mut analyzer, &source, path, split) {
            eprintln!("sipscope: {e}");
            return ExitCode::from(1);
        }
    }
    let mut analysis = analyzer.finish();
    if !args.clock_offsets.is_empty() {
        let mut manual = vec![None; analysis.files.len()];
        for &(n, ms) in &args.clock_offsets {
            match manual.get_mut(n) {
                Some(slot) => *slot = Some(ms),
                None => {
                    eprintln!(
                        "sipscope: --clock-offset names file {} but there are {}",
                        n + 1,
                        args.files.len()
                    );
                    return ExitCode::from(2);
                }
            }
        }
        analysis = analysis.with_clock_offsets(&manual);
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // A closed pipe (`sipscope big.log | head`) is not an error worth a panic.
    if args.calls {
        let _ = render::calls::write_calls(&analysis, args.json, &mut stdout);
    } else if args.trace || args.level.is_some() {
        let filter = TraceFilter::lines_from(
            args.level.unwrap_or(Level::Trace),
            args.filter.as_deref().unwrap_or(""),
        );
        if let Err(e) = render::trace::write_trace(&analysis, &filter, args.json, &mut stdout) {
            eprintln!("{}", query_error(&filter.query, &e));
            return ExitCode::from(2);
        }
    } else if let Some(q) = &args.filter {
        let hits = match sipscope::query::Query::new(&analysis, q) {
            Ok(query) => query.run(&analysis),
            Err(e) => {
                eprintln!("{}", query_error(q, &e));
                return ExitCode::from(2);
            }
        };
        let _ = render::write_filtered(&analysis, q, &hits, format, &mut stdout);
    } else if format == OutputFormat::Json {
        let _ = render::write_json(&analysis, &mut stdout);
    } else {
        let _ = stdout.write_all(&render::export(&analysis, None, format).bytes);
    }
    let _ = stdout.flush();
    // Freeing every message of a big log one by one takes longer than the operating system takes to drop the
    // whole process: leave the analysis to the exit.
    std::mem::forget(analysis);
    ExitCode::SUCCESS
}

/// `sipscope: --filter: why`, then the query with the bad part underlined.
fn query_error(q: &str, e: &sipscope::query::QueryError) -> String {
    let col = q[..e.start.min(q.len())].chars().count();
    let width = q
        .get(e.start..e.end.min(q.len()))
        .map_or(1, |s| s.chars().count().max(1));
    format!(
        "sipscope: --filter: {}\n  {q}\n  {}{}",
        e.message,
        " ".repeat(col),
        "^".repeat(width)
    )
}

/// Feed one file (or standard input for `-`) to the analyzer in chunks, as the page does; a file that can be
/// cut, on several threads.
fn feed(
    analyzer: &mut Analyzer,
    source: &FileSource,
    path: &str,
    split: Split,
) -> Result<(), String> {
    let (name, size, mut reader): (&str, u64, Box<dyn Read>) = if path == "-" {
        ("stdin", 0, Box::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        (path, size, Box::new(file))
    };
    let id = analyzer.add_file(name, size);
    if path == "-" {
        // Standard input cannot be read again: its text is kept.
        analyzer.keep_text(id);
    } else {
        let again = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        source.files.borrow_mut().insert(id, again);
    }
    let read = |e: std::io::Error| format!("cannot read {name}: {e}");
    if path != "-" && split.threads > 1 && size > split.piece {
        // The first bytes decide whether the file can be cut.
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut reader)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(read)?;
        if let Some(plan) = analyzer.split(id, &head, head.len() < SNIFF_BYTES) {
            pieces::feed(analyzer, id, plan, Path::new(path), size, split).map_err(read)?;
            analyzer.finish_file(id);
            return Ok(());
        }
        analyzer.push(id, &head);
    }
    read_chunks(analyzer, id, reader).map_err(read)?;
    analyzer.finish_file(id);
    Ok(())
}

/// The files given on the command line, read again where the analysis asks (message text it did not keep).
#[derive(Default)]
struct FileSource {
    files: RefCell<HashMap<u32, std::fs::File>>,
}

impl Source for FileSource {
    fn read(&self, file: u32, offset: u64, len: usize, into: &mut Vec<u8>) -> bool {
        let mut files = self.files.borrow_mut();
        let Some(f) = files.get_mut(&file) else {
            return false;
        };
        into.clear();
        f.seek(SeekFrom::Start(offset)).is_ok() && f.take(len as u64).read_to_end(into).is_ok()
    }
}

fn read_chunks(analyzer: &mut Analyzer, id: u32, mut reader: impl Read) -> std::io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => analyzer.push(id, &buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}
