//! Tests of `explain/headers`.

use super::*;
use crate::sip::parse_message;

fn msg(text: &str) -> Message {
    parse_message(text.replace('\n', "\r\n").into_bytes()).expect("parses")
}

fn texts(m: &Message, header: &str) -> Vec<String> {
    annotate_headers(m)
        .into_iter()
        .filter(|a| a.header.eq_ignore_ascii_case(header))
        .map(|a| a.text)
        .collect()
}

const SEED_200: &str = "SIP/2.0 200 OK
ms-user-logon-data: RemoteUser
Authentication-Info: TLS-DSK qop=\"auth\", opaque=\"F901448D\", srand=\"4B93DB5E\", snum=\"4\", rspauth=\"fcdb\", targetname=\"FE01.limcm.com\", realm=\"SIP Communications Service\", version=4
Contact: <sip:pool.limcm.com:5061;transport=tls;ms-fe=FE00.limcm.com>
Content-Length: 0
From: \"On 1\"<sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3
To: <sip:on1@limcm.com>;tag=6C3D0080
Call-ID: 3e027202ab3c4ccabed634c1edd89f72
CSeq: 1 SUBSCRIBE
Via: SIP/2.0/TLS 192.168.1.51:51882;received=211.208.253.61;ms-received-port=51882;ms-received-cid=17700
Expires: 31535
Require: eventlist
Event: presence
subscription-state: active;expires=31535
ms-piggyback-cseq: 1
Supported: ms-piggyback-first-notify
Record-Route: <sip:pool.limcm.com:5061;transport=tls;ms-fe=FE01.limcm.com;lr;received=192.168.1.7;ms-received-cid=17F00>
Record-Route: <sip:acc.limcm.com:5061;transport=tls;opaque=state:Ci.R17700;lr;ms-route-sig=hjYJE0zur8BuSeMjnBg_QVX9vF0p1Tow4iq4agMpLoPhkRTkyoIyDg7wAA>

";

#[test]
fn via_shows_nat() {
    let m = msg(SEED_200);
    assert_eq!(
        texts(&m, "Via"),
        vec!["The client sent from private address 192.168.1.51:51882 over TLS; the server saw it arrive from public address 211.208.253.61:51882 (NAT) on connection 17700."]
    );
}

#[test]
fn routes_name_front_end_pool_and_edge() {
    let m = msg(SEED_200);
    let rr = texts(&m, "Record-Route");
    assert!(
        rr[0].starts_with(
            "Hop 1 of the route recorded for this dialog: Front End FE01.limcm.com in pool pool.limcm.com (TLS 5061)"
        ),
        "{}",
        rr[0]
    );
    assert!(rr[0].contains("reached at 192.168.1.7"));
    assert!(
        rr[1].starts_with(
            "Hop 2 of the route recorded for this dialog: Access Edge acc.limcm.com (TLS 5061)"
        ),
        "{}",
        rr[1]
    );
    assert!(rr[1].contains("opaque=state:Ci.R17700"));
    assert!(rr[1].contains("route signed by that server (ms-route-sig)"));
    assert_eq!(
        texts(&m, "Contact"),
        vec!["Answered by Front End FE00.limcm.com in pool pool.limcm.com (TLS 5061)."]
    );
}

#[test]
fn subscription_headers() {
    let m = msg(SEED_200);
    assert_eq!(
        texts(&m, "subscription-state"),
        vec!["The subscription is active; it expires in 8 h 45 min 35 s unless refreshed."]
    );
    assert!(texts(&m, "Expires")[0]
        .starts_with("The subscription lasts 8 h 45 min 35 s (31535 s, granted)"));
    assert!(texts(&m, "Event")[0].starts_with("Event package presence:"));
    assert!(texts(&m, "Require")[0]
        .starts_with("Required of the other side: eventlist — resource-list"));
    assert!(texts(&m, "ms-piggyback-cseq")[0].contains("piggy-backed"));
    assert!(texts(&m, "ms-user-logon-data")[0].contains("through the Edge from outside"));
    assert!(texts(&m, "Authentication-Info")[0]
        .starts_with("The server signed its response with TLS-DSK (client certificate issued by the server) (snum=4) over security association F901448D"));
    assert!(texts(&m, "From")[0].contains("Endpoint id (epid) 08b5b444f3"));
}

