//! Tests of `sip/grammar`: realistic Skype for Business values, every span checked by the text it slices.

use super::*;

fn at(s: &str, r: &Range<usize>) -> String {
    s[r.clone()].to_string()
}

fn params_of(s: &str, it: impl Iterator<Item = Param>) -> Vec<(String, String)> {
    it.map(|p| (at(s, &p.name), at(s, &p.value))).collect()
}

const VIA: &str = "SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK1d3f;ms-received-port=51882;ms-received-cid=\"1D00,2F;x\";received=211.208.253.61";

#[test]
fn via_parts_and_quoted_params() {
    let v = via(VIA);
    assert_eq!(at(VIA, &v.protocol), "SIP/2.0/TLS");
    assert_eq!(at(VIA, &v.sent_by.clone().unwrap()), "192.168.1.51:51882");
    let p = params_of(
        VIA,
        semi_params(&VIA[v.params.clone()]).map(|p| Param {
            name: shift(p.name, v.params.start),
            value: shift(p.value, v.params.start),
        }),
    );
    assert_eq!(
        p,
        [
            ("branch".into(), "z9hG4bK1d3f".into()),
            ("ms-received-port".into(), "51882".into()),
            ("ms-received-cid".into(), "1D00,2F;x".into()),
            ("received".into(), "211.208.253.61".into()),
        ]
    );
    assert_eq!(param(VIA, "MS-Received-CID"), Some("1D00,2F;x"));
    assert_eq!(param(VIA, "branch"), Some("z9hG4bK1d3f"));
    assert_eq!(param(VIA, "rport"), None);
    let (host, port) = host_port(&VIA[v.sent_by.clone().unwrap()]);
    let sb = &VIA[v.sent_by.unwrap()];
    assert_eq!(
        (at(sb, &host), at(sb, &port.unwrap())),
        ("192.168.1.51".into(), "51882".into())
    );
    assert_eq!(via("garbage").sent_by, None);
}

#[test]
fn several_vias_split_outside_quotes() {
    let two = format!("{VIA} , SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bK2");
    assert_eq!(first_entry(&two), VIA);
    let items: Vec<&str> = comma_items(&two).collect();
    assert_eq!(items, [VIA, "SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bK2"]);
    assert_eq!(split_top_level("<sip:a,b@c>, <sip:d>", b',').count(), 2);
    assert_eq!(split_top_level("", b',').collect::<Vec<_>>(), [""]);
    assert_eq!(split_top_level("a,", b',').collect::<Vec<_>>(), ["a", ""]);
}

