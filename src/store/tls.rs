//! TLS records lined up with a client log's messages: when a capture of the client's TLS connection is merged
//! with its client log, each application-data record the capture holds is matched to the message it carries, so
//! the encrypted frames line up with the decrypted messages.
//!
//! - **Size.** A record's payload is the message's bytes plus what the cipher adds: 24 bytes for TLS 1.2
//!   AES-GCM (8-byte explicit nonce, 16-byte tag; RFC 5288), 16 for TLS 1.2 ChaCha20-Poly1305 (RFC 7905), 17 for
//!   TLS 1.3 (the inner content type and the tag; RFC 8446 §5.2), or, for CBC suites, an IV, a MAC and 1–16
//!   bytes of padding to a multiple of 16 (21–80 bytes; RFC 5246 §6.2.3.2). A message longer than 2^14 bytes is
//!   sent in several records, all full but the last: they are taken together. The client log writes each message
//!   exactly as sent (its packet header announces the same byte count), so sizes can be compared exactly.
//! - **Direction.** A message the log sent travels in a record from the connection's client; one it received,
//!   in a record from the server. When a connection's two addresses are the ones the log names, the message's own
//!   addresses must be the connection's too (the capture was taken on the client); otherwise (NAT, a capture
//!   taken on the Edge) any connection may carry it.
//! - **Clock.** The capture shares no plain message with the log, so its clock is found from the records
//!   themselves: every (message, record) pair that fits by size and direction gives a difference of times; the
//!   true offset is where the differences crowd together (the 1-second window holding the most), and its median
//!   is the offset. The cipher is chosen the same way: the one whose sizes give the most pairs in that window.
//!   A capture whose clock is already known (it shares plain SIP with another file, or it was set by hand) keeps
//!   it.
//! - **Matching.** Then each message, in time order, takes the record of the right size and direction nearest
//!   in time (within a second of the offset) that no earlier message took.

use super::{FileInfo, Msg};
use crate::base::diag::{Code, Diagnostic};
use crate::base::fxhash::{FxMap, FxSet};
use crate::flow::merge::{ClockSource, FileClock};
use crate::import::tls::{TlsConn, TlsRecords};
use crate::import::{Direction, PointOfView};

/// A TLS plaintext fragment's largest size (RFC 8446 §5.1, RFC 5246 §6.2.1): a longer message spans records.
const MAX_FRAGMENT: u32 = 1 << 14;
/// The window the time differences of true pairs fall in, and how far a record may be from its message after
/// the offset.
const WINDOW_MS: i64 = 1_000;
/// A message with more candidate records than this says nothing about the offset (a size every other message
/// has): it is left out of the estimate, not of the matching.
const MAX_CANDIDATES: usize = 64;
/// The fewest pairs an estimated offset must rest on.
const MIN_PAIRS: usize = 2;
/// Connections listed one by one in the diagnostics; the rest are counted.
const LIST_CONNS: usize = 100;

/// What a cipher suite adds to each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overhead {
    /// An AEAD suite: exactly this many bytes a record.
    Aead(u32),
    /// A CBC suite: IV, MAC and padding, 21–80 bytes, the payload a multiple of 16.
    Cbc,
}

impl Overhead {
    const ALL: [Overhead; 4] = [
        Overhead::Aead(24),
        Overhead::Aead(17),
        Overhead::Aead(16),
        Overhead::Cbc,
    ];

    /// The suite for people.
    pub fn describe(self) -> String {
        match self {
            Overhead::Aead(24) => "TLS 1.2 with AES-GCM: 24 bytes added to each record".into(),
            Overhead::Aead(17) => "TLS 1.3: 17 bytes added to each record".into(),
            Overhead::Aead(16) => {
                "TLS 1.2 with ChaCha20-Poly1305: 16 bytes added to each record".into()
            }
            Overhead::Aead(k) => format!("{k} bytes added to each record"),
            Overhead::Cbc => "a CBC cipher suite: 21–80 bytes added to each record".into(),
        }
    }

