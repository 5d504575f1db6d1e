//! Lifeline names: the role and name of each ladder column, when the messages reveal them.
//!
//! - The local address of a client log (UccApiLog: the sender of `Sending Packet`, the receiver of
//!   `Data Received`) is the client; it is named after the user in the From of the requests it sends
//!   (REGISTER first): `on1 client`.
//! - The remote of a client log is the server the client talks to. It is an Access Edge when the messages
//!   exchanged with it show an Edge: a Record-Route or Route with `opaque=state:` / `ms-edge-route`, or
//!   `ms-user-logon-data: RemoteUser`; it is named after that Record-Route's host (`Access Edge
//!   acc.limcm.com`). A server that answers REGISTER with a redirect (3xx) is a Director. Otherwise it is a
//!   Front End, named from `ms-fe=` (Contact / Record-Route) or the authentication `targetname`, with its
//!   pool when the host differs (`Front End FE01.limcm.com (pool pool.limcm.com)`).
//! - The local endpoint of a server trace is that server: an Access Edge or Front End when the top
//!   Record-Route of the requests it forwards is its own (`opaque=state:` / `ms-fe=`), or when an `ms-fe=`
//!   value names the machine; else `Server <machine>`.
//! - Any other endpoint (a peer in a server trace, SIP text, captures): a client when the requests it sends
//!   come straight from a user agent (one Via) with a Lync / Skype for Business User-Agent; a server when the
//!   requests it forwards carry its own Record-Route on top (a proxy adds itself on top), or from the other
//!   signs above, Front End signs first.
//!
//! Labels have two lines separated by `'\n'`: role and name, then the address.

use super::util::{auth_params, find, parse_uri, uri_of, user_of};
use crate::base::fxhash::{FxMap, FxSet};
use crate::import::{Direction, PointOfView};
use crate::sip::Message;
use crate::store::{Analysis, Msg};
use std::rc::Rc;

/// `(endpoint key, label)` for every endpoint whose role the messages reveal, in order of first appearance.
pub fn lifeline_names(analysis: &Analysis) -> Vec<(String, String)> {
    let mut order: Vec<&str> = Vec::new();
    let mut from: FxMap<&str, Vec<&Msg>> = FxMap::default();
    let mut to: FxMap<&str, Vec<&Msg>> = FxMap::default();
    let mut client_local: FxSet<&str> = FxSet::default();
    let mut client_remote: FxSet<&str> = FxSet::default();
    let mut server_local: FxSet<&str> = FxSet::default();
    let mut server_remote: FxSet<&str> = FxSet::default();
    // Consecutive messages mostly share their endpoints: once both have enough messages, the next message
    // between the same two says nothing new.
    let mut last: Option<(&str, &str, Direction, u32)> = None;
    let mut last_full = false;
    let cap = per_endpoint(analysis);
    for m in &analysis.messages {
        let pair = (&*m.src, &*m.dst, m.direction, m.file);
        if last_full && last == Some(pair) {
            continue;
        }
        last = Some(pair);
        for e in [&*m.src, &*m.dst] {
            if !e.is_empty() && !from.contains_key(e) && !to.contains_key(e) {
                order.push(e);
            }
        }
        // Enough messages per endpoint to see its role; bounds the work on very large server logs.
        let f = from.entry(&*m.src).or_default();
        if f.len() < cap {
            f.push(m);
        }
        let t = to.entry(&*m.dst).or_default();
        if t.len() < cap {
            t.push(m);
        }
        let t_full = t.len() >= cap;
        last_full = t_full && from.get(&*m.src).is_some_and(|f| f.len() >= cap);
        let format = analysis
            .files
            .get(m.file as usize)
            .map(|f| f.format.point_of_view());
        let (local, remote) = match m.direction {
            Direction::Sent => (&*m.src, &*m.dst),
            Direction::Received => (&*m.dst, &*m.src),
            Direction::Unknown => continue,
        };
        match format {
            Some(PointOfView::Client) => {
                client_local.insert(local);
                client_remote.insert(remote);
            }
            Some(PointOfView::Server) => {
                server_local.insert(local);
                server_remote.insert(remote);
            }
            _ => {}
        }
    }
    let none: Vec<&Msg> = Vec::new();
    let parsed = Parsed::read(analysis, from.values().chain(to.values()));
    let mut out = Vec::new();
    for key in order {
        if key == "?" {
            continue;
        }
        let f = from.get(key).unwrap_or(&none);
        let t = to.get(key).unwrap_or(&none);
        let name = if client_local.contains(key) {
            client_name(&parsed, f, t, true)
        } else if server_local.contains(key) {
            own_route(&parsed, f)
                .or_else(|| fe_named_like(&parsed, key, f, t))
                .or_else(|| bridges_networks(f, t).then(|| format!("Edge server {key}")))
                .or_else(|| Some(format!("Server {key}")))
        } else if client_remote.contains(key) {
            server_name(&parsed, f, t, false)
        } else {
            client_name(&parsed, f, t, false)
                .or_else(|| own_route(&parsed, f))
                .or_else(|| server_name(&parsed, f, t, server_remote.contains(key)))
        };
        if let Some(n) = name {
            out.push((key.to_string(), format!("{n}\n{key}")));
        }
    }
    out
}

