//! Tests of `explain/body`.

use super::*;
use crate::sip::parse_message;

fn msg(head: &str, body: &str) -> Message {
    let text = format!(
        "{}\r\nContent-Length: {}\r\n\r\n{}",
        head.replace('\n', "\r\n"),
        body.len(),
        body
    );
    parse_message(text.into_bytes()).expect("parses")
}

const BATCH: &str = r#"<batchSub xmlns="http://schemas.microsoft.com/2006/01/sip/batch-subscribe" uri="sip:on1@limcm.com" name=""><action name="subscribe" id="3071862245"><adhocList><resource uri="sip:on2@limcm.com"/><resource uri="sip:on3@limcm.com"/></adhocList><categoryList xmlns="http://schemas.microsoft.com/2006/09/sip/categorylist"><category name="calendarData"/><category name="contactCard"/><category name="note"/><category name="state"/><category name="services"/></categoryList></action></batchSub>"#;

#[test]
fn batch_subscribe() {
    let s = summarize_part(0, "application/msrtc-adrl-categorylist+xml", BATCH);
    assert_eq!(s.kind, BodyKind::BatchSubscribe);
    assert_eq!(
        s.title,
        "Batched subscription by sip:on1@limcm.com: subscribe to 2 contacts"
    );
    assert_eq!(
        s.lines,
        vec![
            "Contacts to subscribe (action id 3071862245): sip:on2@limcm.com, sip:on3@limcm.com.",
            "Categories wanted: calendarData, contactCard, note, state, services."
        ]
    );
    assert_eq!(s.entries.len(), 2);
    assert_eq!(s.entries[1].subject, "sip:on3@limcm.com");
}

const RLMI: &str = r#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:on1@limcm.com" version="0" fullState="false"><resource uri="sip:on2@limcm.com"><instance id="0" state="active" cid="on2@limcm.com"/></resource><resource uri="sip:on3@limcm.com"><instance id="0" state="terminated" reason="rejected"/></resource></list>"#;

#[test]
fn rlmi_list() {
    let s = summarize_part(0, "application/rlmi+xml", RLMI);
    assert_eq!(s.kind, BodyKind::ResourceList);
    assert_eq!(
        s.title,
        "Resource list of sip:on1@limcm.com: 2 contacts (version 0, changes only)"
    );
    assert_eq!(
        s.lines[0],
        "Subscriptions: sip:on2@limcm.com active; sip:on3@limcm.com terminated (rejected)."
    );
}

const CATS: &str = r#"<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:on2@limcm.com"><category name="calendarData" instance="0" publishTime="2018-03-29T05:35:39.263"><calendarData xmlns="http://schemas.microsoft.com/2006/09/sip/calendarData" mailboxID="on2@limcm.com"><WorkingHours xmlns="http://schemas.microsoft.com/exchange/services/2006/types"><TimeZone><Bias>-540</Bias></TimeZone><WorkingPeriodArray><WorkingPeriod><DayOfWeek>Monday Tuesday Wednesday Thursday Friday</DayOfWeek><StartTimeInMinutes>540</StartTimeInMinutes><EndTimeInMinutes>1080</EndTimeInMinutes></WorkingPeriod></WorkingPeriodArray></WorkingHours></calendarData></category><category name="calendarData" instance="2626090389"><calendarData><freeBusy startTime="2018-03-29T15:00:00Z" granularity="PT15M" encodingVersion="1">AAAAAAAAqgAAqgCqAAAAVQAAAACqAAAAAAAAAACqAFUAAAAAAFWqVQAAAACqAKpV</freeBusy></calendarData></category><category name="contactCard" instance="0"><contactCard><identity><name><displayName>On 2</displayName></name><email>on2@limcm.com</email></identity></contactCard></category><category name="contactCard" instance="3"><contactCard><company>LIMCM</company><title>Systems Engineer</title><phone type="work"><uri>tel:+82212345678</uri><displayString>+82 2 1234 5678</displayString></phone></contactCard></category><category name="note" instance="0"><note><body type="personal" uri="">회의 중</body></note></category><category name="state" instance="1"><state xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="aggregateState"><availability>3500</availability><device>computer</device></state></category><category name="services" instance="0"><services><service uri="sip:on2@limcm.com"><capabilities><text render="true"/><voice render="true"/><video/><applicationSharing/></capabilities></service></services></category><category name="routing"/></categories>"#;

