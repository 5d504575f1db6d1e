//! Archives redacted: every fixture gzipped and all of them zipped come back in the same container, each file
//! inside redacted exactly as it is alone; what cannot be redacted is left out, said, and never copied through.

use super::{analyze, check, shape};
use crate::common::redact::copy_shape;
use crate::common::{self, pack};
use sipscope::import::archive::{self, Event, Kind, Reader};
use sipscope::redact::{redact_all, Keep, LeftOut};

/// The files an archive holds, as the analysis reads them.
fn unpack(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let kind = archive::sniff(bytes).expect("an archive");
    let mut reader = Reader::new(kind, "copy");
    let (mut events, mut diags) = (Vec::new(), Vec::new());
    reader.push(bytes, &mut events, &mut diags);
    reader.finish(&mut events, &mut diags);
    assert!(diags.is_empty(), "the copy reads cleanly: {diags:?}");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for e in events {
        match e {
            Event::Begin { name, .. } => files.push((name, Vec::new())),
            Event::Data(d) => files.last_mut().unwrap().1.extend_from_slice(&d),
            Event::End => {}
        }
    }
    files
}

/// Every fixture by name and bytes.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    common::inputs()
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_fixture_gzipped_comes_back_gzipped_and_redacted_as_it_is_alone() {
    let mut seen = 0;
    for (name, bytes) in fixtures() {
        let Ok(alone) = redact_all(&[&bytes], Keep::default()).0.remove(0) else {
            continue;
        };
        for fname in [Some(name.as_str()), None] {
            let gz = pack::gzip(fname, &bytes);
            let (mut copies, r) = redact_all(&[&gz], Keep::default());
            let copy = copies.remove(0).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(archive::sniff(&copy), Some(Kind::Gzip), "{name}");
            // The header names the file when the original's did.
            assert_eq!(copy[3] & 8 != 0, fname.is_some(), "{name}");
            let inner = unpack(&copy);
            assert_eq!(inner.len(), 1, "{name}");
            if let Some(f) = fname {
                assert_eq!(inner[0].0, f);
            }
            assert!(
                inner[0].1 == alone,
                "{name}: the file inside is not redacted as it is alone"
            );
            assert!(r.left_out().is_empty(), "{name}: {:?}", r.left_out());
            assert_eq!(
                copy_shape(&analyze(&gz)),
                copy_shape(&analyze(&copy)),
                "{name}"
            );
        }
        check(&name, &bytes);
        seen += 1;
    }
    assert!(seen >= 11, "only {seen} fixtures");
}

#[test]
fn every_fixture_zipped_comes_back_zipped_with_its_names_and_what_cannot_be_redacted_left_out() {
    let files = fixtures();
    let entries: Vec<(String, &[u8])> = files
        .iter()
        .map(|(n, b)| (format!("Tracing/{n}"), b.as_slice()))
        .collect();
    let z = pack::zip(
        &entries
            .iter()
            .enumerate()
            // Stored and deflated, deflated with and without a data descriptor, as zip tools write them.
            .map(|(i, (n, b))| (n.as_str(), *b, i % 2 == 0, i % 4 == 0))
            .collect::<Vec<_>>(),
    );
    let slices: Vec<&[u8]> = files.iter().map(|f| f.1.as_slice()).collect();
    let (alone, _) = redact_all(&slices, Keep::default());
    let (mut copies, r) = redact_all(&[&z], Keep::default());
    let copy = copies.remove(0).unwrap();
    assert_eq!(archive::sniff(&copy), Some(Kind::Zip));
    let inner = unpack(&copy);
    let mut kept = inner.iter();
    for ((name, _), alone) in entries.iter().zip(&alone) {
        match alone {
            Ok(redacted) => {
                let (n, b) = kept.next().unwrap_or_else(|| panic!("{name} missing"));
                assert_eq!(n, name);
                assert!(b == redacted, "{name}: not redacted as it is alone");
            }
            Err(why) => assert!(
                r.left_out().contains(&LeftOut {
                    file: 0,
                    entry: name.clone(),
                    reason: why.to_string()
                }),
                "{name} left out without its reason: {:?}",
                r.left_out()
            ),
        }
    }
    assert!(kept.next().is_none());
    // Every entry in the copy is deflated (method 8 in its local header).
    let mut at = 0;
    for (n, _) in &inner {
        at += copy[at..]
            .windows(4)
            .position(|w| w == b"PK\x03\x04")
            .unwrap();
        assert_eq!(copy[at + 8], 8, "{n} deflated");
        at += 4;
    }
    // The zip of the files that can be redacted analyzes as its copy does.
    let redactable: Vec<(&str, &[u8], bool, bool)> = entries
        .iter()
        .zip(&alone)
        .filter(|(_, a)| a.is_ok())
        .map(|((n, b), _)| (n.as_str(), *b, true, false))
        .collect();
    let z = pack::zip(&redactable);
    let copy = redact_all(&[&z], Keep::default()).0.remove(0).unwrap();
    assert_eq!(copy_shape(&analyze(&z)), copy_shape(&analyze(&copy)));
}

