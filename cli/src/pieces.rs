//! A file read on several threads: cut into pieces of about [`Split::piece`] bytes at record boundaries
//! (`sipscope::import::split`), each piece read with its own file handle and imported by a worker thread, the
//! pieces appended to the analyzer in file order on the calling thread (the analyzer is not shared).
//!
//! Piece `k` runs from the first record after byte `k × piece` to the first record after byte
//! `(k + 1) × piece`: the two threads on either side of a cut find it alike. A piece's first line number is the
//! sum of the line breaks of the pieces before it: each thread counts its piece's before it imports it, and
//! waits for the counts of the earlier pieces (taken earlier, so counted first).

use sipscope::import::split::{lines_in, Cut};
use sipscope::store::piece::{Piece, Plan};
use sipscope::Analyzer;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// Bytes read at once past a piece's nominal end, while its last record's end is looked for.
const BLOCK: u64 = 64 << 10;

/// How files are cut.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub threads: usize,
    pub piece: u64,
}

/// The line counts of the pieces, as their threads learn them.
struct Lines {
    counts: Mutex<Vec<Option<u32>>>,
    known: Condvar,
}

impl Lines {
    fn set(&self, k: usize, n: u32) {
        self.counts.lock().unwrap()[k] = Some(n);
        self.known.notify_all();
    }

    /// The line breaks before piece `k`, once every earlier piece is counted.
    fn before(&self, k: usize) -> u32 {
        let mut counts = self.counts.lock().unwrap();
        loop {
            if let Some(sum) = counts[..k].iter().try_fold(0u32, |s, n| Some(s + (*n)?)) {
                return sum;
            }
            counts = self.known.wait(counts).unwrap();
        }
    }
}

/// Read the file at `path` (`size` bytes) in pieces on `split.threads` threads into the analyzer.
pub fn feed(
    analyzer: &mut Analyzer,
    id: u32,
    plan: Plan,
    path: &Path,
    size: u64,
    split: Split,
) -> std::io::Result<()> {
    let n = size.div_ceil(split.piece) as usize;
    let next = AtomicUsize::new(0);
    let lines = Lines {
        counts: Mutex::new(vec![None; n]),
        known: Condvar::new(),
    };
    // A worker that gets ahead of the appending waits (bounded memory): the calling thread takes every piece
    // that arrives, so none waits for ever.
    let (tx, rx) = mpsc::sync_channel::<(usize, std::io::Result<Option<Piece>>)>(split.threads);
    std::thread::scope(|s| {
        for _ in 0..split.threads.min(n) {
            let (tx, next, lines) = (tx.clone(), &next, &lines);
            s.spawn(move || {
                let mut buf = Buffers::default();
                let mut file = match File::open(path) {
                    Ok(f) => Some(f),
                    Err(e) => {
                        let _ = tx.send((usize::MAX, Err(e)));
                        None
                    }
                };
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n {
                        return;
                    }
                    let got = file
                        .as_mut()
                        .map(|f| read(f, plan, k, split.piece, size, &mut buf));
                    let piece = match got {
                        Some(Ok(Some((start, last)))) => {
                            lines.set(k, lines_in(&buf.bytes));
                            let line = lines.before(k);
                            Ok(Some(plan.import(&buf.bytes, start, line, last)))
                        }
                        Some(Ok(None)) => {
                            lines.set(k, 0);
                            Ok(None)
                        }
                        Some(Err(e)) => {
                            lines.set(k, 0);
                            Err(e)
                        }
                        None => {
                            lines.set(k, 0);
                            Ok(None)
                        }
                    };
                    if tx.send((k, piece)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Pieces arrive in any order; they are appended in file order.
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        let mut failed = None;
        for (k, piece) in rx {
            waiting.insert(k, piece);
            while let Some(piece) = waiting.remove(&want) {
                match piece {
                    Ok(Some(p)) if failed.is_none() => analyzer.add_piece(id, p),
                    Ok(_) => {}
                    Err(e) => failed = failed.or(Some(e)),
                }
                want += 1;
            }
        }
        if let Some(Err(e)) = waiting.remove(&usize::MAX) {
            failed = failed.or(Some(e));
        }
        failed.map_or(Ok(()), Err)
    })
}

/// A worker's buffers, reused from piece to piece (fresh memory for every piece costs more than reading it).
#[derive(Default)]
struct Buffers {
    block: Vec<u8>,
    bytes: Vec<u8>,
}

/// Piece `k` of the file into `buf.bytes`: its first byte's offset and whether it ends the file; `None` when
/// no record begins in it.
fn read(
    file: &mut File,
    plan: Plan,
    k: usize,
    piece: u64,
    size: u64,
    buf: &mut Buffers,
) -> std::io::Result<Option<(u64, bool)>> {
    let from = k as u64 * piece;
    let stop = from + piece;
    let start = if k == 0 {
        0
    } else {
        buf.block.resize(BLOCK as usize, 0);
        let mut cut = Cut::after(plan.format, from);
        let mut pos = from;
        file.seek(SeekFrom::Start(pos))?;
        loop {
            let got = read_block(file, &mut buf.block, size - pos)?;
            if got == 0 {
                return Ok(None);
            }
            if let Some(at) = cut.push(&buf.block[..got]) {
                break at;
            }
            pos += got as u64;
        }
    };
    if start > stop {
        // The next piece begins with the same record.
        return Ok(None);
    }
    // From the start to the first record after the next piece's first byte.
    buf.bytes.clear();
    // Room for the piece and its last record, so that reading never grows the buffer by doubling.
    buf.bytes.reserve((stop - start + 2 * BLOCK) as usize);
    file.seek(SeekFrom::Start(start))?;
    let mut file = file.take(size - start);
    (&mut file).take(stop - start).read_to_end(&mut buf.bytes)?;
    let mut cut = Cut::after(plan.format, stop);
    loop {
        let old = buf.bytes.len();
        if (&mut file).take(BLOCK).read_to_end(&mut buf.bytes)? == 0 {
            return Ok(Some((start, true)));
        }
        if let Some(at) = cut.push(&buf.bytes[old..]) {
            buf.bytes.truncate((at - start) as usize);
            return Ok(Some((start, false)));
        }
    }
}

/// Fill `block` from the file, at most `left` bytes (the file's size when it was opened); fewer only at its end.
fn read_block(file: &mut File, block: &mut [u8], left: u64) -> std::io::Result<usize> {
    let want = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
    let mut got = 0;
    while got < want {
        match file.read(&mut block[got..want]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
