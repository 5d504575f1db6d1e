//! A file imported in pieces: each piece (cut at a record boundary, [`crate::import::split`]) is imported and
//! parsed apart — on a thread of its own in the CLI — into a [`Piece`], plain data with an interner of its own;
//! [`Analyzer::add_piece`] appends the pieces in file order, moving their symbols, endpoint names and kept text
//! into the analysis's. The result is the one a single import of the whole file gives: the same messages,
//! symbols, diagnostics in the same order, lines and spans. The core names no thread: the shell decides how
//! pieces are read and run (the page, single-threaded, never cuts).

use super::{parse_record, Analyzer, FileTrace, Parsed};
use crate::base::diag::Diagnostic;
use crate::base::intern::Interner;
use crate::import::{self, split, Format, Importer, Sink};

/// Bytes of a piece fed to its importer at once: its records are parsed as they come, not held all at once.
const BATCH: usize = 1 << 20;

/// How one file's pieces are imported: what a thread needs to import a piece.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub format: Format,
    file: u32,
    /// The file's text stays in the file (see [`super::text`]).
    in_place: bool,
}

/// One piece of a file, imported and parsed: plain data, appended to the analysis by [`Analyzer::add_piece`].
#[derive(Debug)]
pub struct Piece {
    bytes: u64,
    /// The importer as the piece left it, for the next piece to go on from ([`Importer::then`]).
    importer: Importer,
    /// Diagnostics in the order the analyzer would have put them.
    diagnostics: Vec<Diagnostic>,
    parsed: Vec<Parsed>,
    /// The strings of the briefs of `parsed`.
    syms: Interner,
    /// The piece's trace lines, its threads numbered its own way.
    trace: FileTrace,
}

// Pieces cross threads.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Plan>();
    send::<Piece>();
};

impl Plan {
    /// Import `bytes`, the piece of the file from `offset`, which follows line `line` (the line breaks before
    /// it, [`split::lines_in`]). A piece that is not the file's `last` ends where the next one's first record
    /// begins, and closes what is open as that record would.
    pub fn import(&self, bytes: &[u8], offset: u64, line: u32, last: bool) -> Piece {
        let mut importer = Importer::resume(self.format, self.file, offset, line);
        let mut sink = Sink::default();
        sink.trace.keep = !self.in_place;
        let mut piece = Piece {
            bytes: bytes.len() as u64,
            importer: Importer::Nothing,
            diagnostics: Vec::new(),
            parsed: Vec::new(),
            syms: Interner::default(),
            trace: FileTrace::default(),
        };
        for chunk in bytes.chunks(BATCH) {
            importer.push(chunk, &mut sink);
            piece.take(self, &mut sink, &mut importer);
        }
        if !last {
            importer.end_piece(offset + bytes.len() as u64, &mut sink);
            piece.take(self, &mut sink, &mut importer);
        }
        piece.importer = importer;
        piece
    }
}

impl Piece {
    /// What the importer produced, parsed: as [`Analyzer`]'s `drain` does, with the piece's own interner.
    fn take(&mut self, plan: &Plan, sink: &mut Sink, importer: &mut Importer) {
        self.diagnostics.append(&mut sink.diagnostics);
        self.trace.take(&mut sink.trace, importer.trace_shape());
        for r in sink.records.drain(..) {
            match parse_record(plan.file, r, plan.in_place, &mut self.syms) {
                Ok(p) => self.parsed.push(p),
                Err(d) => self.diagnostics.push(d),
            }
        }
    }
}

impl Analyzer {
    /// A plan to import file `file` in pieces, when its format can be cut ([`split::splittable`]); `head` is its
    /// first [`import::SNIFF_BYTES`] (or all of it: `complete`). The file is then fed only through
    /// [`Analyzer::add_piece`], every piece in order from the first byte, then [`Analyzer::finish_file`].
    /// `None`: feed it with [`Analyzer::push`] as usual.
    pub fn split(&mut self, file: u32, head: &[u8], complete: bool) -> Option<Plan> {
        let in_place = self.texts.has_source();
        let f = self.files.get_mut(file as usize)?;
        if f.pushed > 0 || f.importer.is_some() || f.archive.is_some() || f.depth > 0 {
            return None;
        }
        let (format, diag) = import::detect(head, complete);
        if diag.is_some() || !split::splittable(format, head) {
            return None;
        }
        f.info.format = format;
        f.importer = Some(Importer::Nothing);
        super::reserve_messages(&mut self.messages, f.info.bytes, format);
        Some(Plan {
            format,
            file,
            in_place: in_place && !f.keep_text,
        })
    }

    /// Append the next piece of a file being imported in pieces.
    pub fn add_piece(&mut self, file: u32, piece: Piece) {
        let Some(f) = self.files.get_mut(file as usize) else {
            return;
        };
        f.pushed += piece.bytes;
        let before = f.importer.take().unwrap_or(Importer::Nothing);
        f.importer = Some(before.then(piece.importer));
        for mut d in piece.diagnostics {
            d.file.get_or_insert(file);
            self.diagnostics.push(d);
        }
        self.trace[file as usize].append(piece.trace);
        let remap = self.syms.absorb(&piece.syms);
        f.info.messages += piece.parsed.len() as u32;
        for mut p in piece.parsed {
            p.brief.map_syms(|s| remap.sym(s));
            let mut m = p.into_msg(&mut self.texts, &mut self.names);
            m.seq = self.messages.len() as u32;
            self.messages.push(m);
        }
    }
}
