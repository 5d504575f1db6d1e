//! Secrets in message text that no view shows: the media relay (A/V Edge) credentials, found once here for every
//! reader — the store masks them where a message's text is read back, the redaction renames them.
//!
//! The Media Relay Authentication Service answers a client's credentials request with a `credentials` element
//! ([MS-AVEDGEA] 2.2.4.3 `credentialsType`: `username`, `password`, `duration`, an optional `realm`;
//! <https://learn.microsoft.com/en-us/openspecs/office_protocols/ms-avedgea/29f30c20-af94-423a-8305-12656f613b88>).
//! The user name and the password are "part of the security token" the client presents to the relay (TURN);
//! the duration (how long the token is valid) and the realm (which network segment the server belongs to) are
//! not secret and stay. A value is masked byte for byte with [`MASK`], white space kept, so every byte offset,
//! length and line of the text stays where it was (the page and the store keep positions, not text).

use std::borrow::Cow;
use std::ops::Range;

/// What every byte of a masked value becomes (ASCII, one byte: lengths and positions stay).
pub const MASK: u8 = b'*';

/// The elements of a `credentials` element whose text is secret.
const SECRET: [&[u8]; 2] = [b"username", b"password"];

/// The byte ranges of the secret values in `text`: the text of every `username` and `password` element inside a
/// `credentials` element (any namespace prefix; leading and trailing white space left out; a value cut off by
/// the end of the text runs to its end). Empty when the text names no `credentials` element, which is found
/// without reading the text twice.
pub fn credentials(text: &[u8]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let Some(first) = memchr::memmem::find(text, b"credentials") else {
        return found;
    };
    let mut inside = false;
    // From the tag that may name it (`<credentials`, `<m:credentials`): a tag before it cannot matter.
    let mut i = memchr::memrchr(b'<', &text[..first]).unwrap_or(first);
    while let Some(lt) = memchr::memchr(b'<', &text[i..]) {
        let at = i + lt;
        let closing = text.get(at + 1) == Some(&b'/');
        let name_at = at + 1 + usize::from(closing);
        let name_end = text[name_at..]
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-')))
            .map_or(text.len(), |n| name_at + n);
        let name = &text[name_at..name_end];
        let local = name.rsplit(|&c| c == b':').next().unwrap_or(name);
        let Some(gt) = memchr::memchr(b'>', &text[name_end..]) else {
            break;
        };
        let tag_end = name_end + gt + 1;
        let empty = text[..tag_end].ends_with(b"/>");
        match (closing, local) {
            (false, b"credentials") if !empty => inside = true,
            (true, b"credentials") => inside = false,
            (false, l) if inside && !empty && SECRET.contains(&l) => {
                let end = memchr::memmem::find(&text[tag_end..], b"</")
                    .map_or(text.len(), |n| tag_end + n);
                let value = &text[tag_end..end];
                let lead = value.iter().take_while(|c| c.is_ascii_whitespace()).count();
                let trail = value[lead..]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_whitespace())
                    .count();
                if lead < value.len() {
                    found.push(tag_end + lead..end - trail);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i = tag_end;
    }
    found
}

/// Mask every secret value of `text` in place (see [`credentials`]): each byte that is not white space becomes
/// [`MASK`]. How many values were masked.
pub fn mask(text: &mut [u8]) -> usize {
    let found = credentials(text);
    for r in &found {
        for b in &mut text[r.clone()] {
            if !b.is_ascii_whitespace() {
                *b = MASK;
            }
        }
    }
    found.len()
}

/// `text` with its secrets masked: borrowed when it has none.
pub fn masked(text: &[u8]) -> Cow<'_, [u8]> {
    if credentials(text).is_empty() {
        return Cow::Borrowed(text);
    }
    let mut owned = text.to_vec();
    mask(&mut owned);
    Cow::Owned(owned)
}

/// [`mask`] over a string (a trace line): a value's bytes are whole characters between ASCII bytes, so the string
/// stays UTF-8.
pub fn masked_string(text: String) -> String {
    if credentials(text.as_bytes()).is_empty() {
        return text;
    }
    let mut bytes = text.into_bytes();
    mask(&mut bytes);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = "<response xmlns=\"http://schemas.microsoft.com/2006/09/sip/mrasp\"><credentialsResponse \
credentialsRequestID=\"1\"><credentials><username>QmFzZTY0VXNlcg==</username><password>c2VjcmV0</password>\
<duration>480</duration><realm>SfB</realm></credentials><mediaRelayList><mediaRelay><location>internet</location>\
<hostName>av.contoso.com</hostName><udpPort>3478</udpPort></mediaRelay></mediaRelayList></credentialsResponse>\
</response>";

    fn masked_str(text: &str) -> (String, usize) {
        let mut b = text.as_bytes().to_vec();
        let n = mask(&mut b);
        (String::from_utf8(b).unwrap(), n)
    }

    #[test]
    fn user_name_and_password_are_masked_in_place_and_the_rest_stays() {
        let (out, n) = masked_str(ANSWER);
        assert_eq!(n, 2);
        assert_eq!(out.len(), ANSWER.len());
        assert!(out.contains("<username>****************</username><password>********</password>"));
        for kept in [
            "<duration>480</duration>",
            "<realm>SfB</realm>",
            "av.contoso.com",
            "3478",
        ] {
            assert!(out.contains(kept), "{kept}");
        }
        // Masking again finds the same two values and changes nothing.
        assert_eq!(masked_str(&out), (out.clone(), 2));
    }

    #[test]
    fn prefixes_white_space_cut_values_and_lines_are_handled() {
        let text = "<m:credentials>\r\n  <m:username>\r\n    abc def\r\n  </m:username>\r\n  <m:password>sec";
        let (out, n) = masked_str(text);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "<m:credentials>\r\n  <m:username>\r\n    *** ***\r\n  </m:username>\r\n  <m:password>***"
        );
    }

    #[test]
    fn only_inside_credentials_and_only_values() {
        for text in [
            "<username>alice</username><password>x</password>",
            "<credentials/><username>alice</username>",
            "<credentials></credentials><password>x</password>",
            "<credentials><username/><password></password><username>  </username></credentials>",
            "credentials but no XML: <password>x</password>",
            "",
        ] {
            let (out, n) = masked_str(text);
            assert_eq!((out.as_str(), n), (text, 0), "{text}");
            assert!(matches!(masked(text.as_bytes()), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn non_ascii_values_stay_utf8() {
        let s = masked_string("<credentials><password>pässwörd</password></credentials>".into());
        assert_eq!(
            s,
            "<credentials><password>**********</password></credentials>"
        );
    }

    #[test]
    fn any_cut_of_an_answer_is_read_without_panic() {
        for n in 0..=ANSWER.len() {
            let mut b = ANSWER.as_bytes()[..n].to_vec();
            mask(&mut b);
            assert!(!String::from_utf8_lossy(&b).contains("c2VjcmV0"));
        }
    }
}
