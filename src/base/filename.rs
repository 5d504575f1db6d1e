//! File names offered for saving: an input's name split into its stem and its extension (`.gz`/`.zip` kept with
//! the one before them), and characters a file name cannot hold replaced.

/// `name` without its folders, split before its extension: `Lync-UccApi-0.UccApilog` → (`Lync-UccApi-0`,
/// `.UccApilog`); `trace.log.gz` → (`trace`, `.log.gz`); `notes` → (`notes`, ``). A leading dot is part of the
/// stem (`.hidden` has no extension).
pub fn split(name: &str) -> (&str, &str) {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut stem = base;
    for _ in 0..2 {
        match stem.rsplit_once('.') {
            Some((s, ext)) if !s.is_empty() => {
                stem = s;
                if !matches!(ext.to_ascii_lowercase().as_str(), "gz" | "zip") {
                    break;
                }
            }
            _ => break,
        }
    }
    (stem, &base[stem.len()..])
}

/// `text` with the characters Windows, macOS or Linux refuse in a file name (and control characters) as `_`;
/// `fallback` when nothing but dots, spaces and dashes is left.
pub fn safe(text: &str, fallback: &str) -> String {
    let out: String = text
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if out.trim_matches(['.', ' ', '-']).is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_extensions() {
        assert_eq!(
            split("C:\\logs\\Lync-UccApi-0.UccApilog"),
            ("Lync-UccApi-0", ".UccApilog")
        );
        assert_eq!(split("/tmp/trace.log.gz"), ("trace", ".log.gz"));
        assert_eq!(split("capture.pcap.zip"), ("capture", ".pcap.zip"));
        assert_eq!(split("my.server.trace.log"), ("my.server.trace", ".log"));
        assert_eq!(split("notes"), ("notes", ""));
        assert_eq!(split(".hidden"), (".hidden", ""));
        assert_eq!(split(""), ("", ""));
    }

    #[test]
    fn unsafe_characters_are_replaced() {
        assert_eq!(safe("a:b/c?*\u{7}", "x"), "a_b_c___");
        assert_eq!(safe(" .-", "sipscope"), "sipscope");
    }
}
