//! WebSocket (RFC 6455) frame headers and the HTTP Upgrade handshake, for SIP over WebSocket (RFC 7118).

use nom::number::complete::{be_u16, be_u64, u8 as byte};
use nom::IResult;

/// A frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub fin: bool,
    /// RSV1: set on the first frame of a compressed message (permessage-deflate).
    pub rsv1: bool,
    pub opcode: u8,
    pub mask: Option<[u8; 4]>,
    /// Header length in bytes (2 to 14).
    pub len: usize,
    pub payload: u64,
}

pub const OP_CONTINUATION: u8 = 0;
pub const OP_TEXT: u8 = 1;
pub const OP_BINARY: u8 = 2;
pub const OP_CLOSE: u8 = 8;
pub const OP_PING: u8 = 9;
pub const OP_PONG: u8 = 10;

fn header_inner(i: &[u8]) -> IResult<&[u8], Header> {
    let (i, b0) = byte(i)?;
    let (i, b1) = byte(i)?;
    let (i, payload) = match b1 & 0x7F {
        126 => {
            let (i, n) = be_u16(i)?;
            (i, u64::from(n))
        }
        127 => be_u64(i)?,
        n => (i, u64::from(n)),
    };
    let (i, mask) = if b1 & 0x80 != 0 {
        let (i, k) = nom::bytes::complete::take(4usize)(i)?;
        let mut key = [0u8; 4];
        key.copy_from_slice(k);
        (i, Some(key))
    } else {
        (i, None)
    };
    Ok((
        i,
        Header {
            fin: b0 & 0x80 != 0,
            rsv1: b0 & 0x40 != 0,
            opcode: b0 & 0x0F,
            mask,
            len: 0,
            payload,
        },
    ))
}

/// Parse a frame header at the start of `d`. `Ok(None)`: more bytes are needed; `Err(())`: not a valid frame
/// (reserved opcode, RSV2/RSV3 set, fragmented or oversized control frame).
#[allow(clippy::result_unit_err)]
pub fn header(d: &[u8]) -> Result<Option<Header>, ()> {
    let b0 = match d.first() {
        Some(&b) => b,
        None => return Ok(None),
    };
    let op = b0 & 0x0F;
    if b0 & 0x30 != 0 || !matches!(op, 0..=2 | 8..=10) {
        return Err(());
    }
    match header_inner(d) {
        Ok((rest, mut h)) => {
            h.len = d.len() - rest.len();
            if h.opcode >= 8 && (!h.fin || h.payload > 125) {
                return Err(());
            }
            Ok(Some(h))
        }
        Err(_) => Ok(None),
    }
}

/// Append `payload` unmasked with `mask` (when masked) to `out`. `offset` is the payload byte index of
/// `payload[0]` (the mask repeats every 4 bytes).
pub fn unmask_into(payload: &[u8], mask: Option<[u8; 4]>, offset: usize, out: &mut Vec<u8>) {
    match mask {
        None => out.extend_from_slice(payload),
        Some(k) => out.extend(
            payload
                .iter()
                .enumerate()
                .map(|(i, &b)| b ^ k[(i + offset) & 3]),
        ),
    }
}

/// Whether the data frame at the start of `d` carries SIP (its payload starts with a SIP start line).
/// `None`: more bytes are needed to tell.
pub fn frame_carries_sip(d: &[u8]) -> Option<bool> {
    let h = match header(d) {
        Ok(Some(h)) => h,
        Ok(None) => return None,
        Err(()) => return Some(false),
    };
    if !matches!(h.opcode, OP_TEXT | OP_BINARY) || h.rsv1 || h.payload == 0 {
        return Some(false);
    }
    let want = h.payload.min(512) as usize;
    let have = d.len().saturating_sub(h.len);
    let mut head = Vec::with_capacity(want);
    unmask_into(
        d.get(h.len..h.len + want.min(have)).unwrap_or(&[]),
        h.mask,
        0,
        &mut head,
    );
    let first_line_done = memchr::memchr(b'\n', &head).is_some();
    if !first_line_done && have < want {
        return None;
    }
    Some(super::starts_with_sip(&head))
}

/// An HTTP message head (request or response) at the start of `d`: its length through the blank line, and
/// whether it asks for (or agrees to) a WebSocket upgrade. `None`: the head is not complete yet.
pub fn http_head(d: &[u8]) -> Option<(usize, bool)> {
    let end = memchr::memmem::find(d, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| memchr::memmem::find(d, b"\n\n").map(|i| i + 2))?;
    let head = d.get(..end).unwrap_or(&[]);
    let upgrade = head.split(|&b| b == b'\n').any(|line| {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let (name, value) = line.split_at(colon);
        name.trim_ascii().eq_ignore_ascii_case(b"upgrade")
            && value
                .get(1..)
                .unwrap_or(&[])
                .trim_ascii()
                .eq_ignore_ascii_case(b"websocket")
    });
    Some((end, upgrade))
}

/// Whether `d` starts like an HTTP request or response line (the WebSocket handshake).
pub fn looks_like_http(d: &[u8]) -> bool {
    d.starts_with(b"GET ") || d.starts_with(b"HTTP/1.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(header(&[]), Ok(None));
        assert_eq!(header(&[0x81]), Ok(None));
        let h = header(&[0x81, 0x05, b'h']).unwrap().unwrap();
        assert_eq!(
            (h.fin, h.opcode, h.len, h.payload, h.mask),
            (true, 1, 2, 5, None)
        );
        let h = header(&[0x02, 0xFE, 0x01, 0x00, 1, 2, 3, 4])
            .unwrap()
            .unwrap();
        assert_eq!(
            (h.fin, h.opcode, h.len, h.payload, h.mask),
            (false, 2, 8, 256, Some([1, 2, 3, 4]))
        );
        let mut long = vec![0x82, 0x7F];
        long.extend(70_000u64.to_be_bytes());
        assert_eq!(header(&long).unwrap().unwrap().payload, 70_000);
        assert_eq!(header(&long[..5]), Ok(None));
        assert_eq!(header(&[0x83, 0]), Err(()));
        assert_eq!(header(&[0xA1, 0]), Err(()));
        assert_eq!(header(&[0x09, 0]), Err(()));
        assert_eq!(header(&[0x89, 126, 0, 200]), Err(()));
    }

    #[test]
    fn unmasking_and_sip_detection() {
        let key = [0x37, 0xFA, 0x21, 0x3D];
        let text = b"OPTIONS sip:a@b SIP/2.0\r\n";
        let masked: Vec<u8> = text
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ key[i % 4])
            .collect();
        let mut out = Vec::new();
        unmask_into(&masked[..5], Some(key), 0, &mut out);
        unmask_into(&masked[5..], Some(key), 5, &mut out);
        assert_eq!(out, text);
        let mut frame = vec![0x81, 0x80 | text.len() as u8];
        frame.extend(key);
        frame.extend(&masked);
        assert_eq!(frame_carries_sip(&frame), Some(true));
        assert_eq!(frame_carries_sip(&frame[..10]), None);
        let mut other = vec![0x81, 5];
        other.extend(b"hello");
        assert_eq!(frame_carries_sip(&other), Some(false));
    }

    #[test]
    fn http_heads() {
        let req = b"GET /sip HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n\x81";
        assert_eq!(http_head(req), Some((req.len() - 1, true)));
        assert_eq!(http_head(&req[..20]), None);
        assert_eq!(
            http_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some((27, false))
        );
        assert!(looks_like_http(req));
        assert!(!looks_like_http(b"INVITE sip:a@b SIP/2.0"));
    }
}
