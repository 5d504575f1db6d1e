//! Annotation tests over the built-in sample and the fixtures: header annotations, body summaries, the presence
//! timeline, lifeline names and findings (damaged bodies and messages are the `body` and `sip_message` fuzz targets' work).
#![cfg(not(target_arch = "wasm32"))]

use sipscope::explain::presence::{LifeEventKind, LifeState, PresenceSource};
use sipscope::explain::{self, Annotation, BodyKind, BodySummary, FindingKind};
use sipscope::{Analysis, Severity};
use std::path::Path;

fn load(rel: &str) -> Analysis {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let bytes = std::fs::read(&path).expect("fixture exists");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Analysis::of_files([(name.as_str(), bytes.as_slice())])
}

fn sample() -> Analysis {
    load("www/sample/sample.uccapilog")
}

/// Header annotations of message `i` (0-based) for `header`.
fn notes(a: &Analysis, i: usize, header: &str) -> Vec<String> {
    explain::annotate_headers(&a.sip(i as u32))
        .into_iter()
        .filter(|n: &Annotation| n.header.eq_ignore_ascii_case(header))
        .map(|n| n.text)
        .collect()
}

fn bodies(a: &Analysis, i: usize) -> Vec<BodySummary> {
    explain::decode_body(&a.sip(i as u32))
}

// Message numbers below are 0-based; tests/fixtures/README.md numbers the sample's messages from 1.

#[test]
fn sample_user_agent_names_the_client() {
    let a = sample();
    assert_eq!(
        notes(&a, 0, "User-Agent"),
        vec!["Sent by Skype for Business 2016/2019 client (Office 16.0, build 4849.1000)."]
    );
    // on2's client answers the INVITE (README message 20).
    assert_eq!(
        notes(&a, 19, "User-Agent"),
        vec!["Sent by Skype for Business 2016/2019 client (Office 16.0, build 9029.2253)."]
    );
    assert_eq!(
        notes(&a, 1, "Server"),
        vec!["Answered by Skype for Business Server 2015 (RTC/6.0)."]
    );
    assert!(notes(&a, 31, "Server")[0].contains("InboundRouting"));
}

#[test]
fn sample_via_shows_the_nat_address() {
    let a = sample();
    assert_eq!(
        notes(&a, 1, "Via"),
        vec!["The client sent from private address 192.168.1.51:51882 over TLS; the server saw it arrive from public address 211.208.253.61:51882 (NAT) on connection 17700."]
    );
}

#[test]
fn sample_routes_name_front_end_pool_and_edge() {
    let a = sample();
    let rr = notes(&a, 13, "Record-Route");
    assert!(
        rr[0].contains("Front End FE01.limcm.com in pool pool.limcm.com (TLS 5061)"),
        "{rr:?}"
    );
    assert!(
        rr[1].contains("Access Edge acc.limcm.com (TLS 5061)"),
        "{rr:?}"
    );
    assert!(rr[1].contains("(connection 17700)"));
    assert!(notes(&a, 13, "Contact")[0].contains("Front End FE01.limcm.com in pool pool.limcm.com"));
    let route = notes(&a, 20, "Route");
    assert_eq!(route.len(), 3);
    assert!(route[0].starts_with("Next hop: Access Edge acc.limcm.com"));
}

#[test]
fn sample_authentication_steps() {
    let a = sample();
    let challenge = notes(&a, 1, "WWW-Authenticate");
    assert!(challenge[0].contains("NTLM"));
    assert!(challenge[1].contains(
        "certificate from https://FE01.limcm.com:443/CertProv/CertProvisioningService.svc"
    ));
    assert!(notes(&a, 2, "Proxy-Authorization")[0].contains("ClientHello"));
    assert!(notes(&a, 6, "Proxy-Authorization")[0].contains("sequence number cnum=1"));
    assert!(notes(&a, 13, "Authentication-Info")[0].contains("signed its response"));
    assert!(notes(&a, 13, "Authentication-Info")[0].contains("(snum=4)"));
    assert!(notes(&a, 1, "ms-user-logon-data")[0].contains("through the Edge from outside"));
    assert!(notes(&a, 7, "ms-keep-alive")[0].contains("5 min"));
}

#[test]
fn sample_diagnostics_get_their_reason() {
    let a = sample();
    // The 503 (README 16).
    let d = notes(&a, 15, "ms-diagnostics");
    assert_eq!(
        d[0],
        "Server diagnostic 1007 — SIP stack (server routing, DNS, federation, connections): Temporarily cannot route. Reported by FE01.limcm.com."
    );
    // The code table names where the code is documented.
    assert!(d[1].starts_with(
        "Documented: MS-OCER §7 (current release) SipStack table https://learn.microsoft.com/"
    ));
    assert_eq!(d.len(), 2);
    // The 480 (README 32).
    let d = notes(&a, 31, "ms-diagnostics");
    assert!(d[0].starts_with("Server diagnostic 13004 — VoIP inbound call routing: Request was proxied to one or more registered endpoints"));
    assert!(d[1].starts_with("Documented: MS-OCER"));
    assert_eq!(
        d[2],
        "Details: endpoints tried 1; server application InboundRouting."
    );
}

