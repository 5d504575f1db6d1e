//! sipscope command line: text ladder for people, `--json` for scripts and tests, over the same core as the page.

use sipscope::Analyzer;
use std::io::{Read, Write};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the analysis makes a few small allocations per message and keeps
/// them, and glibc's malloc spent a quarter of `sipscope --summary` on them and on page faults (0.63 s → 0.33 s
/// on a 210 MB client log; mimalloc also maps its memory in large pages).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
sipscope — SIP flow analyzer for Skype for Business / Lync logs

Usage:
  sipscope [OPTIONS] FILE...

Reads client logs (Lync-UccApi-0.UccApilog) and SIP text; '-' reads standard input.
Several files are merged into one ladder ordered by time.

Options:
  --json       print the analysis as JSON (files, messages, diagnostics, transactions, conversations, subscriptions)
  --summary    print format, message, conversation and subscription counts, time span and diagnostic counts
  --clock-offset N=MS
               set the clock of the N-th file (1 = first) by hand: MS milliseconds are added to its times
               (e.g. 2=-32400000 for a server trace in UTC beside a client log in UTC+9); others are estimated
  -h, --help   show this help
  -V, --version
";

const CHUNK: usize = 4 << 20;

fn main() -> ExitCode {
    let mut json = false;
    let mut summary = false;
    let mut paths = Vec::new();
    let mut offsets: Vec<(usize, i64)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--clock-offset" => {
                let parsed = args.next().and_then(|v| {
                    let (n, ms) = v.split_once('=')?;
                    Some((
                        n.trim().parse::<usize>().ok()?.checked_sub(1)?,
                        ms.trim().parse::<i64>().ok()?,
                    ))
                });
                match parsed {
                    Some(o) => offsets.push(o),
                    None => {
                        eprintln!("sipscope: --clock-offset takes N=MS, e.g. --clock-offset 2=-32400000\n\n{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            "--json" => json = true,
            "--summary" => summary = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "-V" | "--version" => {
                println!("sipscope {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            a if a.starts_with("--") => {
                eprintln!("sipscope: unknown option {a}\n\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => paths.push(arg),
        }
    }
    if paths.is_empty() {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    }

    let mut analyzer = Analyzer::new();
    for path in &paths {
        if let Err(e) = feed(&mut analyzer, path) {
            eprintln!("sipscope: {e}");
            return ExitCode::from(1);
        }
    }
    let mut analysis = analyzer.finish();
    if !offsets.is_empty() {
        let mut manual = vec![None; analysis.files.len()];
        for (n, ms) in offsets {
            match manual.get_mut(n) {
                Some(slot) => *slot = Some(ms),
                None => {
                    eprintln!(
                        "sipscope: --clock-offset names file {} but there are {}",
                        n + 1,
                        paths.len()
                    );
                    return ExitCode::from(2);
                }
            }
        }
        analysis = analysis.with_clock_offsets(&manual);
    }

    let out = if json {
        match serde_json::to_string_pretty(&analysis.report()) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("sipscope: {e}");
                return ExitCode::from(1);
            }
        }
    } else if summary {
        summary_text(&analysis)
    } else {
        analysis.to_text()
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`sipscope big.log | head`) is not an error worth a panic.
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    // Freeing every message of a big log one by one takes longer than the operating system takes to drop the
    // whole process: leave the analysis to the exit.
    std::mem::forget(analysis);
    ExitCode::SUCCESS
}

/// Feed one file (or standard input for `-`) to the analyzer in chunks, as the page does.
fn feed(analyzer: &mut Analyzer, path: &str) -> Result<(), String> {
    let (name, size, reader): (&str, u64, Box<dyn Read>) = if path == "-" {
        ("stdin", 0, Box::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        (path, size, Box::new(file))
    };
    let id = analyzer.add_file(name, size);
    read_chunks(analyzer, id, reader).map_err(|e| format!("cannot read {name}: {e}"))?;
    analyzer.finish_file(id);
    Ok(())
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

fn summary_text(a: &sipscope::Analysis) -> String {
    let s = a.summary();
    let mut out = String::new();
    for f in &s.files {
        out.push_str(&format!(
            "file:          {} ({}, {} bytes, {} messages)\n",
            f.name,
            f.format.name(),
            f.bytes,
            f.messages
        ));
    }
    out.push_str(&format!("messages:      {}\n", s.message_count));
    out.push_str(&format!("conversations: {}\n", s.conversations));
    out.push_str(&format!(
        "transactions:  {} ({} unanswered, {} failed)\n",
        s.transactions, s.unanswered, s.failures
    ));
    out.push_str(&format!("subscriptions: {}\n", s.subscriptions));
    match (s.first_time, s.last_time) {
        (Some(a), Some(b)) => out.push_str(&format!(
            "time span:     {a} – {b} ({})\n",
            sipscope::base::time::format_ms(b.0 - a.0)
        )),
        _ => out.push_str("time span:     (no times in the input)\n"),
    }
    let c = &s.diagnostic_counts;
    out.push_str(&format!(
        "diagnostics:   {} errors, {} warnings, {} info\n",
        c.error, c.warning, c.info
    ));
    out
}