#[test]
fn categories_document() {
    let s = summarize_part(1, "application/msrtc-event-categories+xml", CATS);
    assert_eq!(s.kind, BodyKind::Categories);
    assert_eq!(
        s.title,
        "Presence of sip:on2@limcm.com: 3500 Available, note \"회의 중\""
    );
    assert_eq!(
        s.lines[1],
        "Availability: 3500 Available (aggregate state, device computer)."
    );
    let v = |field: &str, n: usize| {
        s.entries
            .iter()
            .filter(|e| e.field == field)
            .nth(n)
            .map(|e| e.value.clone())
            .unwrap_or_default()
    };
    assert!(v("calendarData", 0)
        .starts_with("working hours Monday Tuesday Wednesday Thursday Friday 09:00–18:00 (UTC+9)"));
    assert!(
        v("calendarData", 1)
            .starts_with("free/busy from 2018-03-29T15:00:00Z in PT15M slots covering 2 d: 52 of 192 slots not free"),
        "{}",
        v("calendarData", 1)
    );
    assert!(v("contactCard", 0).starts_with("On 2, email on2@limcm.com"));
    assert!(
        v("contactCard", 1).starts_with("Systems Engineer at LIMCM, work phone +82 2 1234 5678")
    );
    assert!(v("note", 0).starts_with("\"회의 중\""));
    assert!(
        v("services", 0).starts_with("sip:on2@limcm.com can do IM, audio, video, screen sharing")
    );
    assert!(v("routing", 0).starts_with("nothing published"));
    let docs = presence_docs(CATS);
    assert_eq!(docs[0].state.as_ref().unwrap().availability, Some(3500));
    assert_eq!(docs[0].note.as_deref(), Some("회의 중"));
}

const PUBLISH: &str = r#"<publish xmlns="http://schemas.microsoft.com/2006/09/sip/rich-presence"><publications uri="sip:on1@limcm.com"><publication categoryName="state" instance="536870912" container="2" version="5" expireType="static"><state xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" manual="true" xsi:type="userState"><availability>6500</availability><endpointLocation></endpointLocation></state></publication><publication categoryName="state" instance="536870912" container="3" version="5" expireType="static"><state manual="true" xsi:type="userState"><availability>6500</availability></state></publication><publication categoryName="note" instance="0" container="200" version="3" expireType="static"><note><body type="personal" uri="">회의 중 - 11시 이후 연락 주세요</body></note></publication><publication categoryName="note" instance="0" container="400" version="3" expireType="static"><note><body type="personal" uri="">회의 중 - 11시 이후 연락 주세요</body></note></publication><publication categoryName="calendarState" instance="1" container="300" version="1" expires="0"/></publications></publish>"#;

#[test]
fn publication() {
    let s = summarize_part(0, "application/msrtc-category-publish+xml", PUBLISH);
    assert_eq!(s.kind, BodyKind::Publication);
    assert_eq!(
        s.title,
        "sip:on1@limcm.com publishes 6500 Busy (set manually)"
    );
    assert_eq!(
        s.lines[0],
        "state: 6500 Busy (user state, set manually), lasts: static → containers 2, 3."
    );
    assert_eq!(
        s.lines[1],
        "note: \"회의 중 - 11시 이후 연락 주세요\", lasts: static → containers 200 (Colleagues), 400 (Friends and Family)."
    );
    assert_eq!(
        s.lines[2],
        "calendarState: delete (instance 1) → container 300 (Workgroup)."
    );
    let docs = presence_docs(PUBLISH);
    assert!(docs[0].published);
    assert_eq!(docs[0].state.as_ref().unwrap().availability, Some(6500));
    assert!(docs[0].state.as_ref().unwrap().manual);
}

#[test]
fn roaming_self() {
    let body = r#"<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"><categories uri="sip:on1@limcm.com"><category name="state" instance="1" container="400"><state xsi:type="aggregateState"><availability>18500</availability></state></category></categories><containers><container id="200" version="1"><member type="sameEnterprise"/></container><container id="300" version="2"><member type="user" value="on2@limcm.com"/></container><container id="32000" version="0"><member type="publicCloud"/></container></containers><subscribers><subscriber user="on3@limcm.com" displayName="On 3" acknowledged="false" type="sameEnterprise"/></subscribers></roamingData>"#;
    let s = summarize_part(0, "application/vnd-microsoft-roaming-self+xml", body);
    assert_eq!(s.kind, BodyKind::RoamingData);
    assert_eq!(
        s.title,
        "Roaming self data of sip:on1@limcm.com: 1 own category, 3 containers, 1 follower"
    );
    assert!(s
        .lines
        .contains(&"Own availability: 18500 Offline (aggregate state).".to_string()));
    assert!(s
        .lines
        .contains(&"container 200 (Colleagues): members: everyone in the company.".to_string()));
    assert!(s
        .lines
        .contains(&"container 32000 (Blocked): members: public IM users.".to_string()));
    assert!(s.lines.contains(&"on3@limcm.com (On 3) follows your presence, sameEnterprise — not yet acknowledged: a new follower.".to_string()));
    let r = summarize_part(
        0,
        "application/vnd-microsoft-roaming-self+xml",
        r#"<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"><roaming type="categories"/><roaming type="containers"/><roaming type="subscribers"/></roamingList>"#,
    );
    assert_eq!(
        r.title,
        "The client asks for its own roaming data: categories, containers, subscribers"
    );
}

