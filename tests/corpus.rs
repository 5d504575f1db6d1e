//! Corpus test: every file in ../shared/fixtures (real SIP samples from other projects) is analyzed without
//! panics, and the message counts from that folder's README are checked for every format sipscope reads.
#![cfg(not(target_arch = "wasm32"))]

use sipscope::import::Format;
use sipscope::{Analysis, Severity};
use std::path::Path;

/// (path under shared/fixtures, expected SIP messages, expected truncated messages, must have diagnostics)
const EXPECTED: &[(&str, usize, usize, bool)] = &[
    ("pcap/sip_ipv6_udp.pcap", 6, 0, false),
    ("pcap/sip_ipv4_tcp.pcap", 7, 0, false),
    ("pcap/sip_ipv4_tcp_retrans.pcap", 8, 0, false),
    ("pcap/ipip.pcap", 4, 0, false),
    ("pcap/ipv6frag.pcap", 32, 0, false),
    ("resip-rfc4475/badinv01.dat", 1, 0, true),
    ("resip-rfc4475/esc01.dat", 1, 0, false),
    ("resip-rfc4475/longreq.dat", 1, 0, false),
    ("resip-rfc4475/mcl01.dat", 1, 0, true),
    ("resip-rfc4475/mpart01.dat", 1, 0, false),
    ("resip-rfc4475/noreason.dat", 1, 0, false),
    ("resip-rfc4475/unreason.dat", 1, 0, false),
    ("resip-rfc4475/wsinv.dat", 1, 0, false),
    ("kamailio-test/message-2002-379a395.sip", 1, 0, true),
    ("kamailio-test/ms-invite-00.sip", 1, 0, false),
    ("kamailio-test/ms-invite-00-rpl.sip", 1, 1, false),
    ("kamailio-test/msbye.sip", 1, 0, false),
    (
        "ms-lync-devdocs/creating-enhanced-presence-category-instances.md",
        1,
        0,
        false,
    ),
    (
        "ms-lync-devdocs/deleting-an-existing-publication.md",
        1,
        0,
        false,
    ),
    (
        "asterisk-docs/Asterisk-PJSIP-Troubleshooting-Guide.md",
        8,
        0,
        false,
    ),
    (
        "asterisk-docs/Configuring-chan_sip-for-Presence-Subscriptions.md",
        6,
        0,
        false,
    ),
];

#[test]
fn shared_fixture_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if !root.is_dir() {
        println!("corpus: {} not found; nothing to check", root.display());
        return;
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for &(rel, want, want_truncated, want_diags) in EXPECTED {
        let path = root.join(rel);
        let Ok(bytes) = std::fs::read(&path) else {
            failures.push(format!("{rel}: missing"));
            continue;
        };
        let a = Analysis::of_files([(rel, bytes.as_slice())]);
        let _ = a.to_text();
        let format = a.files[0].format;
        if format == Format::Unsupported {
            // Recognised but not readable yet: must say so as an error diagnostic, never silently.
            if !a.diagnostics.iter().any(|d| d.severity == Severity::Error) {
                failures.push(format!(
                    "{rel}: unsupported format without an error diagnostic"
                ));
            }
            println!("corpus: {rel}: format not supported yet (expected {want} messages), diagnostic given");
            continue;
        }
        let got = a.messages.len();
        let truncated = (0..a.messages.len() as u32)
            .filter(|&i| a.sip(i).truncated)
            .count();
        checked += 1;
        if got != want {
            failures.push(format!(
                "{rel}: {got} messages, expected {want}\n{}",
                a.to_text()
            ));
        }
        if truncated != want_truncated {
            failures.push(format!(
                "{rel}: {truncated} truncated, expected {want_truncated}"
            ));
        }
        if want_diags && a.diagnostics.is_empty() {
            failures.push(format!("{rel}: expected diagnostics, got none"));
        }
    }
    // The extra files in the corpus (MS-SIP spec, seed) must not panic either.
    for extra in ["ms-openspecs/MS-SIP.md", "../seed/presence-flow-blog.txt"] {
        if let Ok(bytes) = std::fs::read(root.join(extra)) {
            let _ = Analysis::of_files([(extra, bytes.as_slice())]).to_text();
        }
    }
    println!("corpus: {checked} files' counts checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
