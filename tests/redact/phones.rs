//! Phone numbers: a call to the PSTN through a Mediation Server and a contact card, their numbers renamed to
//! fictional ones of the same shape, the same number the same way however it is written; the numbers that are
//! not phone numbers (CSeq, ports, times, lengths, epids, versions, addresses, SDP ids) left as they are.

use super::{check, contains_token, message};
use sipscope::redact::{redact_all, Category, Keep};

/// Alice calls a PSTN number; the Mediation Server answers; Bob's contact card and phone lines arrive.
fn call() -> String {
    let sdp = "v=0\r\no=- 4255550199 0 IN IP4 192.168.10.54\r\ns=session\r\nc=IN IP4 192.168.10.54\r\nb=CT:99980\r\nt=0 0\r\n\
m=audio 50012 RTP/SAVP 114 9 112 111 0 8 116 115 4 97 13 118 101\r\n\
a=candidate:1 1 UDP 2130706431 192.168.10.54 50012 typ host\r\na=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\na=rtcp:50013\r\na=sendrecv\r\n";
    let invite = message(
        "INVITE sip:+14255550123@contoso.com;user=phone SIP/2.0
Via: SIP/2.0/TLS 192.168.10.54:50112;branch=z9hG4bK5F1C2A8E;ms-received-port=50112
Max-Forwards: 70
From: <sip:alice@contoso.com>;tag=2f8a5c1e7b;epid=0a4b9de062
To: <sip:+14255550123@contoso.com;user=phone>
Call-ID: 7c1e9a3b5d2f4e6a8c0b1d3f5a7e9c2b
CSeq: 1234567 INVITE
Contact: <sip:alice@contoso.com;opaque=user:epid:Wq3Lx0Zr1VaF6pHc8N2yBgAA;gruu>
User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)
Supported: ms-dialog-route-set-update
Supported: timer
Supported: histinfo
Supported: ms-safe-transfer
Supported: ms-sender
Supported: ms-early-media
Supported: 100rel
ms-keep-alive: UAC;hop-hop=yes
Allow: INVITE, BYE, ACK, CANCEL, INFO, UPDATE, REFER, NOTIFY, BENOTIFY, OPTIONS
ms-subnet: 192.168.10.0
Accept-Language: en-US
ms-endpoint-location-data: NetworkScope;ms-media-location-type=Intranet
P-Preferred-Identity: <sip:alice@contoso.com>, <tel:+14255550100;ext=100>
Content-Type: application/sdp
",
        sdp,
    );
    let ok = message(
        "SIP/2.0 200 OK
Via: SIP/2.0/TLS 192.168.10.54:50112;branch=z9hG4bK5F1C2A8E;ms-received-port=50112
From: <sip:alice@contoso.com>;tag=2f8a5c1e7b;epid=0a4b9de062
To: <sip:+14255550123@contoso.com;user=phone>;tag=d2a1c5e7f9;epid=A1B2C3D4E5
Call-ID: 7c1e9a3b5d2f4e6a8c0b1d3f5a7e9c2b
CSeq: 1234567 INVITE
Record-Route: <sip:pool01.contoso.com:5061;transport=tls;opaque=state:T:F:Ci.R1c000;lr;ms-route-sig=fa2b3c4d5e6f>
Contact: <sip:med01.contoso.com:5061;transport=Tls;maddr=med01.contoso.com;ms-opaque=9e8d7c6b5a>
P-Asserted-Identity: \"+1 (425) 555-0123\" <tel:+14255550123>
History-Info: <sip:+14255550123@contoso.com;user=phone>;index=1
Date: Tue, 03 Apr 2018 09:02:13 GMT
Server: RTCC/6.0.0.0 MediationServer
ms-diagnostics-public: 10000;reason=\"Call answered at 2018-04-03T09:02:13.087+00:00\"
Content-Type: application/sdp
",
        &sdp.replace("192.168.10.54", "192.168.1.9")
            .replace("50012", "60012"),
    );
    let card = "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:bob@contoso.com\">\
<category name=\"contactCard\" instance=\"0\" publishTime=\"2018-04-03T09:02:12.087\" container=\"400\" version=\"2\" expireType=\"static\">\
<contactCard xmlns=\"http://schemas.microsoft.com/2006/09/sip/contactcard\"><identity><name><displayName>Bob Jones</displayName></name>\
<email>bob@contoso.com</email></identity><phone type=\"work\"><uri>tel:+14255550142</uri><displayString>+1 (425) 555-0142</displayString></phone>\
<phone type=\"mobile\"><uri>tel:+14255550143</uri><displayString>(425) 555-0143</displayString></phone>\
<phone type=\"home\"><tel>4255550145</tel></phone><company>Contoso</company><title>Engineer</title></contactCard></category>\
<category name=\"userProperties\" instance=\"0\" publishTime=\"2018-04-03T09:02:12.087\" container=\"1\" version=\"1\" expireType=\"static\">\
<userProperties xmlns=\"http://schemas.microsoft.com/2006/09/sip/options/userProperties\"><lines>\
<line lineType=\"Uc\" lineServer=\"\">tel:+14255550142;ext=142</line></lines><telephonyMode>Uc</telephonyMode></userProperties></category></categories>";
    let notify = message(
        "BENOTIFY sip:192.168.10.54:50112;transport=tls;ms-opaque=7e9a1c3b5d;ms-received-cid=17700;grid SIP/2.0
Via: SIP/2.0/TLS 192.168.1.7:5061;branch=z9hG4bK3C9E1A5F.0B2D4F6A8C1E3A5B;branched=FALSE
Max-Forwards: 70
To: <sip:alice@contoso.com>;tag=6a1e3c9b52;epid=0a4b9de062
From: <sip:alice@contoso.com>;tag=4E2C0A8F
Call-ID: 3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b
CSeq: 3 BENOTIFY
Content-Type: application/vnd-microsoft-roaming-contacts+xml
Event: presence
subscription-state: active;expires=36343
ms-piggyback-cseq: 2
",
        card,
    );
    format!("{invite}\r\n\r\n{ok}\r\n\r\n{notify}")
}