#[test]
fn user_agent_and_client_signature() {
    let m = msg("SUBSCRIBE sip:on1@limcm.com SIP/2.0
Via: SIP/2.0/TLS 192.168.1.51:51882
Max-Forwards: 70
From: <sip:on1@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3
To: <sip:on1@limcm.com>
Call-ID: 3e027202ab3c4ccabed634c1edd89f72
CSeq: 1 SUBSCRIBE
Contact: <sip:on1@limcm.com;opaque=user:epid:rD_-D8k_BF-h0APnlXF6WwAA;gruu>
User-Agent: UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)
Supported: com.microsoft.autoextend, ms-benotify
Proxy-Require: ms-benotify
Require: adhoclist, categoryList
Proxy-Authorization: TLS-DSK qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"F901448D\", targetname=\"FE01.limcm.com\", crand=\"bcc1abbd\", cnum=\"3\", response=\"805b\"
Accept: application/msrtc-event-categories+xml, application/rlmi+xml, multipart/related
Content-Type: application/msrtc-adrl-categorylist+xml
Content-Length: 0

");
    assert_eq!(
        texts(&m, "User-Agent"),
        vec!["Sent by Skype for Business 2016/2019 client (Office 16.0, build 9126.2098)."]
    );
    assert!(texts(&m, "Proxy-Authorization")[0]
        .starts_with("The client signs this message with TLS-DSK (client certificate issued by the server) (sequence number cnum=3, salt crand=bcc1abbd) over security association F901448D for server FE01.limcm.com"));
    let sup = texts(&m, "Supported");
    assert_eq!(sup.len(), 2);
    assert!(sup[1].contains("BENOTIFY"));
    assert_eq!(texts(&m, "Require").len(), 2);
    assert!(texts(&m, "Proxy-Require")[0]
        .starts_with("Required of every proxy on the way: ms-benotify"));
    assert!(texts(&m, "Contact")[0].contains(
        "GRUU of on1@limcm.com: exactly one signed-in endpoint (epid rD_-D8k_BF-h0APnlXF6WwAA)"
    ));
    assert!(texts(&m, "Via")[1].contains("No branch parameter"));
    assert!(texts(&m, "Max-Forwards")[0].contains("straight from its sender"));
    assert!(texts(&m, "To")[0].contains("No To tag"));
    assert!(texts(&m, "Content-Type")[0].contains("batched subscription"));
    assert_eq!(
        texts(&m, "Accept"),
        vec!["The sender accepts: category documents, RLMI lists, multipart bodies."]
    );
}

