//! Archives made in tests: gzip and zip writers (deflate from miniz_oxide, CRC-32 by hand).
// Each test file that includes `common` uses part of it.
#![allow(dead_code)]

use miniz_oxide::deflate::compress_to_vec;

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A one-member gzip of `data` (FNAME `name` when given), deflated at level 6.
pub fn gzip(name: Option<&str>, data: &[u8]) -> Vec<u8> {
    let mut out = vec![
        0x1F,
        0x8B,
        8,
        if name.is_some() { 8 } else { 0 },
        0,
        0,
        0,
        0,
        0,
        3,
    ];
    if let Some(n) = name {
        out.extend_from_slice(n.as_bytes());
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
