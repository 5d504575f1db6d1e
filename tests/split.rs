//! A file imported in pieces (cut at record boundaries, each piece imported apart, appended in order) gives
//! exactly what one import of the whole file gives: the same JSON report, text ladder, summary and trace lines —
//! messages, diagnostics in the same order, lines and spans — for every fixture, cut at many places.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use sipscope::import::split::{lines_in, Cut};
use sipscope::import::SNIFF_BYTES;
use sipscope::render::{self, OutputFormat};
use sipscope::store::text::MemorySource;
use sipscope::{Analysis, Analyzer};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Everything an output shows of an analysis.
fn outputs(a: &Analysis) -> Vec<Vec<u8>> {
    let mut json = Vec::new();
    render::write_json(a, &mut json).unwrap();
    let mut v = vec![json];
    for f in [
        OutputFormat::Text,
        OutputFormat::Summary,
        OutputFormat::Mermaid,
        OutputFormat::Plantuml,
        OutputFormat::Csv,
        OutputFormat::Snooper,
    ] {
        v.push(render::export(a, None, f).bytes);
    }
    // The trace lines, with the places and times they were found at.
    let mut trace = Vec::new();
    let all =
        sipscope::view::trace::TraceFilter::lines_from(sipscope::import::trace::Level::Trace, "");
    render::trace::write_trace(a, &all, true, &mut trace)
        .unwrap()
        .unwrap();
    v.push(trace);
    v
}

/// The file analyzed in pieces of about `size` bytes, as the CLI cuts them: piece `k` runs from the first
/// record after byte `k × size` to the first record after byte `(k + 1) × size`. The bytes given to each cut
/// finder arrive in chunks of `chunk`. `None` when the format is not cut. Also the number of pieces.
fn in_pieces(name: &str, bytes: &[u8], size: usize, chunk: usize) -> Option<(Analysis, usize)> {
    let source = MemorySource(vec![bytes.to_vec()]);
    let mut a = Analyzer::with_source(Rc::new(source));
    let id = a.add_file(name, bytes.len() as u64);
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let plan = a.split(id, head, bytes.len() <= SNIFF_BYTES)?;
    let mut starts = vec![0usize];
    let mut k = 1;
    while k * size < bytes.len() {
        let mut cut = Cut::after(plan.format, (k * size) as u64);
        match bytes[k * size..].chunks(chunk).find_map(|c| cut.push(c)) {
            Some(at) => starts.push(at as usize),
            None => break,
        }
        k += 1;
    }
    starts.dedup();
    starts.push(bytes.len());
    let mut line = 0;
    for w in starts.windows(2) {
        let piece = &bytes[w[0]..w[1]];
        a.add_piece(
            id,
            plan.import(piece, w[0] as u64, line, w[1] == bytes.len()),
        );
        line += lines_in(piece);
    }
    a.finish_file(id);
    Some((a.finish(), starts.len() - 1))
}

/// The fixtures, and the shared corpus when it is there.
fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut v = common::inputs();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"),
        &mut v,
    );
    v
}

#[test]
fn every_fixture_cut_anywhere_gives_the_one_import_result() {
    let mut cut_files = 0;
    let inputs = files().into_iter().flat_map(|path| {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let cut_off = (
            format!("{name} without every other end line"),
            without_end_lines(&bytes),
        );
        [(name, bytes), cut_off]
    });
    for (name, bytes) in inputs {
        let want = outputs(&Analysis::of_files([(name.as_str(), bytes.as_slice())]));
        // Every record apart (pieces of one byte: each cut is the next record) for small files; pieces of a few
        // KB for all.
        let sizes: Vec<usize> = if bytes.len() <= 256 << 10 {
            vec![1, 700, 4096, 20_000]
        } else {
            vec![4096, 65_536]
        };
        for size in sizes {
            for chunk in [1 << 20, 333] {
                let Some((a, pieces)) = in_pieces(&name, &bytes, size, chunk) else {
                    continue;
                };
                if size == 1 && chunk == 333 {
                    cut_files += usize::from(pieces > 1);
                }
                let got = outputs(&a);
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        g == w,
                        "{name} in {pieces} pieces of ~{size} bytes differs from one import:\n{}",
                        first_difference(g, w)
                    );
                }
            }
        }
    }
    assert!(cut_files >= 5, "only {cut_files} fixtures were cut at all");
}

/// The file with every other packet's or record's end line taken out: records the next one cuts off, the case
/// where a piece ends with a record still open.
fn without_end_lines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut ends = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let is_end = [&b":: End of "[..], b"$$end_record"]
            .iter()
            .any(|m| line.windows(m.len()).any(|w| w == *m));
        ends += usize::from(is_end);
        if !(is_end && ends % 2 == 1) {
            out.extend_from_slice(line);
        }
    }
    out
}

fn first_difference(got: &[u8], want: &[u8]) -> String {
    let (g, w) = (String::from_utf8_lossy(got), String::from_utf8_lossy(want));
    for (i, (a, b)) in g.lines().zip(w.lines()).enumerate() {
        if a != b {
            return format!("line {}: got\n  {a}\nwant\n  {b}", i + 1);
        }
    }
    format!("lengths {} and {}", got.len(), want.len())
}
