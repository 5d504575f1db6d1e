//! Archives written back: each file inside redacted in its own format (an archive inside an archive the same
//! way) and packed again in the same container — gzip as gzip (with its file name when it had one), zip as zip
//! with the same entry names, deflated. A file that cannot be redacted is left out of the copy, never copied
//! through, and why is said. Also the writers themselves (gzip and zip, CRC-32), which tests use to make
//! archives.

use miniz_oxide::deflate::compress_to_vec;

use super::{Redactor, Refused};
use crate::base::diag::Code;
use crate::import::archive::{self, Event, Kind, Reader};

/// CRC-32 (IEEE, as gzip and zip check their contents).
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    !data.iter().fold(0xFFFF_FFFFu32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// A one-member gzip of `data` (FNAME `name` when given), deflated at level 6.
pub fn gzip(name: Option<&str>, data: &[u8]) -> Vec<u8> {
    let flags = if name.is_some() { 8 } else { 0 };
    let mut out = vec![0x1F, 0x8B, 8, flags, 0, 0, 0, 0, 0, 3];
    if let Some(n) = name {
        // FNAME is ISO 8859-1, ended by a zero byte.
        out.extend(
            n.chars()
                .map(|c| u8::try_from(c).unwrap_or(b'_'))
                .filter(|&b| b != 0),
        );
        out.push(0);
    }
    out.extend_from_slice(&compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A zip of `(name, data, deflate?, data descriptor?)` entries, with its central directory.
pub fn zip(entries: &[(&str, &[u8], bool, bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for &(name, data, deflate, descriptor) in entries {
        let body = if deflate {
            compress_to_vec(data, 6)
        } else {
            data.to_vec()
        };
        let offset = out.len() as u32;
        let flags: u16 = if descriptor { 8 } else { 0 };
        let method: u16 = if deflate { 8 } else { 0 };
        let (crc, csize, usize_) = (crc32(data), body.len() as u32, data.len() as u32);
        let (hcrc, hc, hu) = if descriptor {
            (0, 0, 0)
        } else {
            (crc, csize, usize_)
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, flags, method, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [hcrc, hc, hu] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        if descriptor {
            for v in [0x0807_4b50u32, crc, csize, usize_] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, flags, method, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, csize, usize_] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, entries.len() as u16, entries.len() as u16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// What an archive's files may unpack to, with everything nested in them: as the analysis allows
/// ([`archive::MAX_RATIO`] times the outermost archive's size, plus [`archive::RATIO_SLACK`]).
pub(super) struct Budget(u64);

impl Budget {
    pub(super) fn of(size: usize) -> Budget {
        Budget(
            archive::MAX_RATIO
                .saturating_mul(size as u64)
                .saturating_add(archive::RATIO_SLACK),
        )
    }
}

/// The files an archive holds, read as the analysis reads them (a file the limits cut is left out), and what
/// its reader said.
fn unpack(bytes: &[u8], kind: Kind, budget: &mut Budget) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let mut reader = Reader::new(kind, "the archive");
    let (mut events, mut diags) = (Vec::new(), Vec::new());
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut notes = Vec::new();
    reader.feed(bytes);
    loop {
        let more = reader.pump(&mut events, &mut diags);
        if !more {
            reader.finish(&mut events, &mut diags);
        }
        if let Some(why) = take(&mut events, &mut files, budget) {
            notes.push(why);
            reader.stop(&mut events);
            break;
        }
        if !more {
            break;
        }
    }
    notes.extend(diags.into_iter().map(|d| match d.code {
        Code::ArchiveCutOff => {
            "the archive is cut off or damaged: the copy holds what could be read of it".to_string()
        }
        _ => d.message,
    }));
    (files, notes)
}

/// The reader's events into `files`; why the rest must be left out when a limit is reached.
fn take(
    events: &mut Vec<Event>,
    files: &mut Vec<(String, Vec<u8>)>,
    budget: &mut Budget,
) -> Option<String> {
    for e in events.drain(..) {
        match e {
            Event::Begin { name, .. } if files.len() as u32 >= archive::MAX_ENTRIES => {
                return Some(format!(
                    "{name} and the files after it: the archive holds more than {} files",
                    archive::MAX_ENTRIES
                ));
            }
            Event::Begin { name, .. } => files.push((name, Vec::new())),
            Event::Data(d) if d.len() as u64 > budget.0 => {
                let name = files.pop().map(|f| f.0).unwrap_or_default();
                return Some(format!(
                    "{name} and the files after it: the archive unpacks to more than {} times its size",
                    archive::MAX_RATIO
                ));
            }
            Event::Data(d) => {
                budget.0 -= d.len() as u64;
                if let Some(f) = files.last_mut() {
                    f.1.extend_from_slice(&d);
                }
            }
            Event::End => {}
        }
    }
    None
}

impl Redactor {
    /// An archive: each file inside redacted (`depth` archives deep), packed again in the same container.
    pub(super) fn archive(
        &mut self,
        bytes: &[u8],
        kind: Kind,
        depth: u32,
        budget: &mut Budget,
        path: &str,
    ) -> Result<Vec<u8>, Refused> {
        let (files, notes) = unpack(bytes, kind, budget);
        for n in notes {
            self.leave_out(path, n);
        }
        // A gzip names its file only when its header says FNAME.
        let named = kind == Kind::Zip || bytes.get(3).is_some_and(|f| f & 8 != 0);
        let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
        for (name, data) in files {
            let inner = if named {
                format!("{path}{name}")
            } else {
                format!("{path}(the file in the gzip)")
            };
            match self.file(&data, depth + 1, budget, &format!("{inner}/")) {
                Ok(copy) => copies.push((name, copy)),
                Err(why) => self.leave_out(&inner, why.to_string()),
            }
        }
        if copies.is_empty() {
            return Err(Refused::Archive);
        }
        if self.warming {
            // The first pass only learns: nothing is packed.
            return Ok(Vec::new());
        }
        Ok(match kind {
            Kind::Gzip => {
                let (name, data) = &copies[0];
                gzip(named.then_some(name.as_str()), data)
            }
            Kind::Zip => {
                let entries: Vec<(&str, &[u8], bool, bool)> = copies
                    .iter()
                    .map(|(n, d)| (n.as_str(), d.as_slice(), true, false))
                    .collect();
                zip(&entries)
            }
        })
    }
}