#[test]
fn contact_with_gruu_instance_and_opaque() {
    let c = "<sip:on2@limcm.com;opaque=user:epid:-DJ-jixsE1iniiysRLkUJwAA;gruu>;text;audio;video;+sip.instance=\"<urn:uuid:5D1E7A1B-0E37-5C44-A1C7-D2D8EF47C5B9>\";expires=7200";
    let na = name_addr(c);
    assert_eq!(na.display, None);
    assert_eq!(
        at(c, &na.uri),
        "sip:on2@limcm.com;opaque=user:epid:-DJ-jixsE1iniiysRLkUJwAA;gruu"
    );
    let tail = &c[na.params.clone()];
    let p: Vec<(String, String)> = params_of(tail, semi_params(tail));
    assert_eq!(
        p[3],
        (
            "+sip.instance".into(),
            "<urn:uuid:5D1E7A1B-0E37-5C44-A1C7-D2D8EF47C5B9>".into()
        )
    );
    assert_eq!(p[4], ("expires".into(), "7200".into()));
    assert_eq!(p[0], ("text".into(), "".into()));
    // `param` ends the URI at the `>` that closes it, not at the last `>` (once it was the last one, and after a
    // quoted `<urn:…>` nothing was found: a Contact's `expires=0` went unseen).
    assert_eq!(param(c, "expires"), Some("7200"));
    assert_eq!(
        param(c, "+sip.instance"),
        Some("<urn:uuid:5D1E7A1B-0E37-5C44-A1C7-D2D8EF47C5B9>")
    );
    let plain = "<sip:on2@limcm.com;gruu>;+sip.instance=\"<urn:uuid:5D1E7A1B>\"";
    assert_eq!(param(plain, "+sip.instance"), Some("<urn:uuid:5D1E7A1B>"));
    let before = "<sip:on2@limcm.com;gruu>;expires=7200;+sip.instance=\"<urn:uuid:5D1E7A1B>\"";
    assert_eq!(param(before, "expires"), Some("7200"));
    // A display name holding `<` and `>` inside its quotes.
    let quoted = "\"A <b> C\" <sip:a@b;x=1>;tag=9";
    assert_eq!(param(quoted, "tag"), Some("9"));
    assert_eq!(param(quoted, "x"), None);
    // A Via has no `<uri>`: a `<` in a later parameter (hostile `received=<img …>`) is not one.
    let via =
        "SIP/2.0/TLS 192.168.1.51:51882;branch=z9hG4bK1;received=<img/src=x/onerror=alert(1)>X";
    assert_eq!(param(via, "branch"), Some("z9hG4bK1"));
    assert_eq!(
        param(via, "received"),
        Some("<img/src=x/onerror=alert(1)>X")
    );
    assert_eq!(
        param("<sip:on2@limcm.com;gruu>;expires=7200;text", "expires"),
        Some("7200")
    );

    let s = &c[na.uri.clone()];
    let u = uri(s);
    assert_eq!(at(s, &u.scheme), "sip");
    assert_eq!(at(s, &u.user.unwrap()), "on2");
    assert_eq!(at(s, &u.host), "limcm.com");
    assert_eq!(u.port, None);
    let up = params_of(s, uri_params(s, u.params));
    assert_eq!(
        up,
        [
            ("opaque".into(), "user:epid:-DJ-jixsE1iniiysRLkUJwAA".into()),
            ("gruu".into(), "".into())
        ]
    );
}

#[test]
fn transport_and_ms_opaque_in_uri() {
    let c = "<sip:192.168.1.51:51882;transport=tls;ms-opaque=d3470f2e1d;ms-received-cid=1D00>;proxy=replace;+sip.instance=\"<urn:uuid:9f8c5f2b-4d1e-5a1e-8c5b-2a1e9c0d7f21>\"";
    let u = uri(uri_of(c));
    let s = uri_of(c);
    assert_eq!(at(s, &u.host), "192.168.1.51");
    assert_eq!(at(s, &u.port.unwrap()), "51882");
    assert_eq!(u.user, None);
    let up = params_of(s, uri_params(s, u.params));
    assert_eq!(up[0], ("transport".into(), "tls".into()));
    assert_eq!(up[1], ("ms-opaque".into(), "d3470f2e1d".into()));
    assert_eq!(param(c, "proxy"), Some("replace"));
    let tail = &c[name_addr(c).params];
    assert_eq!(
        params_of(tail, semi_params(tail))[0],
        ("proxy".into(), "replace".into())
    );
}

#[test]
fn name_addr_with_tricky_display_names() {
    let f = r#""Kim, \"Ops\" <on-call>; 2nd" <sip:kim@limcm.com>;tag=0bc7b0fc1e;epid=08b5b444f3"#;
    let na = name_addr(f);
    assert_eq!(
        at(f, &na.display.unwrap()),
        r#"Kim, \"Ops\" <on-call>; 2nd"#
    );
    assert_eq!(at(f, &na.uri), "sip:kim@limcm.com");
    assert_eq!(at(f, &na.params), ";tag=0bc7b0fc1e;epid=08b5b444f3");
    assert_eq!(param(f, "tag"), Some("0bc7b0fc1e"));
    assert_eq!(param(f, "epid"), Some("08b5b444f3"));
    assert_eq!(split_top_level(f, b',').count(), 1);

    let g = "\"On 1\"<sip:on1@limcm.com;tag=wrong>;tag=0bc7b0fc1e";
    assert_eq!(param(g, "tag"), Some("0bc7b0fc1e"));
    assert_eq!(display_name(g), Some("On 1"));
    assert_eq!(uri_of("  sip:a@b;tag=1 "), "sip:a@b");
    assert_eq!(
        at("sip:a@b;tag=1", &name_addr("sip:a@b;tag=1").params),
        ";tag=1"
    );
    assert_eq!(display_name("<sip:a@b>"), None);
    assert_eq!(param("<sip:a@b>;lr", "lr"), Some(""));
    assert_eq!(uri_of("<sip:unterminated"), "sip:unterminated");
}