/// The messages looked at, read back and parsed once, in file order (the naming rules look at each several
/// times, endpoint by endpoint: read there, a big trace was read back many times over, in jumps). Each is kept
/// as its start line and the headers the rules read ([`CLUES`]), not its whole text: a server trace's endpoints
/// are looked at through tens of thousands of messages.
struct Parsed<'a> {
    analysis: &'a Analysis,
    by_seq: FxMap<u32, Rc<Message>>,
}

/// The headers the naming rules read.
const CLUES: [&str; 13] = [
    "Via",
    "From",
    "To",
    "CSeq",
    "Contact",
    "Record-Route",
    "Route",
    "User-Agent",
    "Server",
    "ms-user-logon-data",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Authentication-Info",
];

impl<'a> Parsed<'a> {
    fn read<'m>(
        analysis: &'a Analysis,
        lists: impl Iterator<Item = &'m Vec<&'m Msg>>,
    ) -> Parsed<'a> {
        let mut all: Vec<&Msg> = lists.flatten().copied().collect();
        all.sort_by_key(|m| (m.file, m.seq));
        all.dedup_by_key(|m| m.seq);
        let by_seq = all
            .iter()
            .map(|m| (m.seq, Rc::new(clues(&analysis.sip_of(m)))))
            .collect();
        Parsed { analysis, by_seq }
    }

    fn sip(&self, m: &Msg) -> Rc<Message> {
        match self.by_seq.get(&m.seq) {
            Some(p) => Rc::clone(p),
            None => self.analysis.sip_of(m),
        }
    }

    fn syms(&self) -> &crate::base::intern::Interner {
        self.analysis.syms()
    }
}

/// `sip` reduced to its start line and the [`CLUES`] headers, in their order (values unfolded).
fn clues(sip: &Message) -> Message {
    let mut raw = sip.start_line().into_bytes();
    raw.extend_from_slice(b"\r\n");
    for h in &sip.headers {
        let name = sip.name(h);
        if CLUES.iter().any(|c| crate::sip::name_matches(name, c)) {
            raw.extend_from_slice(name.as_bytes());
            raw.extend_from_slice(b": ");
            raw.extend_from_slice(sip.value(h).as_bytes());
            raw.extend_from_slice(b"\r\n");
        }
    }
    raw.extend_from_slice(b"\r\n");
    crate::sip::parse_message(raw).unwrap_or_else(|_| sip.clone())
}

/// The role of a proxy from the top Record-Route of the requests it sends: a proxy that record-routes puts
/// itself on top (RFC 3261 §16.6), so that entry is its own.
fn own_route(a: &Parsed<'_>, from_it: &[&Msg]) -> Option<String> {
    for m in from_it {
        if !m.brief.is_request() {
            continue;
        }
        let sip = a.sip(m);
        let Some(rr) = sip.header("Record-Route") else {
            continue;
        };
        let Some(top) = super::util::comma_list(&rr).into_iter().next() else {
            continue;
        };
        let u = parse_uri(&uri_of(&top));
        let opaque = u.param("opaque").unwrap_or("").to_ascii_lowercase();
        if opaque.starts_with("state:") || u.has("ms-edge-route") {
            return Some(format!("Access Edge {}", u.host));
        }
        if let Some(fe) = u.param("ms-fe") {
            return Some(front_end(fe, &u.host));
        }
    }
    None
}