    /// The plaintext sizes a payload of `len` bytes can hold (`None`: none, under this suite).
    fn plain(self, len: u32) -> Option<(u32, u32)> {
        match self {
            Overhead::Aead(k) => len.checked_sub(k).map(|p| (p, p)),
            Overhead::Cbc if len % 16 == 0 && len > 21 => Some((len.saturating_sub(80), len - 21)),
            Overhead::Cbc => None,
        }
    }

    /// A record this long holds a full fragment: the message goes on in the next record.
    fn full(self, len: u32) -> bool {
        self.plain(len)
            .is_some_and(|(lo, hi)| lo <= MAX_FRAGMENT && MAX_FRAGMENT <= hi)
    }
}

/// One message's worth of records: one record, or a run of full ones and the record that ends them.
#[derive(Debug, Clone)]
struct Unit {
    /// Indices into the records.
    records: Vec<u32>,
    file: u32,
    conn: u32,
    from_client: bool,
    /// Capture time of its first record, in milliseconds on the capture's clock.
    time: i64,
    /// Plaintext sizes it can hold.
    plain: (u32, u32),
}

/// Messages of the client log that a record could carry.
struct Wanted {
    /// Index into the merged messages.
    msg: u32,
    time: i64,
    size: u32,
    sent: bool,
    /// `(client, server)` as the log names them.
    ends: (String, String),
}

/// One connection's records, and how many were lined up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnLineup {
    pub file: u32,
    pub conn: u32,
    pub client: String,
    pub server: String,
    pub first_frame: u32,
    pub records: u32,
    pub matched: u32,
    /// Unmatched records the size of a CRLF or double-CRLF keep-alive (RFC 5626 §3.5.1).
    pub keepalives: u32,
}

/// One capture file's lineup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLineup {
    pub file: u32,
    /// The cipher's overhead the sizes fit (none when nothing was matched).
    pub overhead: Option<Overhead>,
    /// Milliseconds added to the capture's times to put them on the merged timeline.
    pub offset_ms: i64,
    /// Messages matched to records.
    pub messages: u32,
}

/// The records that carried messages, and what was left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsLineup {
    /// (message index, record index), sorted: the records that carried each message.
    pub carried: Vec<(u32, u32)>,
    pub conns: Vec<ConnLineup>,
    pub files: Vec<FileLineup>,
}

impl TlsLineup {
    /// The records (indices) that carried message `msg`.
    pub fn records_of(&self, msg: u32) -> impl Iterator<Item = u32> + '_ {
        let from = self.carried.partition_point(|&(m, _)| m < msg);
        self.carried[from..]
            .iter()
            .take_while(move |&&(m, _)| m == msg)
            .map(|&(_, r)| r)
    }
}