#[test]
fn soap_set_and_get_presence() {
    // [MS-SIP] 3.2.4.2 / 3.2.4.4 examples.
    let set = r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><m:setPresence xmlns:m="http://schemas.microsoft.com/winrtc/2002/11/sip"><m:presentity m:uri="sip:user@tradewind.com"><m:availability m:aggregate="300" m:description="online"/><m:activity m:aggregate="400" m:description="Active"/><deviceName xmlns="http://schemas.microsoft.com/2002/09/sip/client/presence" name="USER-DESKTOP"/></m:presentity></m:setPresence></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
    let s = summarize_part(0, "application/SOAP+xml", set);
    assert_eq!(s.kind, BodyKind::Soap);
    assert!(s
        .title
        .starts_with("setPresence: sip:user@tradewind.com sets its own presence"));
    assert_eq!(
        s.lines,
        vec![
            "availability 300 \"online\".",
            "activity 400 \"Active\".",
            "Device name USER-DESKTOP."
        ]
    );
    let get = r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="x"><SOAP-ENV:Body><m:getPresence xmlns:m="y"><presentity uri="sip:target@tradewind.com"/></m:getPresence></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
    assert!(summarize_part(0, "application/SOAP+xml", get)
        .title
        .starts_with("getPresence: a one-time look at the presence of sip:target@tradewind.com"));
}

#[test]
fn typing_and_fault() {
    let t = summarize_part(
        0,
        "application/im-iscomposing+xml",
        r#"<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>"#,
    );
    assert_eq!(t.kind, BodyKind::Typing);
    assert_eq!(t.title, "Typing notification: the sender is typing");
    let f = summarize_part(0, "application/msrtc-fault+xml", "<Fault><Faultcode>Client.Delegate.Operation.NotAuthorized</Faultcode><details>no</details></Fault>");
    assert_eq!(f.title, "Fault Client.Delegate.Operation.NotAuthorized");
}

#[test]
fn im_text_html_and_header() {
    let m = msg(
        "MESSAGE sip:on2@limcm.com SIP/2.0\nCSeq: 2 MESSAGE\nContent-Type: text/plain; charset=UTF-8;msgr=WAAtAE0ATQBTAC0ASQBNAC0ARgBvAHIAbQBhAHQAOgAgAEYATgA9AFMAZQBnAG8AZQAlADIAMABVAEkAOwAgAEUARgA9ADsAIABDAE8APQAwADsAIABDAFMAPQAwADsAIABQAEYAPQAwAA0ACgANAAoA",
        "회의 끝나면 잠깐 통화 가능할까요?\r\n",
    );
    let s = decode_body(&m);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].kind, BodyKind::ImText);
    assert_eq!(s[0].lines, vec!["회의 끝나면 잠깐 통화 가능할까요?"]);
    assert_eq!(s[0].entries[0].value, "Segoe UI");

    let h = summarize_part(0, "text/html", "<html><head><style>body{x}</style></head><body><script>alert('PWNED')</script><p>Привет &amp; <b>hi</b></p><img src=x onerror=alert(1)></body></html>");
    assert_eq!(h.kind, BodyKind::ImHtml);
    assert_eq!(
        h.lines,
        vec![
            "Привет & hi",
            "[The HTML contains a <script> element; it is left out of this view.]"
        ]
    );

    let m = msg(
        "INVITE sip:on2@limcm.com SIP/2.0\nCSeq: 1 INVITE\nms-text-format: text/plain; charset=UTF-8;ms-body=SGksIGRvIHlvdSBoYXZlIGEgbWludXRlPw==\nContent-Type: application/sdp",
        "v=0\r\no=- 0 0 IN IP4 192.168.1.51\r\ns=session\r\nc=IN IP4 192.168.1.51\r\nt=0 0\r\nm=message 5060 sip null\r\na=accept-types:text/plain text/html text/rtf\r\n",
    );
    let s = decode_body(&m);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].kind, BodyKind::Sdp);
    assert_eq!(s[0].title, "Session description: an IM session");
    assert_eq!(
        s[0].lines[1],
        "message on port 5060 (sip): instant messaging; accepts text/plain, text/html, text/rtf."
    );
    assert_eq!(s[1].kind, BodyKind::ImText);
    assert_eq!(s[1].part, 1);
    assert_eq!(s[1].header_index, Some(1));
    assert_eq!(s[1].lines, vec!["Hi, do you have a minute?"]);
}