#[test]
fn sample_options_events_and_im_headers() {
    let a = sample();
    let req = notes(&a, 12, "Require");
    assert!(req.iter().any(|r| r.contains("adhoclist")));
    assert!(req.iter().any(|r| r.contains("categoryList")));
    assert!(notes(&a, 12, "Proxy-Require")[0].contains("BENOTIFY"));
    assert!(notes(&a, 13, "ms-piggyback-cseq")[0].contains("piggy-backed"));
    assert!(notes(&a, 13, "subscription-state")[0].contains("8 h 45 min 35 s"));
    assert_eq!(
        notes(&a, 17, "ms-text-format")[0],
        "First IM text, carried in this header: \"Hi, do you have a minute?\"."
    );
    assert_eq!(
        notes(&a, 29, "ms-text-format")[0],
        "First IM text, carried in this header: \"퇴근 전에 잠깐 볼 수 있을까요?\"."
    );
}

#[test]
fn sample_bodies() {
    let a = sample();
    let b = bodies(&a, 12);
    assert_eq!(b[0].kind, BodyKind::BatchSubscribe);
    assert!(b[0].lines[0].contains("sip:on2@limcm.com, sip:on3@limcm.com"));
    let b = bodies(&a, 13);
    assert_eq!(
        b.iter().map(|x| x.kind).collect::<Vec<_>>(),
        vec![
            BodyKind::ResourceList,
            BodyKind::Categories,
            BodyKind::Categories
        ]
    );
    assert_eq!(
        b[1].title,
        "Presence of sip:on2@limcm.com: 3500 Available, note \"회의 중\""
    );
    assert!(b[1]
        .entries
        .iter()
        .any(|e| e.field == "contactCard" && e.value.contains("Systems Engineer at LIMCM")));
    let b = bodies(&a, 16);
    assert_eq!(b[0].title, "Presence of sip:on2@limcm.com: 6500 Busy");
    let b = bodies(&a, 10);
    assert_eq!(b[0].kind, BodyKind::Publication);
    assert!(b[0]
        .lines
        .iter()
        .any(|l| l.contains("회의 중 - 11시 이후 연락 주세요")));
    let b = bodies(&a, 21);
    assert_eq!(b[0].kind, BodyKind::ImText);
    assert_eq!(b[0].lines, vec!["회의 끝나면 잠깐 통화 가능할까요?"]);
    let b = bodies(&a, 17);
    assert_eq!(b[0].kind, BodyKind::Sdp);
    assert_eq!(b[1].lines, vec!["Hi, do you have a minute?"]);
    let b = bodies(&a, 25);
    assert_eq!(b[0].kind, BodyKind::RoamingData);
    assert!(b[0]
        .lines
        .iter()
        .any(|l| l.contains("on3@limcm.com (On 3) follows your presence")));
}

#[test]
fn sample_presence_timeline() {
    let a = sample();
    let p = explain::presence(&a);
    let on2 = p
        .contacts
        .iter()
        .find(|c| c.uri == "sip:on2@limcm.com")
        .expect("on2 has a timeline");
    let seen: Vec<(u32, u32, &str)> = on2
        .changes
        .iter()
        .map(|c| (c.msg, c.availability, c.name.as_str()))
        .collect();
    assert_eq!(seen, vec![(13, 3500, "Available"), (16, 6500, "Busy")]);
    let on3 = p
        .contacts
        .iter()
        .find(|c| c.uri == "sip:on3@limcm.com")
        .unwrap();
    assert_eq!(on3.changes.last().unwrap().availability, 15500);
    assert_eq!(
        on3.changes.last().unwrap().note.as_deref(),
        Some("외근 중 - 오후 3시 복귀")
    );
    let on1 = p
        .contacts
        .iter()
        .find(|c| c.uri == "sip:on1@limcm.com")
        .unwrap();
    let published: Vec<(u32, u32)> = on1
        .changes
        .iter()
        .filter(|c| c.source == PresenceSource::Publication)
        .map(|c| (c.msg, c.availability))
        .collect();
    assert_eq!(published, vec![(10, 3500), (33, 6500)]);

    // The batched presence subscription and the failed one to on4.
    let batched = &p.subscriptions[1];
    let kinds: Vec<LifeEventKind> = batched.events.iter().map(|e| e.kind).collect();
    use LifeEventKind::{Accepted, Benotify, Created};
    assert_eq!(kinds, vec![Created, Accepted, Benotify, Benotify]);
    let on4 = p
        .subscriptions
        .iter()
        .find(|s| s.resource == "sip:on4@limcm.com")
        .unwrap();
    assert_eq!(on4.state, LifeState::Failed);
    assert!(on4.events[1].text.contains("1007"));
}