/// Line the capture files' TLS records up with the client logs' messages (`messages` on the merged timeline).
/// Sets the clock of each capture whose clock was unknown; gives the lineup and its diagnostics.
pub fn line_up(
    files: &[FileInfo],
    messages: &[Msg],
    tls: &TlsRecords,
    clocks: &mut [FileClock],
) -> (TlsLineup, Vec<Diagnostic>) {
    let mut out = TlsLineup::default();
    let mut diagnostics = Vec::new();
    let client_logs: Vec<u32> = (0..files.len() as u32)
        .filter(|&f| files[f as usize].format.point_of_view() == PointOfView::Client)
        .collect();
    if tls.is_empty() || client_logs.is_empty() {
        return (out, diagnostics);
    }
    let wanted = wanted(messages, &client_logs);
    let log_pairs: std::collections::HashSet<(&str, &str)> = wanted
        .iter()
        .map(|w| (w.ends.0.as_str(), w.ends.1.as_str()))
        .collect();
    let conns: FxMap<(u32, u32), &TlsConn> =
        tls.conns.iter().map(|c| ((c.file, c.conn), c)).collect();
    let known = |file: u32, conn: u32| {
        conns
            .get(&(file, conn))
            .map(|c| (c.client.as_str(), c.server.as_str()))
            .filter(|p| log_pairs.contains(p))
    };
    let mut capture_files: Vec<u32> = tls.records.iter().map(|r| r.file).collect();
    capture_files.sort_unstable();
    capture_files.dedup();
    for file in capture_files {
        let clock = clocks.get(file as usize).cloned();
        let fixed = clock
            .as_ref()
            .filter(|c| c.source != ClockSource::Unknown)
            .map(|c| c.offset_ms);
        let fits = |w: &Wanted, u: &Unit| {
            w.sent == u.from_client
                && u.plain.0 <= w.size
                && w.size <= u.plain.1
                && known(u.file, u.conn)
                    .is_none_or(|(c, s)| (c, s) == (&w.ends.0[..], &w.ends.1[..]))
        };
        let mut best: Option<(usize, Overhead, i64, Vec<Unit>)> = None;
        for overhead in Overhead::ALL {
            let units = units(tls, file, overhead);
            let index = Index::new(&units);
            let (pairs, offset) = match fixed {
                Some(o) => (count_at(&wanted, &units, &index, o, &fits), o),
                None => estimate(&wanted, &units, &index, &fits),
            };
            if pairs >= MIN_PAIRS && best.as_ref().is_none_or(|b| pairs > b.0) {
                best = Some((pairs, overhead, offset, units));
            }
        }
        let Some((_, overhead, offset, units)) = best else {
            let n = tls.records.iter().filter(|r| r.file == file).count();
            diagnostics.push(
                Diagnostic::info(
                    Code::TlsRecordsUnmatched,
                    format!(
                        "None of the {n} TLS application-data record{} of {} fits a message of {} by direction, size and time: the capture may be of another connection, or of another time.",
                        if n == 1 { "" } else { "s" },
                        files[file as usize].name,
                        names(files, &client_logs),
                    ),
                )
                .in_file(file),
            );
            continue;
        };
        let index = Index::new(&units);
        let mut used = vec![false; units.len()];
        let mut count = 0u32;
        // This capture's matches: they join the lineup only if it is not chance.
        let mut carried: Vec<(u32, u32)> = Vec::new();
        let mut matched_records: FxSet<u32> = FxSet::default();
        for w in &wanted {
            let mut pick: Option<(i64, usize)> = None;
            for u in index.candidates(w.size) {
                let unit = &units[u];
                let off = (unit.time + offset - w.time).abs();
                if !used[u] && off <= WINDOW_MS && fits(w, unit) && pick.is_none_or(|p| off < p.0) {
                    pick = Some((off, u));
                }
            }
            if let Some((_, u)) = pick {
                used[u] = true;
                count += 1;
                for &r in &units[u].records {
                    carried.push((w.msg, r));
                    matched_records.insert(r);
                }
            }
        }
        // A lineup that leaves most of the log's messages of that time without a record is chance: sizes that
        // happen to fit, not the connection the log used.
        let (first, last) = (
            units.iter().map(|u| u.time).min().unwrap_or(0) + offset,
            units.iter().map(|u| u.time).max().unwrap_or(0) + offset,
        );
        let during = wanted
            .iter()
            .filter(|w| (first - WINDOW_MS..=last + WINDOW_MS).contains(&w.time))
            .count() as u32;
        if count * 4 < during {
            diagnostics.push(
                Diagnostic::info(
                    Code::TlsRecordsUnmatched,
                    format!(
                        "Only {count} of the {during} messages {} logged while {} was capturing fit a TLS record by direction, size and time: too few to be the connection the log used, so none is lined up.",
                        names(files, &client_logs),
                        files[file as usize].name,
                    ),
                )
                .in_file(file),
            );
            continue;
        }
        if let Some(c) = clocks.get_mut(file as usize) {
            if fixed.is_none() {
                *c = FileClock {
                    file,
                    offset_ms: offset,
                    source: ClockSource::TlsRecords,
                    shared: count,
                };
            }
        }
        out.carried.extend(carried);
        out.files.push(FileLineup {
            file,
            overhead: Some(overhead),
            offset_ms: offset,
            messages: count,
        });
        // Keep-alives: the unmatched units a CRLF or two fit.
        let keepalive: FxSet<u32> = units
            .iter()
            .zip(&used)
            .filter(|(u, used)| !**used && [2, 4].iter().any(|&k| u.plain.0 <= k && k <= u.plain.1))
            .flat_map(|(u, _)| u.records.iter().copied())
            .collect();
        // Each connection's records, matched records and keep-alives, counted in one pass over the records.
        let mut counts: FxMap<u32, [u32; 3]> = FxMap::default();
        for (i, r) in tls
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.file == file)
        {
            let c = counts.entry(r.conn).or_default();
            let i = i as u32;
            c[0] += 1;
            c[1] += u32::from(matched_records.contains(&i));
            c[2] += u32::from(keepalive.contains(&i));
        }
        for c in tls.conns.iter().filter(|c| c.file == file) {
            let [records, matched, keepalives] = counts.get(&c.conn).copied().unwrap_or_default();
            out.conns.push(ConnLineup {
                file,
                conn: c.conn,
                client: c.client.clone(),
                server: c.server.clone(),
                first_frame: c.first_frame,
                records,
                matched,
                keepalives,
            });
        }
    }
    out.carried.sort_unstable();
    let logs = names(files, &client_logs);
    for c in out.conns.iter().filter(|c| c.matched > 0).take(LIST_CONNS) {
        let lineup = out.files.iter().find(|f| f.file == c.file);
        let suite = lineup
            .and_then(|f| f.overhead)
            .map_or_else(String::new, |o| format!(" ({})", o.describe()));
        let rest = c.records - c.matched;
        let mut tail = String::new();
        if rest > 0 {
            let other = rest - c.keepalives;
            let mut parts = Vec::new();
            if c.keepalives > 0 {
                parts.push(plural(c.keepalives, "keep-alive"));
            }
            if other > 0 {
                parts.push(format!(
                    "{} the log has no message for",
                    plural(other, "record")
                ));
            }
            tail = format!("; the rest: {}", parts.join(", "));
        }
        diagnostics.push(
            Diagnostic::info(
                Code::TlsRecordsMatched,
                format!(
                    "TLS connection {} ↔ {}: {} of {} application-data records carry messages of {logs}{suite}{tail}.",
                    c.client, c.server, c.matched, c.records
                ),
            )
            .at(c.file, c.first_frame),
        );
    }
    (out, diagnostics)
}

