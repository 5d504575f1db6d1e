//! Bytes that are not UTF-8 carried through the text passes unchanged: each byte of an invalid sequence stands
//! as one private-use character of a block the file does not use, and goes back to that byte in the copy. A
//! copy never turns a stray byte into U+FFFD, which would change how the importer reads it (a line it skipped as
//! not UTF-8 could become a packet header).

use std::borrow::Cow;

/// The first code point of the 256 that stand for the bytes 0x00–0xFF (`None`: every block is in use, or no file
/// was read yet; stray bytes become U+FFFD).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Raw(Option<u32>);

/// The private-use planes 15 and 16, in blocks of 256 (the last two code points of each plane are not
/// characters, so the last block of each is left out).
const PLANES: [u32; 2] = [0xF_0000, 0x10_0000];
const BLOCKS: u32 = 255;

impl Raw {
    /// The block for `bytes`: the first one none of its characters falls in.
    pub(super) fn for_file(bytes: &[u8]) -> Raw {
        // Only a four-byte sequence starting F3 or F4 is in planes 15 and 16.
        if memchr::memchr2(0xF3, 0xF4, bytes).is_none() {
            return Raw(Some(PLANES[0]));
        }
        let mut used = vec![false; PLANES.len() * BLOCKS as usize];
        for chunk in bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                let c = c as u32;
                for (i, &plane) in PLANES.iter().enumerate() {
                    if (plane..plane + BLOCKS * 256).contains(&c) {
                        used[i * BLOCKS as usize + ((c - plane) / 256) as usize] = true;
                    }
                }
            }
        }
        Raw(used.iter().position(|u| !u).map(|i| {
            let i = i as u32;
            PLANES[(i / BLOCKS) as usize] + (i % BLOCKS) * 256
        }))
    }

    /// `bytes` as text, each stray byte as its character.
    pub(super) fn text(self, bytes: &[u8]) -> Cow<'_, str> {
        let Some(base) = self.0 else {
            return String::from_utf8_lossy(bytes);
        };
        if let Ok(s) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(bytes.len() + 16);
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for &b in chunk.invalid() {
                out.push(
                    char::from_u32(base + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER),
                );
            }
        }
        Cow::Owned(out)
    }

    /// `text` back to bytes, appended to `out`: each stray byte's character as that byte.
    pub(super) fn bytes(self, text: &str, out: &mut Vec<u8>) {
        let Some(base) = self.0 else {
            out.extend_from_slice(text.as_bytes());
            return;
        };
        if memchr::memchr2(0xF3, 0xF4, text.as_bytes()).is_none() {
            out.extend_from_slice(text.as_bytes());
            return;
        }
        let mut buf = [0u8; 4];
        for c in text.chars() {
            match (c as u32).checked_sub(base) {
                Some(b) if b < 256 => out.push(b as u8),
                _ => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
            }
        }
    }

    /// Whether `c` stands for a stray byte.
    fn stray(self, c: char) -> bool {
        self.0
            .is_some_and(|base| (base..base + 256).contains(&(c as u32)))
    }

    /// How many bytes of the file `text` stands for (a stray byte's character is one).
    pub(super) fn len(self, text: &str) -> usize {
        if self.0.is_none() || memchr::memchr2(0xF3, 0xF4, text.as_bytes()).is_none() {
            return text.len();
        }
        text.chars()
            .map(|c| if self.stray(c) { 1 } else { c.len_utf8() })
            .sum()
    }

    /// Where in `text` the file's byte `n` of it is; `None` at or past its end, or inside a character.
    pub(super) fn offset(self, text: &str, n: usize) -> Option<usize> {
        if self.0.is_none() || memchr::memchr2(0xF3, 0xF4, text.as_bytes()).is_none() {
            return (n < text.len() && text.is_char_boundary(n)).then_some(n);
        }
        let mut bytes = 0;
        for (at, c) in text.char_indices() {
            if bytes == n {
                return Some(at);
            }
            if bytes > n {
                return None;
            }
            bytes += if self.stray(c) { 1 } else { c.len_utf8() };
        }
        None
    }

    /// `text` back to bytes.
    pub(super) fn into_bytes(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        self.bytes(text, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_bytes_come_back_as_they_were() {
        let bytes = b"INFO :: Data Received -1.2.3.4:5061 \xEC render \xF4\x8F\xBF\xBF \xC3\xA9 \xFF\xFE end";
        let raw = Raw::for_file(bytes);
        let text = raw.text(bytes);
        assert!(!text.contains('\u{FFFD}'));
        assert_eq!(raw.into_bytes(&text), bytes);
        // A file that uses the first block already (U+F0041) gets another.
        let taken = "\u{F0041} \u{F0100}"
            .as_bytes()
            .iter()
            .chain(b"\xEC")
            .copied()
            .collect::<Vec<u8>>();
        let raw = Raw::for_file(&taken);
        assert_eq!(raw, Raw(Some(0xF_0200)));
        assert_eq!(raw.into_bytes(&raw.text(&taken)), taken);
        assert_eq!(Raw::for_file(b"valid"), Raw(Some(0xF_0000)));
        // Lengths and places count a stray byte as one byte.
        let raw = Raw::for_file(bytes);
        let text = raw.text(bytes);
        assert_eq!(raw.len(&text), bytes.len());
        let at = bytes.iter().position(|&b| b == 0xEC).unwrap();
        assert_eq!(
            raw.offset(&text, at + 1),
            Some(text.find(" render").unwrap())
        );
    }
}