#[test]
fn sample_lifelines() {
    let a = sample();
    let names = explain::lifeline_names(&a);
    assert_eq!(
        names,
        vec![
            (
                "192.168.1.51:51882".to_string(),
                "on1 client\n192.168.1.51:51882".to_string()
            ),
            (
                "211.208.253.66:5061".to_string(),
                "Access Edge acc.limcm.com\n211.208.253.66:5061".to_string()
            ),
        ]
    );
}

#[test]
fn sample_findings() {
    let a = sample();
    let f = explain::findings(&a);
    let failed = f
        .iter()
        .find(|x| x.kind == FindingKind::FailedTransaction && x.msg == 31)
        .expect("the 480 is a finding");
    assert!(failed.title.contains("480 Temporarily Unavailable"));
    assert!(failed
        .detail
        .contains("Request was proxied to one or more registered endpoints"));
    assert_eq!(failed.related[0], 29);
    let unanswered = f
        .iter()
        .find(|x| x.kind == FindingKind::NoResponse)
        .expect("the SERVICE");
    assert_eq!(unanswered.msg, 33);
    assert!(unanswered.title.starts_with("SERVICE sip:on1@limcm.com"));
    let sub = f
        .iter()
        .find(|x| x.kind == FindingKind::SubscriptionFailed)
        .unwrap();
    assert_eq!((sub.msg, sub.severity), (15, Severity::Error));
    assert!(sub.detail.contains("Temporarily cannot route"));
    let slow = f
        .iter()
        .find(|x| x.kind == FindingKind::SlowResponse)
        .unwrap();
    assert_eq!(slow.msg, 23);
    assert_eq!(slow.related, vec![21, 22]);
    assert!(f
        .iter()
        .any(|x| x.kind == FindingKind::Retransmission && x.msg == 22));
    // The TLS-DSK handshake (three 401s carrying gssapi-data) is not an authentication loop.
    assert!(f.iter().all(|x| x.kind != FindingKind::AuthLoop), "{f:#?}");
    // Only real problems: no 2xx is reported as a failure.
    assert!(f.iter().all(|x| !x.title.contains("200 OK")), "{f:#?}");
    // In message order.
    assert!(f.windows(2).all(|w| w[0].msg <= w[1].msg));
}

#[test]
fn seed_blog_annotations() {
    // The four messages the blog's author annotated by hand.
    let a = load("tests/fixtures/seed-presence.uccapilog");
    // "<- Client 버전 기록" (client version)
    assert_eq!(
        notes(&a, 0, "User-Agent"),
        vec!["Sent by Skype for Business 2016/2019 client (Office 16.0, build 9126.2098)."]
    );
    // "<- Front end pool"
    assert_eq!(
        notes(&a, 1, "Contact"),
        vec!["Answered by Front End FE00.limcm.com in pool pool.limcm.com (TLS 5061)."]
    );
    // "<- Client PC 의 Public, Private IP, Protocol, Port 정보"
    assert!(notes(&a, 1, "Via")[0].contains("private address 192.168.1.51:51882 over TLS; the server saw it arrive from public address 211.208.253.61:51882 (NAT)"));
    // "-> Front end pool Routing 기록", "-> Access Edge Routing 기록"
    let rr = notes(&a, 1, "Record-Route");
    assert!(rr[0].contains("Front End FE01.limcm.com in pool pool.limcm.com"));
    assert!(rr[1].contains("Access Edge acc.limcm.com"));
    // "->on2 계정에 대한 정보 전달"
    assert!(bodies(&a, 1)
        .iter()
        .any(|b| b.title.starts_with("Presence of sip:on2@limcm.com")));
    assert_eq!(bodies(&a, 2)[0].kind, BodyKind::Publication);
    assert_eq!(bodies(&a, 3)[0].kind, BodyKind::RoamingData);
    let names = explain::lifeline_names(&a);
    assert!(names.iter().any(|(_, l)| l.starts_with("on1 client\n")));
    assert!(names.iter().any(|(_, l)| l.starts_with("on2 client\n")));
    assert!(names
        .iter()
        .any(|(_, l)| l.starts_with("Access Edge acc.limcm.com\n")));
}