#[test]
fn sdp_audio_with_ice() {
    let body = "v=0\r\no=- 0 1 IN IP4 10.0.0.5\r\ns=session\r\nc=IN IP4 10.0.0.5\r\nb=CT:99980\r\nt=0 0\r\na=x-devicecaps:audio:send,recv;video:send,recv\r\nm=audio 50012 RTP/SAVP 117 9 0 101\r\na=candidate:1 1 UDP 2130706431 10.0.0.5 50012 typ host \r\na=candidate:2 1 UDP 16648703 52.1.1.1 51000 typ relay raddr 10.0.0.5 rport 50012\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:abc\r\na=rtpmap:117 SILK/16000\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=x-ssrc-range:1-1\r\nm=video 0 RTP/AVP 34\r\n";
    let s = summarize_part(0, "application/sdp", body);
    assert_eq!(s.title, "Session description: audio, video");
    assert_eq!(s.lines[1], "audio on port 50012 (RTP/SAVP); codecs SILK/16000, G722/8000, PCMU/8000, telephone-event/8000; 2 ICE candidates (host, relay); SRTP keys offered (a=crypto); Microsoft extensions x-ssrc-range.");
    assert!(s.lines[2].starts_with("video on port 0 (RTP/AVP), declined"));
    assert_eq!(
        s.lines[3],
        "Session-level Microsoft extensions: x-devicecaps."
    );
}

#[test]
fn malformed_and_odd_bodies() {
    let s = summarize_part(0, "application/msrtc-event-categories+xml", "<categories uri=\"sip:x@y\"><category name=\"state\"><state><availability>6500</availability>");
    assert_eq!(s.kind, BodyKind::Categories);
    assert!(s.malformed.is_some());
    assert!(s.lines[0].starts_with("The XML is not well-formed"));
    assert!(s.title.contains("6500 Busy"));
    let s = summarize_part(
        0,
        "application/msrtc-event-categories+xml",
        "not xml at all",
    );
    assert_eq!(s.kind, BodyKind::Malformed);
    let s = summarize_part(0, "application/octet-stream", "\u{0}\u{1}");
    assert_eq!(s.kind, BodyKind::Binary);
    let s = summarize_part(0, "application/xml", "<?xml version=\"1.0\"?><?xml-stylesheet href=\"javascript:alert(1)\"?><categories uri=\"sip:on2@limcm.com\" onload=\"alert(1)\"><category name=\"contactCard\"><contactCard><identity><name><displayName>&lt;img src=x onerror=alert('PWNED')&gt;</displayName></name></identity></contactCard></category></categories>");
    assert_eq!(s.kind, BodyKind::Categories);
    assert!(s.entries[0]
        .value
        .starts_with("<img src=x onerror=alert('PWNED')>"));
    assert_eq!(
        summarize_part(0, "text/rtf", "{\\rtf1\\ansi Hello\\par World}").lines,
        vec!["Hello", "World"]
    );
    assert_eq!(
        crate::explain::text::decode_entities("a &unknown; &#65; &#x42; & b"),
        "a &unknown; A B & b"
    );
    let huge = summarize_part(0, "application/msrtc-event-categories+xml", "<categories uri=\"sip:a@b\"><category name=\"calendarData\"><calendarData><freeBusy startTime=\"x\" granularity=\"PT99999999999999999M\">AAAA</freeBusy><WorkingHours><TimeZone><Bias>-9223372036854775808</Bias></TimeZone><WorkingPeriod><StartTimeInMinutes>4294967295</StartTimeInMinutes><EndTimeInMinutes>0</EndTimeInMinutes></WorkingPeriod></WorkingHours></calendarData></category></categories>");
    assert_eq!(huge.kind, BodyKind::Categories);
    assert_eq!(availability_name(3500), "Available");
    assert_eq!(availability_name(4500), "Available-Idle (Inactive)");
    assert_eq!(availability_name(7500), "Busy-Idle");
    assert_eq!(availability_name(9500), "Do Not Disturb");
    assert_eq!(availability_name(12500), "Be Right Back");
    assert_eq!(availability_name(15500), "Away");
    assert_eq!(availability_name(18000), "Offline");
}