#[test]
fn challenges_and_handshakes() {
    let m = msg("SIP/2.0 401 Unauthorized
Date: Fri, 30 Mar 2018 01:57:41 GMT
WWW-Authenticate: NTLM realm=\"SIP Communications Service\", targetname=\"FE01.limcm.com\", version=4
WWW-Authenticate: Kerberos realm=\"SIP Communications Service\", targetname=\"sip/FE01.limcm.com\", version=4
WWW-Authenticate: TLS-DSK realm=\"SIP Communications Service\", targetname=\"FE01.limcm.com\", version=4, sts-uri=\"https://FE01.limcm.com:443/CertProv/CertProvisioningService.svc\"
WWW-Authenticate: TLS-DSK opaque=\"7A3C0E95\", gssapi-data=\"FgMDAFUCAABRAwPtJT9y0WsdhLYVvTwp4u12j5GwlG7DZPjyiL8rz2ZLR4bJ1dUmLIKZOL44218i\", targetname=\"FE01.limcm.com\"
CSeq: 1 REGISTER
Content-Length: 0

");
    let t = texts(&m, "WWW-Authenticate");
    assert_eq!(t[0], "The server challenges the client to authenticate with NTLM for server FE01.limcm.com, realm \"SIP Communications Service\"; protocol version 4.");
    assert!(t[1]
        .contains("Kerberos for server FE01.limcm.com (Kerberos service name sip/FE01.limcm.com)"));
    assert!(t[2].ends_with("; certificate from https://FE01.limcm.com:443/CertProv/CertProvisioningService.svc; protocol version 4."));
    assert!(t[3].starts_with("The server continues the TLS-DSK"));
    assert!(
        t[3].contains("TLS handshake records: ServerHello"),
        "{}",
        t[3]
    );
    assert!(t[3].contains("Security association 7A3C0E95"));
    assert!(texts(&m, "Date")[0].contains("15 minutes"));
}

#[test]
fn gssapi_kinds() {
    assert!(gssapi_summary("FgMBAHkBAAB1AwO/ywp9rJhMOPtr1dN+")
        .starts_with("TLS handshake records: ClientHello"));
    assert!(gssapi_summary("TlRMTVNTUAABAAAAB4IIog==").starts_with("NTLM Negotiate message"));
    assert!(gssapi_summary("YIIEXwYJKoZIhvcSAQICAQBugg").starts_with("Kerberos"));
    assert_eq!(gssapi_summary("***"), "data that is not base64");
    assert_eq!(gssapi_summary(""), "0 bytes");
    assert!(gssapi_summary("FAMDAAEBFgMDACgyne3Zp2nqVZMUdH3w")
        .contains("ChangeCipherSpec, Finished (encrypted)"));
}

#[test]
fn register_ok_headers() {
    let m = msg("SIP/2.0 200 OK
ms-keep-alive: UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300
Via: SIP/2.0/TLS 192.168.10.54:50112;ms-received-port=50112;ms-received-cid=1A2B00
CSeq: 2 REGISTER
Contact: <sip:192.168.1.51:51882;transport=tls;ms-opaque=d4a91c27e3;ms-received-cid=17700;grid>;expires=7200;+sip.instance=\"<urn:uuid:4d7e2a91-6c3b-5e08-a1f4-9b2c7d0e5a36>\";gruu=\"sip:on1@limcm.com;opaque=user:epid:Wq3Lx0Zr1VaF6pHc8N2yBgAA;gruu\"
Expires: 7200
presence-state: register-action=\"added\"
Allow-Events: vnd-microsoft-provisioning,presence
Server: RTC/6.0
Content-Length: 0

");
    assert_eq!(
        texts(&m, "ms-keep-alive"),
        vec!["The server sets the keep-alive rules: keep-alives on each hop, not at TCP level (SIP CRLF keep-alives), the connection is considered dead after 5 min without traffic."]
    );
    assert_eq!(
        texts(&m, "Via"),
        vec!["The client sent from private address 192.168.10.54:50112 over TLS; the server saw it arrive from that same address (no NAT) on connection 1A2B00."]
    );
    let c = &texts(&m, "Contact")[0];
    assert!(
        c.starts_with("Registered contact: 192.168.1.51:51882 (TLS); connection 17700; client instance d4a91c27e3 (ms-opaque); grid"),
        "{c}"
    );
    assert!(c.contains("expires in 2 h"));
    assert!(c.contains("GRUU assigned to this endpoint: sip:on1@limcm.com;opaque=user:epid:Wq3Lx0Zr1VaF6pHc8N2yBgAA;gruu"));
    assert!(c.contains("Device instance urn:uuid:4d7e2a91"));
    assert_eq!(
        texts(&m, "Server"),
        vec!["Answered by Skype for Business Server 2015 (RTC/6.0)."]
    );
    assert!(texts(&m, "presence-state")[0].contains("added this endpoint"));
    assert_eq!(texts(&m, "Allow-Events").len(), 2);
    assert!(texts(&m, "Expires")[0].starts_with("The registration lasts 2 h"));
}

#[test]
fn im_text_in_headers() {
    let m = msg("INVITE sip:on3@limcm.com SIP/2.0
CSeq: 1 INVITE
ms-text-format: text/plain; charset=UTF-8;msgr=WAAtAE0ATQBTAC0ASQBNAC0ARgBvAHIAbQBhAHQAOgAgAEYATgA9AFMAZQBnAG8AZQAlADIAMABVAEkAOwAgAEUARgA9ADsAIABDAE8APQAwADsAIABDAFMAPQAwADsAIABQAEYAPQAwAA0ACgANAAoA;ms-body=7Ye06re8IOyghOyXkCDsnqDquZAg67O8IOyImCDsnojsnYTquYzsmpQ/
Ms-Conversation-ID: AdPH5nBq1sT0R3l2c2FXaEZiN0tLbA==
ms-endpoint-location-data: NetworkScope;ms-media-location-type=Internet
ms-subnet: 192.168.1.0
Content-Length: 0

");
    let t = texts(&m, "ms-text-format");
    assert_eq!(
        t[0],
        "First IM text, carried in this header: \"퇴근 전에 잠깐 볼 수 있을까요?\"."
    );
    assert_eq!(
        t[1],
        "Message font: Segoe UI (msgr, Messenger format, UTF-16)."
    );
    assert!(texts(&m, "Ms-Conversation-ID")[0].starts_with("Conversation id"));
    assert!(texts(&m, "ms-endpoint-location-data")[0].contains("outside the corporate network"));
    assert!(texts(&m, "ms-subnet")[0].contains("192.168.1.0"));
}

#[test]
fn server_vias_and_routes() {
    let m = msg("BENOTIFY sip:192.168.1.51:51882;transport=tls SIP/2.0
Via: SIP/2.0/TLS 211.208.253.66:5061;branch=z9hG4bK4CFBC352.25D949F7C3809F36;branched=FALSE;ms-received-port=5061;ms-received-cid=17F00
Via: SIP/2.0/TLS 192.168.1.7:5061;branch=z9hG4bKC55A8E92.EEFC3C3DBCE81C02;branched=FALSE;ms-internal-info=\"3129\"
Route: <sip:acc.limcm.com:5061;transport=tls;opaque=state:Ci.R17700;lr;ms-route-sig=dk3Q>
Route: <sip:pool.limcm.com:5061;transport=tls;ms-fe=FE01.limcm.com;lr>
Max-Forwards: 68
CSeq: 2 BENOTIFY
Content-Length: 0

");
    let v = texts(&m, "Via");
    assert!(v[0].starts_with("The server (the last hop) sent from public address 211.208.253.66:5061 over TLS; the server saw it arrive from that same address (no NAT) on connection 17F00."), "{}", v[0]);
    assert!(
        v[1].starts_with("The server (the originator) sent from private address 192.168.1.7:5061")
    );
    assert!(v[2].starts_with("ms-internal-info"));
    let r = texts(&m, "Route");
    assert!(r[0].starts_with("Next hop: Access Edge acc.limcm.com (TLS 5061)"));
    assert!(r[1].starts_with("Hop 2: Front End FE01.limcm.com in pool pool.limcm.com"));
    assert!(texts(&m, "Max-Forwards")[0].contains("2 proxies"));
}

#[test]
fn hostile_values_stay_text_and_never_panic() {
    let m = msg("SIP/2.0 488 <i>Bad</i>
Via: SIP/2.0/TLS <script>:99999;received=\"<img>\"
Record-Route: <javascript:alert('PWNED')>
Contact: *
From: \"<img src=x onerror=alert(1)>\" <sip:%3Cscript%3E@limcm.com>
ms-diagnostics: 1;reason=\"<b>x</b>\";source=\"<svg>\"
WWW-Authenticate: ,,,=
Proxy-Authorization: TLS-DSK gssapi-data=\"@@@\"
Expires: soon
ms-keep-alive:
Max-Forwards: x
Subscription-State: terminated;reason=timeout
CSeq: 1 INFO
Content-Length: 0

");
    let all = annotate_headers(&m);
    assert!(!all.is_empty());
    assert!(texts(&m, "Subscription-State")[0].contains("it expired without a refresh"));
    assert!(texts(&m, "Contact")[0].contains("remove all registrations"));
    assert!(texts(&m, "Proxy-Authorization")[0].contains("not base64"));
}