#[test]
fn kerberos_sign_in_fixture() {
    let a = load("tests/fixtures/utf16.uccapilog");
    let c = notes(&a, 1, "WWW-Authenticate");
    assert_eq!(c.len(), 3);
    assert!(c[1]
        .contains("Kerberos for server FE01.limcm.com (Kerberos service name sip/FE01.limcm.com)"));
    assert!(notes(&a, 2, "Proxy-Authorization")[0].contains("Kerberos / SPNEGO initial token"));
    assert!(notes(&a, 3, "From")[0].contains("임온이"));
    assert!(notes(&a, 0, "ms-endpoint-location-data")[0].contains("inside the corporate network"));
    let names = explain::lifeline_names(&a);
    assert_eq!(names[0].1, "on2 client\n192.168.10.54:50112");
    assert_eq!(names[1].1, "Front End FE01.limcm.com\n192.168.1.7:5061");
    assert!(explain::findings(&a).is_empty());
}

#[test]
fn other_fixtures() {
    let a = load("tests/fixtures/two-in-one-block.uccapilog");
    let p = explain::presence(&a);
    let on5: Vec<(u32, &str)> = p.contacts[0]
        .changes
        .iter()
        .map(|c| (c.msg, c.name.as_str()))
        .collect();
    assert_eq!(on5, vec![(1, "Available"), (2, "Do Not Disturb")]);

    let a = load("tests/fixtures/lf-bom.uccapilog");
    let im = (0..a.messages.len())
        .flat_map(|i| bodies(&a, i))
        .find(|b| b.kind == BodyKind::ImText)
        .expect("an IM");
    assert_eq!(
        im.lines,
        vec![
            "Good morning!",
            "오늘 회의는 3층 대회의실입니다.",
            "See you at 10."
        ]
    );

    let a = load("tests/fixtures/rotated-mid-packet.uccapilog");
    let published = explain::presence(&a);
    assert_eq!(published.contacts[0].changes[0].name, "Be Right Back");
}

#[test]
fn server_traces_name_the_server_not_a_client() {
    // Server-side traces (Peer addresses): the local endpoint is the server itself.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, machine, role) in [
        (
            "tests/fixtures/server-edge.log",
            "EDGE01",
            "Edge server EDGE01",
        ),
        (
            "tests/fixtures/server-frontend.log",
            "FE01",
            "Front End FE01.limcm.com",
        ),
    ] {
        if !root.join(file).exists() {
            continue;
        }
        let a = load(file);
        let names = explain::lifeline_names(&a);
        if let Some((_, label)) = names.iter().find(|(k, _)| k == machine) {
            assert_eq!(label, &format!("{role}\n{machine}"), "{file}");
        }
        if file.ends_with("server-edge.log") {
            assert!(
                names
                    .iter()
                    .any(|(_, l)| l.starts_with("Front End FE01.limcm.com\n")),
                "{names:?}"
            );
            assert!(
                names.iter().any(|(_, l)| l.starts_with("on1 client\n")),
                "{names:?}"
            );
        }
    }
}

#[test]
fn hostile_fixture_stays_text() {
    let a = load("tests/fixtures/hostile.uccapilog");
    for (i, m) in a.messages.iter().enumerate() {
        let ann = explain::annotate_message(&a.sip_of(m));
        assert!(!ann.headers.is_empty(), "message {i}");
    }
    let html = bodies(&a, 2);
    assert_eq!(html[0].kind, BodyKind::ImHtml);
    assert!(html[0].lines.iter().any(|l| l.contains("<script> element")));
    assert!(html[1].lines.iter().any(|l| l.contains("<script> element")));
    let cats = bodies(&a, 4);
    assert_eq!(cats[0].kind, BodyKind::Categories);
    assert!(explain::findings(&a).iter().any(|f| f.msg == 1));
}

#[test]
fn json_shapes() {
    let a = sample();
    let f = serde_json::to_value(a.findings_view()).unwrap();
    let first = &f[0];
    for key in ["severity", "kind", "title", "detail", "msg", "related"] {
        assert!(first.get(key).is_some(), "{key}");
    }
    let p = serde_json::to_value(a.presence_view()).unwrap();
    let change = &p["contacts"][0]["changes"][0];
    for key in [
        "msg",
        "time",
        "availability",
        "name",
        "note",
        "activity",
        "source",
    ] {
        assert!(change.get(key).is_some(), "{key}");
    }
    let m = serde_json::to_value(a.message_detail(13).unwrap()).unwrap();
    for key in ["header_index", "header", "text"] {
        assert!(m["annotations"][0].get(key).is_some(), "{key}");
    }
    for key in [
        "part",
        "header_index",
        "content_type",
        "kind",
        "title",
        "lines",
        "entries",
        "malformed",
    ] {
        assert!(m["body_summaries"][0].get(key).is_some(), "{key}");
    }
}