#[test]
fn nested_archives_are_redacted_inside_and_notes_and_too_deep_ones_left_out() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read(root.join("www/sample/sample.uccapilog")).unwrap();
    let edge = std::fs::read(root.join("tests/fixtures/server-edge.log")).unwrap();
    let note = b"Collected for case 123 after on1@limcm.com could not sign in.\r\n";
    let deep = pack::gzip(
        Some("l2.gz"),
        &pack::gzip(Some("l3.gz"), &pack::gzip(Some("a.log"), &edge)),
    );
    let z = pack::zip(&[
        (
            "logs/Lync-UccApi-0.UccApilog.gz",
            &pack::gzip(Some("Lync-UccApi-0.UccApilog"), &sample),
            true,
            false,
        ),
        (
            "logs/edge.zip",
            &pack::zip(&[("server-edge.log", &edge, true, true)]),
            false,
            false,
        ),
        ("readme.txt", note, true, false),
        ("deep.gz", &deep, true, false),
    ]);
    let (mut copies, r) = redact_all(&[&z], Keep::default());
    let copy = copies.remove(0).unwrap();
    let inner = unpack(&copy);
    let names: Vec<&str> = inner.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["logs/Lync-UccApi-0.UccApilog.gz", "logs/edge.zip"]);
    // Redacted inside, in one table with the rest: the same stand-ins as the two files redacted together.
    let (alone, _) = redact_all(&[&sample, &edge], Keep::default());
    let gz = unpack(&inner[0].1);
    assert_eq!(
        (gz[0].0.as_str(), &gz[0].1),
        ("Lync-UccApi-0.UccApilog", alone[0].as_ref().unwrap())
    );
    let zipped = unpack(&inner[1].1);
    assert_eq!(
        (zipped[0].0.as_str(), &zipped[0].1),
        ("server-edge.log", alone[1].as_ref().unwrap())
    );
    let reasons: Vec<(&str, &str)> = r
        .left_out()
        .iter()
        .map(|l| (l.entry.as_str(), l.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "readme.txt",
                "not redacted: redaction does not write back this format (unrecognized)"
            ),
            (
                "deep.gz/l2.gz/l3.gz",
                "not redacted: an archive inside 3 archives (the analysis opens none deeper)"
            ),
            // Each archive around it is then left with nothing.
            (
                "deep.gz/l2.gz",
                "not redacted: nothing in this archive could be redacted"
            ),
            (
                "deep.gz",
                "not redacted: nothing in this archive could be redacted"
            ),
        ]
    );
    // Never copied through: nothing of the note, nor of the edge trace as it was, is in the copy's files.
    for (_, b) in inner.iter().chain(&gz).chain(&zipped) {
        let t = String::from_utf8_lossy(b);
        assert!(!t.contains("case 123") && !t.contains("limcm"));
    }
    // A gzip whose only file cannot be redacted is refused whole.
    let refused = redact_all(&[&pack::gzip(None, note)], Keep::default());
    assert_eq!(
        refused.0[0].as_ref().unwrap_err().to_string(),
        "not redacted: nothing in this archive could be redacted"
    );
    assert_eq!(refused.1.left_out()[0].entry, "(the file in the gzip)");
}

#[test]
fn a_cut_off_gzip_comes_back_with_what_could_be_read_and_says_so() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read(root.join("www/sample/sample.uccapilog")).unwrap();
    let gz = pack::gzip(Some("Lync-UccApi-0.UccApilog"), &sample);
    let cut = &gz[..gz.len() * 2 / 3];
    let (mut copies, r) = redact_all(&[cut], Keep::default());
    let copy = copies.remove(0).unwrap();
    let inner = unpack(&copy);
    let before = analyze(cut);
    let after = analyze(&copy);
    // The same messages: the copy holds the redacted text of what the cut-off archive gave.
    assert_eq!(shape(&before).messages, shape(&after).messages);
    assert!(inner[0].1.len() < sample.len());
    assert_eq!(r.left_out().len(), 1, "{:?}", r.left_out());
    assert!(
        r.left_out()[0].reason.contains("cut off"),
        "{:?}",
        r.left_out()
    );
}