#[test]
fn phone_numbers_get_fictional_ones_of_the_same_shape_and_the_flow_stays() {
    let input = call();
    check("pstn call", input.as_bytes());
    let (copies, r) = redact_all(&[input.as_bytes()], Keep::default());
    let out = String::from_utf8(copies[0].clone().unwrap()).unwrap();
    for gone in [
        "4255550123",
        "555-0123",
        "4255550100",
        "4255550142",
        "555-0142",
        "555-0143",
        "4255550145",
    ] {
        assert!(!out.contains(gone), "{gone} left in:\n{out}");
    }
    // The same number written four ways is one stand-in: +1 (country code kept), then 555-01xx.
    assert!(
        out.starts_with("INVITE sip:+12005550101@domain1.example;user=phone SIP/2.0\r\n"),
        "{out}"
    );
    for same in [
        "To: <sip:+12005550101@domain1.example;user=phone>",
        "P-Asserted-Identity: \"+1 (200) 555-0101\" <tel:+12005550101>",
        "History-Info: <sip:+12005550101@domain1.example;user=phone>;index=1",
    ] {
        assert!(out.contains(same), "{same} not in:\n{out}");
    }
    // An extension keeps its digit count; the contact card's numbers keep their shapes.
    assert!(out.contains("<tel:+12005550102;ext=003>"), "{out}");
    let card = &out[out.find("<categories").unwrap()..];
    let numbers =
        Regex::new(r"tel:(\+\d{11})</uri><displayString>\+1 \((\d{3})\) (\d{3})-(\d{4})<").unwrap();
    let c = numbers.captures(card).unwrap_or_else(|| panic!("{card}"));
    assert_eq!(
        c[1],
        format!("+1{}{}{}", &c[2], &c[3], &c[4]),
        "a number and its display string agree"
    );
    assert!(
        Regex::new(r"<displayString>\(\d{3}\) 555-01\d\d</displayString>")
            .unwrap()
            .is_match(card),
        "{card}"
    );
    assert!(
        Regex::new(r"<tel>\d{10}</tel>").unwrap().is_match(card),
        "{card}"
    );
    assert!(
        Regex::new(r">tel:\+1\d{10};ext=\d{3}</line>")
            .unwrap()
            .is_match(card),
        "{card}"
    );
    // +14255550123, +14255550100 and its extension 100, +14255550142 and its extension 142, +14255550143 and
    // (425) 555-0143 (written without its country code: a number of its own), 4255550145.
    assert_eq!(r.names.count(Category::Phones), 8, "{}", r.mapping_text());
}

#[test]
fn numbers_that_are_not_phone_numbers_stay() {
    let input = call();
    let (copies, r) = redact_all(&[input.as_bytes()], Keep::default());
    let out = String::from_utf8(copies[0].clone().unwrap()).unwrap();
    for kept in [
        "CSeq: 1234567 INVITE",                         // a CSeq number
        ":50112",                                       // a port
        "ms-received-port=50112",                       // a port parameter
        "m=audio 50012 RTP/SAVP 114 9 112 111 0 8 116", // SDP port and payload types
        "o=- 4255550199 0 IN IP4", // an SDP session id with a phone number's digits
        "typ host",                // a candidate's priority (next)
        "2130706431",
        "a=fmtp:101 0-16",               // a range of events
        "UCCAPI/16.0.4849.1000",         // a version
        "2018-04-03T09:02:13.087+00:00", // a time with its offset
        "publishTime=\"2018-04-03T09:02:12.087\"",
        "Date: Tue, 03 Apr 2018 09:02:13 GMT",
        "ms-diagnostics-public: 10000;", // a diagnostic code
        "subscription-state: active;expires=36343",
        "ms-piggyback-cseq: 2",
    ] {
        assert!(out.contains(kept), "{kept} changed:\n{out}");
    }
    // Content-Length right, epids and addresses renamed as what they are, not as numbers.
    for (_, from, to) in r.names.entries().filter(|e| e.0 == Category::Phones) {
        assert!(
            !["0a4b9de062", "A1B2C3D4E5", "192.168.10.54", "192.168.10.0"].contains(&from),
            "{from} → {to}"
        );
    }
    assert!(!contains_token(&out, "0a4b9de062") && !out.contains("192.168.10.54"));
    // Kept as they were when asked.
    let (copies, _) = redact_all(&[input.as_bytes()], Keep::default().with(Category::Phones));
    let kept = String::from_utf8(copies[0].clone().unwrap()).unwrap();
    assert!(kept.contains("<tel:+14255550123>") && kept.contains("(425) 555-0143"));
}

use regex_lite::Regex;