/// `Front End FE01.limcm.com` for a server trace of machine `FE01` when some `ms-fe=` names it.
fn fe_named_like(a: &Parsed<'_>, key: &str, from_it: &[&Msg], to_it: &[&Msg]) -> Option<String> {
    let machine = key.split(['.', ':']).next().unwrap_or(key);
    // The authentication target of the messages it signs (Authentication-Info, challenges).
    for m in from_it {
        for name in [
            "Authentication-Info",
            "WWW-Authenticate",
            "Proxy-Authenticate",
        ] {
            for v in a.sip(m).headers_named(name) {
                let (_, p) = auth_params(&v);
                if let Some(t) = find(&p, "targetname") {
                    let fqdn = t.trim_start_matches("sip/");
                    if fqdn
                        .split('.')
                        .next()
                        .unwrap_or("")
                        .eq_ignore_ascii_case(machine)
                    {
                        return Some(format!("Front End {fqdn}"));
                    }
                }
            }
        }
    }
    for m in from_it.iter().chain(to_it.iter()) {
        for name in ["Record-Route", "Route", "Contact"] {
            for v in a.sip(m).headers_named(name) {
                for entry in super::util::comma_list(&v) {
                    let u = parse_uri(&uri_of(&entry));
                    if let Some(fe) = u.param("ms-fe") {
                        let first = fe.split('.').next().unwrap_or(fe);
                        if first.eq_ignore_ascii_case(machine) {
                            return Some(front_end(fe, &u.host));
                        }
                    }
                }
            }
        }
    }
    None
}

/// A server that talks both to public and to private IPv4 peers sits at the network edge.
fn bridges_networks(from_it: &[&Msg], to_it: &[&Msg]) -> bool {
    let (mut public, mut private) = (false, false);
    for m in from_it {
        note_peer(&m.dst, &mut public, &mut private);
    }
    for m in to_it {
        note_peer(&m.src, &mut public, &mut private);
    }
    public && private
}

fn note_peer(peer: &str, public: &mut bool, private: &mut bool) {
    let (host, _) = super::util::split_host_port(peer);
    match super::util::is_private_ipv4(&host) {
        Some(true) => *private = true,
        Some(false) => *public = true,
        None => {}
    }
}

fn front_end(fe: &str, host: &str) -> String {
    if fe.eq_ignore_ascii_case(host) || super::util::is_ip(host) || host.is_empty() {
        format!("Front End {fe}")
    } else {
        format!("Front End {fe} (pool {host})")
    }
}

/// Messages looked at per endpoint and direction: an endpoint's role shows in its first messages, and each one
/// looked at is read back from the file (5,000 read back half of a 210 MB client log; in a big server trace an
/// endpoint's messages are spread over the whole file).
const PER_ENDPOINT: usize = 300;

/// Messages looked at in all, at most: a server trace or capture names a thousand endpoints or more, and 300
/// for each was most of a 200 MB trace parsed at once (half a second, and the page's memory on a 2 GB one).
const LOOKED_AT: usize = 20_000;

