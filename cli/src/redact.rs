//! `sipscope redact FILE... -o DIR`: each file written back in its own format with consistent pseudonyms.

use sipscope::redact::{redact_all, Category, Keep};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Write each file again with consistent pseudonyms (users, domains, addresses, display names, identifiers,
/// authentication values, free text, SDP keys, phone numbers), so it can be shared and still analyzes to the
/// same flow.
/// Client logs, server traces and SIP text (UTF-8 or UTF-16), gzip and zip archives of them (each file inside
/// redacted, one that cannot be is left out and said), and pcap and pcapng captures (their packets rewritten:
/// SIP redacted, addresses renamed in the headers too, lengths, sequence numbers and checksums made again, other
/// payloads left out); any other file, or a capture whose SIP cannot be rewritten soundly, is refused and nothing
/// is written for it.
#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    /// Files to redact.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Directory the copies are written to, each under its own file name.
    #[arg(long, short = 'o', value_name = "DIR")]
    out: PathBuf,

    /// Leave a category as it is: users, domains, addresses, names, ids, auth, text, media, phones (repeatable).
    #[arg(long, value_name = "CATEGORY", value_parser = parse_category)]
    keep: Vec<Category>,

    /// Also write the mapping (category, original, stand-in; tab-separated) to FILE. Keep it apart from the copies.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::named(s).ok_or_else(|| {
        let names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
        format!("unknown category {s:?}; one of: {}", names.join(", "))
    })
}

pub fn run(args: &RedactArgs) -> ExitCode {
    let mut inputs = Vec::new();
    for path in &args.files {
        match std::fs::read(path) {
            Ok(b) => inputs.push(b),
            Err(e) => {
                eprintln!("sipscope: cannot read {}: {e}", path.display());
                return ExitCode::from(1);
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("sipscope: cannot create {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    let keep = args.keep.iter().fold(Keep::default(), |k, &c| k.with(c));
    let slices: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    let (copies, redactor) = redact_all(&slices, keep);
    let mut refused = false;
    for (path, copy) in args.files.iter().zip(copies) {
        let name = path
            .file_name()
            .map_or_else(|| Path::new("stdin").into(), PathBuf::from);
        match copy {
            Ok(bytes) => {
                let to = args.out.join(&name);
                if let Err(e) = std::fs::write(&to, bytes) {
                    eprintln!("sipscope: cannot write {}: {e}", to.display());
                    return ExitCode::from(1);
                }
            }
            Err(why) => {
                eprintln!("sipscope: {}: {why}", path.display());
                refused = true;
            }
        }
    }
    for l in redactor.left_out() {
        let path = args.files[l.file].display();
        if l.entry.is_empty() {
            eprintln!("sipscope: {path}: {}", l.reason);
        } else {
            eprintln!(
                "sipscope: {path}: {} left out of the copy: {}",
                l.entry, l.reason
            );
        }
    }
    for (c, n) in redactor.counts() {
        let kept = if keep.has(c) { " (kept)" } else { "" };
        eprintln!("{}: {n}{kept}", c.label());
    }
    if let Some(m) = &args.mapping {
        if let Err(e) = std::fs::write(m, redactor.mapping_text()) {
            eprintln!("sipscope: cannot write {}: {e}", m.display());
            return ExitCode::from(1);
        }
    }
    if refused {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