fn plural(n: u32, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn names(files: &[FileInfo], which: &[u32]) -> String {
    which
        .iter()
        .map(|&f| files[f as usize].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The client logs' messages a record could carry: sent or received, with a time.
fn wanted(messages: &[Msg], client_logs: &[u32]) -> Vec<Wanted> {
    let mut v: Vec<Wanted> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| client_logs.contains(&m.file))
        .filter_map(|(i, m)| {
            let time = m.time?.0;
            let sent = match m.direction {
                Direction::Sent => true,
                Direction::Received => false,
                Direction::Unknown => return None,
            };
            let (src, dst) = (m.src.to_string(), m.dst.to_string());
            Some(Wanted {
                msg: i as u32,
                time,
                size: m.text.bytes(),
                sent,
                ends: if sent { (src, dst) } else { (dst, src) },
            })
        })
        .collect();
    v.sort_by_key(|w| (w.time, w.msg));
    v
}

/// The file's records as message units under `overhead`: each connection's direction in order, full records
/// joined with the one that ends them.
fn units(tls: &TlsRecords, file: u32, overhead: Overhead) -> Vec<Unit> {
    let mut open: FxMap<(u32, bool), Unit> = FxMap::default();
    let mut out = Vec::new();
    for (i, r) in tls
        .records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.file == file)
    {
        let Some(plain) = overhead.plain(r.len) else {
            open.remove(&(r.conn, r.from_client));
            continue;
        };
        let key = (r.conn, r.from_client);
        let unit = open.entry(key).or_insert_with(|| Unit {
            records: Vec::new(),
            file,
            conn: r.conn,
            from_client: r.from_client,
            time: r.time.map_or(0, |t| t.0),
            plain: (0, 0),
        });
        unit.records.push(i as u32);
        unit.plain = (
            unit.plain.0.saturating_add(plain.0),
            unit.plain.1.saturating_add(plain.1),
        );
        if !overhead.full(r.len) {
            if let Some(u) = open.remove(&key) {
                out.push(u);
            }
        }
    }
    out.sort_by_key(|u| (u.time, u.records[0]));
    out
}

/// Units by the smallest plaintext size they hold, to find those that can hold a size.
struct Index {
    by_min: Vec<(u32, u32, usize)>,
    widest: u32,
}

impl Index {
    fn new(units: &[Unit]) -> Index {
        let mut by_min: Vec<(u32, u32, usize)> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.plain.0, u.plain.1, i))
            .collect();
        by_min.sort_unstable();
        let widest = units
            .iter()
            .map(|u| u.plain.1 - u.plain.0)
            .max()
            .unwrap_or(0);
        Index { by_min, widest }
    }

    /// The units (indices, in time order for one size) whose plaintext range holds `size`.
    fn candidates(&self, size: u32) -> impl Iterator<Item = usize> + '_ {
        let lo = size.saturating_sub(self.widest);
        let from = self.by_min.partition_point(|e| e.0 < lo);
        self.by_min[from..]
            .iter()
            .take_while(move |e| e.0 <= size)
            .filter(move |e| e.1 >= size)
            .map(|e| e.2)
    }
}