/// Messages looked at per endpoint and direction for this analysis: [`PER_ENDPOINT`], or the largest number
/// that keeps the messages looked at within [`LOOKED_AT`] (endpoints with fewer messages leave their share to
/// the busy ones, the servers), but never fewer than [`PER_ENDPOINT_MIN`].
fn per_endpoint(analysis: &Analysis) -> usize {
    let mut counts: FxMap<(&str, bool), usize> = FxMap::default();
    for m in &analysis.messages {
        *counts.entry((&*m.src, true)).or_default() += 1;
        *counts.entry((&*m.dst, false)).or_default() += 1;
    }
    let looked_at = |cap: usize| counts.values().map(|&n| n.min(cap)).sum::<usize>();
    if looked_at(PER_ENDPOINT) <= LOOKED_AT {
        return PER_ENDPOINT;
    }
    // The largest cap that fits: looked_at grows with the cap.
    let (mut lo, mut hi) = (PER_ENDPOINT_MIN, PER_ENDPOINT);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if looked_at(mid) <= LOOKED_AT {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// Messages looked at per endpoint and direction however many endpoints there are.
const PER_ENDPOINT_MIN: usize = 8;

fn is_client_product(ua: &str) -> bool {
    let l = ua.to_ascii_lowercase();
    l.split_whitespace()
        .any(|w| w.starts_with("uccapi/") || w.starts_with("oc/"))
        || l.contains("communicator")
        || l.contains("lync")
        || l.contains("skype for business")
}

/// The user of the client at `key`: From of the requests it sends (REGISTER first). When `known` is false the
/// endpoint must also show a client User-Agent.
fn client_name(a: &Parsed<'_>, from_it: &[&Msg], to_it: &[&Msg], known: bool) -> Option<String> {
    let sent: Vec<&Msg> = from_it
        .iter()
        .copied()
        .filter(|m| m.brief.is_request())
        .collect();
    // Outside a client log, only requests that come straight from a user agent (one Via) count: a proxy
    // forwards other clients' requests with their User-Agent.
    let sent: Vec<&Msg> = if known {
        sent
    } else {
        sent.into_iter()
            .filter(|m| {
                let sip = a.sip(m);
                sip.headers_named("Via")
                    .map(|v| super::util::comma_list(&v).len())
                    .sum::<usize>()
                    == 1
                    && sip
                        .header("User-Agent")
                        .is_some_and(|u| is_client_product(&u))
            })
            .collect()
    };
    if !known && sent.is_empty() {
        return None;
    }
    let from_user = |m: &Message| m.header("From").and_then(|f| user_of(&uri_of(&f)));
    let user = sent
        .iter()
        .find(|m| {
            m.brief
                .method
                .is_some_and(|x| a.syms().get(x).eq_ignore_ascii_case("REGISTER"))
        })
        .and_then(|m| from_user(&a.sip(m)))
        .or_else(|| {
            // Most frequent From user of the requests it sends (NOTIFY answers aside).
            let mut counts: Vec<(String, usize)> = Vec::new();
            for m in &sent {
                if let Some(u) = from_user(&a.sip(m)) {
                    match counts.iter_mut().find(|(x, _)| *x == u) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((u, 1)),
                    }
                }
            }
            counts.into_iter().max_by_key(|(_, n)| *n).map(|(u, _)| u)
        })
        .or_else(|| {
            // A client that only answers: the To of the requests it receives.
            to_it
                .iter()
                .filter(|m| m.brief.is_request())
                .find_map(|m| a.sip(m).header("To").and_then(|t| user_of(&uri_of(&t))))
        });
    match user {
        Some(u) => Some(format!("{u} client")),
        None if known => Some("client".into()),
        None => None,
    }
}

/// Name a server endpoint from what the messages it sends (and the messages to it) show. `fe_first`: look for
/// Front End signs before Edge signs (a peer seen from a server trace, where every dialog's route shows the
/// Edge too).
fn server_name(a: &Parsed<'_>, from_it: &[&Msg], to_it: &[&Msg], fe_first: bool) -> Option<String> {
    // Access Edge: a route entry with opaque=state: / ms-edge-route names it.
    let mut edge_host: Option<String> = None;
    let mut remote_user = false;
    let mut fe: Option<(String, String)> = None; // (ms-fe, host)
    let mut target: Option<String> = None;
    let mut redirects = false;
    let mut rtc_server = false;
    for m in from_it.iter().chain(to_it.iter()) {
        let sip = a.sip(m);
        for name in ["Record-Route", "Route"] {
            for v in sip.headers_named(name) {
                for entry in super::util::comma_list(&v) {
                    let u = parse_uri(&uri_of(&entry));
                    let opaque = u.param("opaque").unwrap_or("").to_ascii_lowercase();
                    if (opaque.starts_with("state:") || u.has("ms-edge-route"))
                        && edge_host.is_none()
                    {
                        edge_host = Some(u.host.clone());
                    }
                    if let Some(f) = u.param("ms-fe") {
                        if fe.is_none() {
                            fe = Some((f.to_string(), u.host.clone()));
                        }
                    }
                }
            }
        }
    }
    for m in from_it {
        let sip = a.sip(m);
        if sip
            .header("ms-user-logon-data")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("RemoteUser"))
        {
            remote_user = true;
        }
        if sip
            .header("Server")
            .is_some_and(|s| s.trim_start().to_ascii_uppercase().starts_with("RTC/"))
        {
            rtc_server = true;
        }
        if sip.status().is_some_and(|s| (300..400).contains(&s))
            && sip
                .cseq_method()
                .is_some_and(|x| x.eq_ignore_ascii_case("REGISTER"))
        {
            redirects = true;
        }
        if let Some(c) = sip.header("Contact") {
            let u = parse_uri(&uri_of(&c));
            if let Some(f) = u.param("ms-fe") {
                if fe.is_none() {
                    fe = Some((f.to_string(), u.host.clone()));
                }
            }
        }
        for name in [
            "WWW-Authenticate",
            "Proxy-Authenticate",
            "Authentication-Info",
        ] {
            for v in sip.headers_named(name) {
                let (_, p) = auth_params(&v);
                if let Some(t) = find(&p, "targetname").filter(|t| !t.is_empty()) {
                    if target.is_none() {
                        target = Some(t.trim_start_matches("sip/").to_string());
                    }
                }
            }
        }
    }
    if redirects {
        return Some(match target.or(fe.map(|(f, _)| f)) {
            Some(t) => format!("Director {t}"),
            None => "Director".into(),
        });
    }
    if fe_first {
        if let Some((f, host)) = &fe {
            return Some(front_end(f, host));
        }
        if let Some(t) = &target {
            return Some(format!("Front End {t}"));
        }
    }
    if let Some(e) = edge_host {
        return Some(format!("Access Edge {e}"));
    }
    if remote_user {
        return Some("Access Edge".into());
    }
    if let Some((f, host)) = fe {
        return Some(front_end(&f, &host));
    }
    if let Some(t) = target {
        return Some(format!("Front End {t}"));
    }
    if rtc_server {
        return Some("Skype for Business / Lync server".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uccapilog(messages: &[(&str, &str)]) -> Vec<u8> {
        let mut out = String::new();
        for (dir, sip) in messages {
            let sip = sip.replace('\n', "\r\n");
            let n = sip.len();
            let (open, close) = if *dir == "send" {
                (
                    format!("Sending Packet - 192.168.1.7:5061 (From Local Address: 192.168.10.54:50112) {n} bytes:"),
                    format!("End of Sending Packet - 192.168.1.7:5061 (From Local Address: 192.168.10.54:50112) {n} bytes"),
                )
            } else {
                (
                    format!("Data Received -192.168.1.7:5061 (To Local Address: 192.168.10.54:50112) {n} bytes:"),
                    format!("End of Data Received -192.168.1.7:5061 (To Local Address: 192.168.10.54:50112) {n} bytes"),
                )
            };
            out.push_str(&format!(
                "04/03/2018|09:02:10.402 1EC:1F0 INFO  :: {open}\r\n"
            ));
            let mut lines = sip.split("\r\n");
            out.push_str(&format!(
                "04/03/2018|09:02:10.402 1EC:1F0 INFO  :: {}\r\n",
                lines.next().unwrap_or("")
            ));
            out.push_str(&lines.collect::<Vec<_>>().join("\r\n"));
            out.push_str(&format!(
                "04/03/2018|09:02:10.402 1EC:1F0 INFO  :: {close}\r\n"
            ));
        }
        out.into_bytes()
    }

    #[test]
    fn internal_sign_in_names_client_and_front_end() {
        let bytes = uccapilog(&[
            ("send", "REGISTER sip:limcm.com SIP/2.0\nVia: SIP/2.0/TLS 192.168.10.54:50112\nFrom: <sip:on2@limcm.com>;tag=1;epid=2\nTo: <sip:on2@limcm.com>\nCall-ID: c\nCSeq: 1 REGISTER\nContent-Length: 0\n\n"),
            ("recv", "SIP/2.0 401 Unauthorized\nWWW-Authenticate: Kerberos realm=\"SIP Communications Service\", targetname=\"sip/FE01.limcm.com\", version=4\nVia: SIP/2.0/TLS 192.168.10.54:50112\nFrom: <sip:on2@limcm.com>;tag=1;epid=2\nTo: <sip:on2@limcm.com>;tag=3\nCall-ID: c\nCSeq: 1 REGISTER\nServer: RTC/6.0\nContent-Length: 0\n\n"),
        ]);
        let a = Analysis::of_files([("u.uccapilog", bytes.as_slice())]);
        assert_eq!(a.messages.len(), 2, "{:?}", a.diagnostics);
        let names = lifeline_names(&a);
        assert_eq!(
            names,
            vec![
                (
                    "192.168.10.54:50112".to_string(),
                    "on2 client\n192.168.10.54:50112".to_string()
                ),
                (
                    "192.168.1.7:5061".to_string(),
                    "Front End FE01.limcm.com\n192.168.1.7:5061".to_string()
                ),
            ]
        );
    }

    #[test]
    fn director_redirect() {
        let bytes = uccapilog(&[
            ("send", "REGISTER sip:limcm.com SIP/2.0\nVia: SIP/2.0/TLS 192.168.10.54:50112\nFrom: <sip:on2@limcm.com>;tag=1;epid=2\nTo: <sip:on2@limcm.com>\nCall-ID: c\nCSeq: 1 REGISTER\nContent-Length: 0\n\n"),
            ("recv", "SIP/2.0 301 Redirect request to Home Server\nVia: SIP/2.0/TLS 192.168.10.54:50112\nFrom: <sip:on2@limcm.com>;tag=1;epid=2\nTo: <sip:on2@limcm.com>;tag=3\nCall-ID: c\nCSeq: 1 REGISTER\nContact: <sip:pool2.limcm.com:5061;transport=tls>\nAuthentication-Info: NTLM targetname=\"dir01.limcm.com\", snum=\"1\"\nContent-Length: 0\n\n"),
        ]);
        let a = Analysis::of_files([("u.uccapilog", bytes.as_slice())]);
        let names = lifeline_names(&a);
        assert_eq!(names[1].1, "Director dir01.limcm.com\n192.168.1.7:5061");
    }

    /// ngrep text of `clients` Skype for Business clients (10.1.x.y) each signing in `rounds` times to one
    /// Front End (10.0.0.7), which answers with its Kerberos targetname.
    fn many_clients(clients: u32, rounds: u32) -> Vec<u8> {
        let mut out = String::new();
        for c in 0..clients {
            let addr = format!("10.1.{}.{}:50{:03}", c / 250, c % 250 + 1, c % 1000);
            for r in 0..rounds {
                let common = format!("Via: SIP/2.0/TLS {addr};branch=z9hG4bK{c}x{r};ms-received-port=50112\nFrom: <sip:user{c}@contoso.com>;tag={c}t{r};epid=5f2c{c}\nTo: <sip:user{c}@contoso.com>\nCall-ID: reg{c}x{r}\nCSeq: {} REGISTER\n", r + 1);
                out.push_str(&format!(
                    "U 2019/01/30 10:29:28.316451 {addr} -> 10.0.0.7:5061\nREGISTER sip:contoso.com SIP/2.0\n{common}User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)\nContact: <sip:{addr};transport=tls;ms-opaque=d3470f2e1d>\nContent-Length: 0\n\n"
                ));
                out.push_str(&format!(
                    "U 2019/01/30 10:29:28.416451 10.0.0.7:5061 -> {addr}\nSIP/2.0 401 Unauthorized\n{common}WWW-Authenticate: Kerberos realm=\"SIP Communications Service\", targetname=\"sip/fe01.contoso.com\", version=4\nServer: RTC/7.0\nContent-Length: 0\n\n"
                ));
            }
        }
        out.into_bytes()
    }

    #[test]
    fn a_trace_of_thousands_of_endpoints_is_named_from_a_bounded_number_of_messages() {
        // Few endpoints: every one looked at through up to PER_ENDPOINT messages.
        let a = Analysis::of_files([("few.txt", many_clients(3, 40).as_slice())]);
        assert_eq!(a.messages.len(), 240, "{:?}", a.diagnostics);
        assert_eq!(per_endpoint(&a), PER_ENDPOINT);
        // 4,000 clients: the clients' own messages are more than LOOKED_AT; every endpoint gets the floor.
        let a = Analysis::of_files([("many.txt", many_clients(4000, 3).as_slice())]);
        assert_eq!(a.messages.len(), 24_000, "{:?}", a.diagnostics);
        assert_eq!(per_endpoint(&a), PER_ENDPOINT_MIN);
        // 2,450 clients signing in 4 times: 19,600 messages to and from the clients, all looked at; the Front
        // End gets the rest of LOOKED_AT, 200 each way.
        let a = Analysis::of_files([("some.txt", many_clients(2450, 4).as_slice())]);
        assert_eq!(per_endpoint(&a), 200);
        // Still named: every client from its REGISTER, the server from its targetname.
        let names: FxMap<String, String> = lifeline_names(&a).into_iter().collect();
        assert_eq!(names.len(), 2451);
        assert_eq!(
            names["10.0.0.7:5061"],
            "Front End fe01.contoso.com\n10.0.0.7:5061"
        );
        assert_eq!(
            names["10.1.9.200:50449"],
            "user2449 client\n10.1.9.200:50449"
        );
    }

    #[test]
    fn nothing_known_nothing_named() {
        let a = Analysis::of_files([("empty.txt", &b""[..])]);
        assert!(lifeline_names(&a).is_empty());
    }
}
