//! Where a server trace record's message text is in the file: the record's lines as the importer keeps them,
//! each with its place, compared with the text the importer rebuilt from them.

use crate::import::lines::Line;
use crate::import::InFile;

/// One line of a record: where it starts in the kept lines and in the file, its length there, whether it is
/// the file's bytes (not a decoded UTF-16 line), and the bytes of the line break after it in the file (`None`
/// when unknown: the last line, cut at `$$end_record`).
#[derive(Debug, Clone, Copy)]
pub(super) struct LineSpan {
    pos: usize,
    at: u64,
    len: usize,
    verbatim: bool,
    brk: Option<u8>,
}

impl LineSpan {
    /// Line `l`, kept from `pos` in the record's lines; `len` bytes of it (fewer when it was cut at the end
    /// marker).
    pub(super) fn of(l: &Line<'_>, pos: usize, len: usize) -> LineSpan {
        let brk = l.end - l.start - l.text.len() as u64;
        LineSpan {
            pos,
            at: l.start,
            len,
            verbatim: l.verbatim,
            brk: (len == l.text.len() && (1..=2).contains(&brk)).then_some(brk as u8),
        }
    }
}

/// `rest` goes on with `bytes`, or ends inside them: what is left of `rest` after them.
fn follow<'a>(rest: &'a [u8], bytes: &[u8]) -> Option<&'a [u8]> {
    let n = bytes.len().min(rest.len());
    (rest[..n] == bytes[..n]).then(|| &rest[n..])
}

/// Where the message text `sip`, which begins with `start_line` (a slice of `lines`, whose lines `spans`
/// places), is in the file, when the file holds exactly those bytes from there: the start line's value runs
/// on, line after line, in the record as it is written. `None` when the importer changed anything (blank
/// lines dropped, a break put back, LF lines, a decoded line).
fn in_file(lines: &[u8], spans: &[LineSpan], sip: &[u8], start_line: &[u8]) -> Option<u64> {
    let off = (start_line.as_ptr() as usize).checked_sub(lines.as_ptr() as usize)?;
    let k = spans.partition_point(|s| s.pos <= off).checked_sub(1)?;
    let first = spans[k];
    let skip = off - first.pos;
    let mut rest = sip;
    let mut from = skip;
    let mut expect = first.at;
    for s in &spans[k..] {
        if s.at != expect || !s.verbatim {
            return None;
        }
        rest = follow(rest, lines.get(s.pos + from..s.pos + s.len)?)?;
        from = 0;
        if rest.is_empty() {
            return Some(first.at + skip as u64);
        }
        let brk: &[u8] = match s.brk? {
            2 => b"\r\n",
            1 => b"\n",
            _ => return None,
        };
        rest = follow(rest, brk)?;
        if rest.is_empty() {
            return Some(first.at + skip as u64);
        }
        expect = s.at + (s.len + brk.len()) as u64;
    }
    None
}

/// Where a record's rebuilt message text `sip` is in the file: all of it from the start line's value on (a
/// record written as the message was), or apart — `sip[..head_len]` (start line and header lines) and the
/// body from `body_start` (the `Message-Body:` value, a slice of `lines`), a CRLF put back after it when
/// `put_back` — as the usual record is written.
pub(super) fn record(
    lines: &[u8],
    spans: &[LineSpan],
    sip: &[u8],
    head_len: usize,
    body_start: Option<&[u8]>,
    put_back: bool,
    start_line: &[u8],
) -> Option<InFile> {
    if let Some(at) = in_file(lines, spans, sip, start_line) {
        return Some(InFile::At(at));
    }
    let head = in_file(lines, spans, sip.get(..head_len)?, start_line)?;
    let body = sip.get(head_len + 2..)?;
    let tail_len = body.len() - if put_back { 2 } else { 0 };
    let tail = match body_start {
        Some(first) if tail_len > 0 => in_file(lines, spans, &body[..tail_len], first)?,
        _ => 0,
    };
    Some(InFile::Split {
        head,
        head_len: head_len as u32,
        tail,
        tail_len: tail_len as u32,
        crlf: put_back,
    })
}
