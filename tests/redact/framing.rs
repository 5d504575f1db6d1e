//! The copy frames messages where the original does (the `redact` fuzzer's finds, tests/regressions/redact/): text
//! the importer makes no message of stays text in the copy, and a message's length frames the same part of it.

use crate::common::redact::{analyze, shape};
use sipscope::redact::{redact_all, Keep};
use sipscope::{Analysis, Code};

/// The copy of `log` analyzes as `before` (the original's analysis) and holds none of `gone`.
fn same_flow(log: &str, before: &Analysis, gone: &[&str]) {
    let out = redact_all(&[log.as_bytes()], Keep::default())
        .0
        .remove(0)
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    for g in gone {
        assert!(!text.contains(g), "{g} left in {text}");
    }
    assert_eq!(shape(&analyze(&out)), shape(before), "{text}");
}

/// `crash-4b14335b…`: a client log packet whose Content-Length asks for more body than the packet holds; the
/// importer makes no message of it. Scrubbed as text between messages, its body grew (stand-ins longer than the
/// names) and its length stayed: the copy read a message the original did not. Redacted as a packet, its length
/// moves with its body and still asks for more than the copy holds.
#[test]
fn a_packet_too_short_for_its_length_makes_no_message_in_the_copy_either() {
    let body = "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:alice@contoso.com\">\r\n\
        <category name=\"note\"><note><body type=\"personal\">at lunch</body></note></category>\r\n\
        </categories>\r\n";
    // Short of its length by fewer bytes than the names' stand-ins add.
    let declared = body.len() + 4;
    // No End line: the next packet's header closes it.
    let log = format!(
        "03/31/2018|08:41:03.222 2738:14E0 INFO  :: Sending Packet - 10.1.2.3:5061 (From Local Address: 192.168.1.51:51882) 1:\r\n\
         SUBSCRIBE sip:alice@contoso.com SIP/2.0\r\n\
         Content-Type: application/xml\r\n\
         Content-Length: {declared}\r\n\
         \r\n\
         {body}\
         03/31/2018|08:41:03.301 2738:14E0 INFO  :: Data Received - 10.1.2.3:5061 (To Local Address: 192.168.1.51:51882) 1:\r\n"
    );
    let before = analyze(log.as_bytes());
    assert!(before.messages.is_empty(), "the packet is incomplete");
    assert!(before
        .diagnostics
        .iter()
        .any(|d| d.code == Code::IncompleteEntry));
    same_flow(&log, &before, &["contoso", "at lunch"]);
}

/// The same find, whole: a packet's last line reads `End of Sending Packet …` but starts with a stray byte, so the
/// importer reads it as a line of the packet's body (its length counts it), not as the End line. The copy took it
/// for the End line and scrubbed it apart from the body (its addresses' stand-ins shorter): the body fell short of
/// its length and the copy lost the message (a packet the importer rebuilt: a line ended by a bare LF). A line is the End line only when the importer reads it as one.
#[test]
fn a_line_that_only_looks_like_the_end_line_stays_in_the_body() {
    let body = "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:alice@contoso.com\"/>\n";
    let last = "\x1b03/31/2018|08:41:03.301 2738:14E0 INFO  :: End of Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882) 1 bytes\r\n";
    let log = format!(
        "03/31/2018|08:41:03.222 2738:14E0 INFO  :: Sending Packet - 211.208.253.66:5061 (From Local Address: 192.168.1.51:51882) 1:\r\n\
         SUBSCRIBE sip:alice@contoso.com SIP/2.0\r\n\
         Call-ID: 8f2d4c61a9e34b0f\r\n\
         CSeq: 1 SUBSCRIBE\r\n\
         Content-Type: application/xml\r\n\
         Content-Length: {}\r\n\
         \r\n\
         {body}{last}\
         03/31/2018|08:41:03.301 2738:14E0 INFO  :: Data Received - 211.208.253.66:5061 (To Local Address: 192.168.1.51:51882) 1:\r\n",
        // The importer ends the body's line with a CRLF.
        body.len() + 1 + last.len()
    );
    let before = analyze(log.as_bytes());
    assert_eq!(before.messages.len(), 1);
    same_flow(&log, &before, &["contoso", "192.168.1.51"]);
}

/// `crash-a07cc8bb…` (minimized from 9,050 bytes to 38): SIP text whose header section holds an XML element of
/// free text over several lines (`<body>`, a presence note). Its stand-in took the text's line breaks after it, so
/// the note's own line became a blank line: the copy's headers ended there, what followed framed differently, and
/// a quoted `SIP/2.0 503` below read as one message more. Free text over lines keeps its lines, each replaced apart.
#[test]
fn free_text_over_several_lines_keeps_its_lines() {
    let log = "NOTIFY sip:alice@contoso.com SIP/2.0\n\
               Call-ID: 8f2d4c61a9e34b0f\n\
               <note><body>\n\
               at lunch\n\
               </body></note>\n\
               >SIP/2.0 503\n";
    let before = analyze(log.as_bytes());
    same_flow(log, &before, &["contoso", "at lunch"]);
    let out = redact_all(&[log.as_bytes()], Keep::default())
        .0
        .remove(0)
        .unwrap();
    let lines = |t: &[u8]| {
        t.split(|&b| b == b'\n')
            .map(<[u8]>::is_empty)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&out), lines(log.as_bytes()), "the same lines blank");
}

/// `crash-5bf4077b…` (the run after): a packet's End line whose words run into a user's address (`End of Data
/// Receivedn1@…`): the importer reads it as the End line; the token pass renamed `Receivedn1` as a user, the copy's
/// line no longer ended the packet and the copy lost the message. What `crash-22e3f400…` (`cargo fuzz tmin` of it)
/// kept: a trace line whose level (`INF`) is also a user's name renamed, and the copy no longer read as a client
/// log. A client log's prefixes and the words of a packet's header and End line stay as they are.
#[test]
fn prefixes_and_the_words_of_packet_lines_stay() {
    let message = "SIP/2.0 200 OK\r\nCall-ID: 8f2d4c61a9e34b0f\r\nCSeq: 1 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n";
    let log = format!(
        "03/31/2018|08:41:03.301 2738:14E0 INFO  :: Data Received - 211.208.253.66:5061 (To Local Address: 192.168.1.51:51882) {} bytes:\r\n\
         03/31/2018|08:41:03.301 2738:14E0 INFO  :: {message}\r\n\
         03/31/2018|08:41:03.301 2738:14E0 INFO  :: End of Data Receivedalice@contoso.com\r\n\
         03/31/2018|08:41:03.302 2738:14E0 INF :: INF@contoso.com\r\n",
        message.len()
    );
    let before = analyze(log.as_bytes());
    assert_eq!(before.messages.len(), 1);
    same_flow(&log, &before, &["contoso", "alice"]);
    let out = redact_all(&[log.as_bytes()], Keep::default())
        .0
        .remove(0)
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains(":: End of Data Received") && text.contains(" INF :: "),
        "{text}"
    );
}