/// The offset most pairs agree on, and how many agree: the 1-second window of time differences that holds the
/// most pairs, and its median.
fn estimate(
    wanted: &[Wanted],
    units: &[Unit],
    index: &Index,
    fits: &dyn Fn(&Wanted, &Unit) -> bool,
) -> (usize, i64) {
    let mut diffs: Vec<i64> = Vec::new();
    for w in wanted {
        let before = diffs.len();
        for u in index.candidates(w.size) {
            if fits(w, &units[u]) {
                diffs.push(w.time - units[u].time);
            }
        }
        if diffs.len() - before > MAX_CANDIDATES {
            diffs.truncate(before);
        }
    }
    diffs.sort_unstable();
    let (mut best, mut at) = (0usize, 0usize);
    let mut lo = 0;
    for hi in 0..diffs.len() {
        while diffs[hi] - diffs[lo] > WINDOW_MS {
            lo += 1;
        }
        if hi + 1 - lo > best {
            best = hi + 1 - lo;
            at = lo;
        }
    }
    if best == 0 {
        return (0, 0);
    }
    (best, diffs[at + best / 2])
}

/// How many pairs fit a known offset.
fn count_at(
    wanted: &[Wanted],
    units: &[Unit],
    index: &Index,
    offset: i64,
    fits: &dyn Fn(&Wanted, &Unit) -> bool,
) -> usize {
    wanted
        .iter()
        .filter(|w| {
            index
                .candidates(w.size)
                .any(|u| (units[u].time + offset - w.time).abs() <= WINDOW_MS && fits(w, &units[u]))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::Timestamp;
    use crate::import::tls::TlsRecord;

    fn rec(conn: u32, from_client: bool, ms: i64, len: u32) -> TlsRecord {
        TlsRecord {
            file: 1,
            conn,
            from_client,
            time: Some(Timestamp(ms)),
            len,
            frame: ms as u32,
        }
    }

    #[test]
    fn a_long_message_is_its_full_records_and_the_one_that_ends_them() {
        // 40,000 bytes in TLS 1.2 AES-GCM: two full records and one of 7,232, interleaved with the other
        // direction and another connection.
        let tls = TlsRecords {
            conns: Vec::new(),
            records: vec![
                rec(0, true, 1, 16_384 + 24),
                rec(0, false, 2, 500 + 24),
                rec(1, true, 3, 16_384 + 24),
                rec(0, true, 4, 16_384 + 24),
                rec(0, true, 5, 7_232 + 24),
                rec(1, true, 6, 10 + 24),
            ],
        };
        let units = units(&tls, 1, Overhead::Aead(24));
        let got: Vec<(Vec<u32>, (u32, u32))> =
            units.iter().map(|u| (u.records.clone(), u.plain)).collect();
        assert_eq!(
            got,
            vec![
                (vec![0, 3, 4], (40_000, 40_000)),
                (vec![1], (500, 500)),
                (vec![2, 5], (16_394, 16_394)),
            ]
        );
    }

    #[test]
    fn cbc_sizes_are_a_band_and_need_whole_blocks() {
        assert_eq!(Overhead::Cbc.plain(1_008), Some((928, 987)));
        assert_eq!(Overhead::Cbc.plain(1_009), None);
        assert_eq!(Overhead::Aead(17).plain(10), None);
        assert!(Overhead::Aead(24).full(16_408));
        assert!(!Overhead::Aead(24).full(16_407));
    }
}