#[test]
fn ipv6_hosts() {
    let s = "sips:[2001:db8::1]:5061;transport=tls";
    let u = uri(s);
    assert_eq!(at(s, &u.scheme), "sips");
    assert_eq!(at(s, &u.host), "2001:db8::1");
    assert_eq!(at(s, &u.port.unwrap()), "5061");
    let (h, p) = host_port("[2001:db8::1]");
    assert_eq!((at("[2001:db8::1]", &h), p), ("2001:db8::1".into(), None));
    let (h, p) = host_port("2001:db8::1");
    assert_eq!((at("2001:db8::1", &h), p), ("2001:db8::1".into(), None));
    let (h, p) = host_port(" fe01.limcm.com:bad ");
    assert_eq!(
        (at(" fe01.limcm.com:bad ", &h), p),
        ("fe01.limcm.com:bad".into(), None)
    );
    let r = "sip:on1@[2001:db8::1]:5061;transport=tls";
    assert_eq!(at(r, &uri_host_port(r)), "[2001:db8::1]:5061");
    let r = "<sip:pool.limcm.com:5061;transport=tls>";
    assert_eq!(at(r, &uri_host_port(r)), "pool.limcm.com:5061");
}

#[test]
fn tls_dsk_auth_params_with_quoted_commas() {
    let v = r#"TLS-DSK qop="auth", realm="SIP Communications Service", opaque="2C4A, 9B1F", crand="3f0b1e2d", cnum="17", targetname="FE01.limcm.com", response="a1b2c3""#;
    let (scheme, it) = auth(v);
    assert_eq!(at(v, &scheme), "TLS-DSK");
    let p = params_of(v, it);
    assert_eq!(p.len(), 7);
    assert_eq!(p[1], ("realm".into(), "SIP Communications Service".into()));
    assert_eq!(p[2], ("opaque".into(), "2C4A, 9B1F".into()));
    assert_eq!(p[5], ("targetname".into(), "FE01.limcm.com".into()));
    let (scheme, it) = auth("NTLM");
    assert_eq!((scheme, it.count()), (0..4, 0));
}

#[test]
fn semi_params_of_plain_values() {
    let s = "UAS; tcp=no; hop-hop=yes;; end-end=no; timeout=300";
    assert_eq!(at(s, &semi_first(s)), "UAS");
    let p = params_of(s, semi_params(s));
    assert_eq!(p.len(), 4);
    assert_eq!(p[3], ("timeout".into(), "300".into()));
}

#[test]
fn boundary_bytes() {
    let v =
        br#"multipart/related; type="application/sdp"; Boundary="----=_NextPart_000_01"; start=x"#;
    let r = param_value_bytes(v, b"boundary").unwrap();
    assert_eq!(&v[r], b"----=_NextPart_000_01");
    let v = b"multipart/alternative;boundary=abc123;x=1";
    assert_eq!(&v[param_value_bytes(v, b"boundary").unwrap()], b"abc123");
    assert_eq!(param_value_bytes(b"text/plain", b"boundary"), None);
    assert_eq!(param_value_bytes(b"boundary=\"open", b"boundary"), None);
}

#[test]
fn folded_values_unfold() {
    let v = "<sip:on1@limcm.com>;tag=1;\r\n\t epid=08b5b444f3\r\n  ;x=y";
    let pieces: Vec<&str> = unfold(v).map(|r| &v[r]).collect();
    assert_eq!(
        pieces,
        ["<sip:on1@limcm.com>;tag=1;", "epid=08b5b444f3", ";x=y"]
    );
    assert_eq!(unfold("one line").count(), 1);
}
