//! Display names written without quotes (`From: Alice Smith <sip:…>`) and people's names in bodies
//! (`displayName="…"`, `<displayName>`, a roaming contact's `name="…"`): renamed as the quoted form is, to the
//! same stand-in; the names XML gives to things (`<category name="state">`) left as they are.

use super::{check, message};
use sipscope::redact::{redact_all, Keep};

/// Alice's client gets her contact list (Bob in it, by name) after an INVITE from Bob whose From is unquoted, and
/// a presence NOTIFY naming Bob's subscriber.
fn exchange() -> String {
    let invite = message(
        "INVITE sip:alice@contoso.com;opaque=user:epid:Wq3Lx0Zr1VaF6pHc8N2yBgAA;gruu SIP/2.0
Via: SIP/2.0/TLS 192.168.1.7:5061;branch=z9hG4bK3C9E1A5F.0B2D4F6A8C1E3A5B;branched=FALSE
Max-Forwards: 69
From: Bob Jones <sip:bob@contoso.com>;tag=9e1d3c5a7b;epid=5f2c81d07a
To: \"Alice Smith\" <sip:alice@contoso.com>
Call-ID: 1d3f5b7e9a2c4e6f8a0b2d4f6e8a0c1e
CSeq: 1 INVITE
Contact: Bob Jones <sip:bob@contoso.com;opaque=user:epid:Zr1VaF6pHc8N2yBgAAWq3Lx0;gruu>
P-Asserted-Identity: Bob Jones <sip:bob@contoso.com>
User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)
Supported: ms-dialog-route-set-update
Supported: timer
Supported: ms-sender
Content-Type: text/plain
",
        "Are you free for lunch?\r\n",
    );
    let contacts = "<contactList deltaNum=\"12\"><group id=\"1\" name=\"~\" externalURI=\"\"/>\
<contact uri=\"bob@contoso.com\" name=\"Bob Jones\" groups=\"1\" subscribed=\"true\" externalURI=\"\"/>\
<contact uri=\"carol@contoso.com\" name=\"Carol Lee\" groups=\"1\" subscribed=\"true\" externalURI=\"\"/></contactList>";
    let list = message(
        "SIP/2.0 200 OK
Via: SIP/2.0/TLS 192.168.10.54:50112;branch=z9hG4bK1E3C5A7F;ms-received-port=50112
From: Alice Smith<sip:alice@contoso.com>;tag=4E2C0A8F;epid=0a4b9de062
To: <sip:alice@contoso.com>;tag=B2E94C07D15A3F68E0C7A41B9D2E5F83
Call-ID: 3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b
CSeq: 1 SUBSCRIBE
Expires: 36000
Content-Type: application/vnd-microsoft-roaming-contacts+xml
Event: vnd-microsoft-roaming-contacts
subscription-state: active;expires=36000
",
        contacts,
    );
    let subscribers = "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\" uri=\"sip:alice@contoso.com\">\
<category name=\"state\" instance=\"536870912\" publishTime=\"2018-04-03T09:02:12.087\" container=\"2\" version=\"5\" expireType=\"static\">\
<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" manual=\"true\" xsi:type=\"userState\">\
<availability>3500</availability></state></category>\
<category name=\"contactCard\" instance=\"0\" publishTime=\"2018-04-03T09:02:12.087\" container=\"400\" version=\"2\" expireType=\"static\">\
<contactCard xmlns=\"http://schemas.microsoft.com/2006/09/sip/contactcard\"><identity><name><displayName>Carol Lee</displayName></name></identity></contactCard></category>\
</categories><subscribers xmlns=\"http://schemas.microsoft.com/2006/09/sip/presence-subscribers\">\
<subscriber user=\"bob@contoso.com\" displayName=\"Bob Jones\" acknowledged=\"false\" type=\"sameEnterprise\"/></subscribers>";
    let notify = message(
        "BENOTIFY sip:192.168.10.54:50112;transport=tls;ms-opaque=7e9a1c3b5d;ms-received-cid=17700;grid SIP/2.0
Via: SIP/2.0/TLS 192.168.1.7:5061;branch=z9hG4bK6E8A0C2E.4F6A8C0E2A4C6E8A;branched=FALSE
Max-Forwards: 70
To: Alice Smith <sip:alice@contoso.com>;tag=4E2C0A8F;epid=0a4b9de062
From: <sip:alice@contoso.com>;tag=B2E94C07D15A3F68E0C7A41B9D2E5F83
Call-ID: 3b5d7f9a1c3e5a7c9e1b3d5f7a9c1e3b
CSeq: 2 BENOTIFY
Content-Type: application/vnd-microsoft-roaming-self+xml
Event: vnd-microsoft-roaming-self
subscription-state: active;expires=35990
",
        subscribers,
    );
    format!("{invite}\r\n\r\n{list}\r\n\r\n{notify}")
}

#[test]
fn unquoted_names_and_names_in_bodies_get_the_quoted_forms_stand_in() {
    let input = exchange();
    check("names", input.as_bytes());
    let (copies, r) = redact_all(&[input.as_bytes()], Keep::default());
    let out = String::from_utf8(copies[0].clone().unwrap()).unwrap();
    for gone in ["Bob Jones", "Alice Smith", "Carol Lee"] {
        assert!(!out.contains(gone), "{gone} left in:\n{out}");
    }
    let stand_in = |name: &str| {
        r.names
            .entries()
            .find(|e| e.1 == name)
            .map(|e| e.2.to_string())
            .unwrap_or_else(|| panic!("{name} not renamed: {}", r.mapping_text()))
    };
    let (bob, alice, carol) = (
        stand_in("Bob Jones"),
        stand_in("Alice Smith"),
        stand_in("Carol Lee"),
    );
    let (b, a) = (stand_in("bob"), stand_in("alice"));
    for want in [
        format!("From: {bob} <sip:{b}@domain1.example>;tag="),
        format!("To: \"{alice}\" <sip:{a}@domain1.example>"),
        format!("Contact: {bob} <sip:{b}@domain1.example;opaque=user:epid:"),
        format!("P-Asserted-Identity: {bob} <sip:{b}@domain1.example>"),
        format!("From: {alice}<sip:{a}@domain1.example>;tag="),
        format!("To: {alice} <sip:{a}@domain1.example>;tag="),
        format!("name=\"{bob}\" groups=\"1\""),
        format!("name=\"{carol}\" groups=\"1\""),
        format!("<displayName>{carol}</displayName>"),
        format!("displayName=\"{bob}\" acknowledged"),
    ] {
        assert!(out.contains(&want), "{want} not in:\n{out}");
    }
    // What XML names that is not a person stays.
    for kept in [
        "<group id=\"1\" name=\"~\"",
        "<category name=\"state\"",
        "<category name=\"contactCard\"",
    ] {
        assert!(out.contains(kept), "{kept} changed:\n{out}");
    }
}
