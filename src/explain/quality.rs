//! Call quality reports: the `VQReportEvent` a Skype for Business client sends in a SERVICE
//! (`application/vq-rtcpxr+xml`, [MS-QoE]) when a call ends — per media line the connectivity (ICE result and its
//! warning flags, relay, network type, VPN, inside or outside), devices, and per direction jitter, loss,
//! burst/gap, delay, concealed samples and the MOS estimates — read even when the log cut the report off, and
//! linked to its call by the report's dialog identifiers (`DialogInfo` `CallId`, `FromTag`, `ToTag`).
//!
//! Poor values, by the thresholds Microsoft's Call Quality Dashboard uses to classify an audio stream as poor
//! ("Stream classification in Call Quality Dashboard", learn.microsoft.com/microsoftteams/
//! stream-classification-in-call-quality-dashboard): network MOS degradation average > 1.0, round trip > 500 ms,
//! packet loss rate > 0.1, jitter > 30 ms, ratio of concealed samples > 0.07. Any one makes the stream poor.

use super::diagnostics::payload::ice_warnings;
use super::xml::{self, Element};
use crate::sip::{body, Message};

/// [`POOR`]'s thresholds: (metric, limit, what it is). A value above its limit makes a stream poor.
pub const POOR: &[(Metric, f64, &str)] = &[
    (
        Metric::Degradation,
        1.0,
        "network MOS degradation above 1.0",
    ),
    (Metric::RoundTrip, 500.0, "round trip above 500 ms"),
    (Metric::Loss, 0.1, "packet loss above 10 %"),
    (Metric::Jitter, 30.0, "jitter above 30 ms"),
    (Metric::Concealed, 0.07, "concealed samples above 7 %"),
];

/// The metrics the thresholds read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Degradation,
    RoundTrip,
    Loss,
    Jitter,
    Concealed,
}

/// One direction of a media line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stream {
    /// `SILK/16000`.
    pub codec: Option<String>,
    /// Average inter-arrival jitter, and its maximum (ms).
    pub jitter: Option<f64>,
    pub jitter_max: Option<f64>,
    /// Packet loss rate (0–1), and its maximum.
    pub loss: Option<f64>,
    pub loss_max: Option<f64>,
    pub burst_density: Option<f64>,
    pub burst_duration: Option<f64>,
    pub gap_density: Option<f64>,
    pub gap_duration: Option<f64>,
    /// Round trip (ms), and its maximum.
    pub round_trip: Option<f64>,
    pub round_trip_max: Option<f64>,
    /// Relative one-way delay, average (s, as reported).
    pub one_way_delay: Option<f64>,
    /// Ratio of concealed samples (0–1).
    pub concealed: Option<f64>,
    /// Listening MOS: received (inbound) or sent (outbound), and its minimum.
    pub listen_mos: Option<f64>,
    pub listen_mos_min: Option<f64>,
    /// Network MOS: overall average and minimum; degradation average.
    pub network_mos: Option<f64>,
    pub network_mos_min: Option<f64>,
    pub degradation: Option<f64>,
    pub packets: Option<f64>,
}

impl Stream {
    fn metric(&self, m: Metric) -> Option<f64> {
        match m {
            Metric::Degradation => self.degradation,
            Metric::RoundTrip => self.round_trip,
            Metric::Loss => self.loss,
            Metric::Jitter => self.jitter,
            Metric::Concealed => self.concealed,
        }
    }

    /// The thresholds this stream crosses, in [`POOR`]'s words.
    pub fn poor(&self) -> Vec<&'static str> {
        POOR.iter()
            .filter(|(m, limit, _)| self.metric(*m).is_some_and(|v| v > *limit))
            .map(|(_, _, what)| *what)
            .collect()
    }
}

/// One media line of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QualityMedia {
    /// `main-audio`, `main-video`, `applicationsharing`…
    pub label: String,
    /// ICE's result: `DIRECT`, `RELAY`, `HTTP_PROXY`, `FAILED`…
    pub ice: Option<String>,
    pub ice_warning_flags: Option<u32>,
    /// Each set flag's meaning ([MS-QoE] §2.2.1.7.1).
    pub ice_warnings: Vec<String>,
    /// The A/V Edge relay used (`address:port`).
    pub relay: Option<String>,
    pub security: Option<String>,
    pub transport: Option<String>,
    /// `wired`, `wifi`…, and the details (`WiFi`, `Ethernet`).
    pub network: Option<String>,
    pub vpn: Option<bool>,
    pub link_speed: Option<f64>,
    /// The local address is inside the organisation's network.
    pub inside: Option<bool>,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub capture_device: Option<String>,
    pub render_device: Option<String>,
    pub inbound: Stream,
    pub outbound: Stream,
    pub conversational_mos: Option<f64>,
}

/// A quality report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QualityReport {
    /// The SERVICE that carries it.
    pub msg: u32,
    /// Why the report is incomplete (cut off, not well-formed), when it is.
    pub truncated: Option<String>,
    pub call_id: Option<String>,
    pub from_tag: Option<String>,
    pub to_tag: Option<String>,
    pub from_uri: Option<String>,
    pub to_uri: Option<String>,
    /// The reporting endpoint was the caller.
    pub caller: Option<bool>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// The reporting machine's name.
    pub endpoint: Option<String>,
    pub media: Vec<QualityMedia>,
}

/// The quality reports a message carries (one per `VQReportEvent` part).
pub fn reports(msg: u32, m: &Message) -> Vec<QualityReport> {
    body::parts(m)
        .into_iter()
        .filter(|p| {
            body::media_type(&p.content_type) == "application/vq-rtcpxr+xml"
                || p.text.trim_start().starts_with("<?xml") && p.text.contains("<VQReportEvent")
        })
        .filter_map(|p| report(msg, &p.text))
        .collect()
}

fn num(e: &Element, name: &str) -> Option<f64> {
    e.text_of(name)?.trim().parse().ok()
}

fn flag(e: &Element, name: &str) -> Option<bool> {
    match e.text_of(name)?.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn addr(e: Option<&Element>) -> Option<String> {
    let e = e?;
    let ip = e.text_of("IPAddr")?;
    Some(match e.text_of("Port") {
        Some(p) => format!("{ip}:{p}"),
        None => ip,
    })
}

/// One report from its XML text; `None` when it holds no `VQReportEvent`.
pub fn report(msg: u32, text: &str) -> Option<QualityReport> {
    let doc = xml::parse(text);
    let root = doc.root?;
    if !root.name.eq_ignore_ascii_case("VQReportEvent") {
        return None;
    }
    Some(QualityReport {
        msg,
        truncated: doc.error,
        ..from_root(&root)
    })
}

/// A report from its parsed `VQReportEvent` element (no message, nothing said about truncation).
pub fn from_root(root: &Element) -> QualityReport {
    let session = root.find("VQSessionReport");
    let dialog = session.and_then(|s| s.child("DialogInfo"));
    let media = session
        .map(|s| s.children_named("MediaLine").map(media_line).collect())
        .unwrap_or_default();
    QualityReport {
        msg: 0,
        truncated: None,
        call_id: dialog.and_then(|d| d.attr("CallId")).map(str::to_string),
        from_tag: dialog.and_then(|d| d.attr("FromTag")).map(str::to_string),
        to_tag: dialog.and_then(|d| d.attr("ToTag")).map(str::to_string),
        from_uri: dialog.and_then(|d| d.text_of("FromURI")),
        to_uri: dialog.and_then(|d| d.text_of("ToURI")),
        caller: dialog.and_then(|d| flag(d, "Caller")),
        start: dialog.and_then(|d| d.attr("Start")).map(str::to_string),
        end: dialog.and_then(|d| d.attr("End")).map(str::to_string),
        endpoint: session
            .and_then(|s| s.child("Endpoint"))
            .and_then(|e| e.attr("Name"))
            .map(str::to_string),
        media,
    }
}

/// A report for people: a title and one line per media line and direction, poor values named.
pub fn summary(r: &QualityReport) -> (String, Vec<String>) {
    let labels: Vec<&str> = r.media.iter().map(|m| m.label.as_str()).collect();
    let title = if labels.is_empty() {
        "Call quality report (no media line read)".to_string()
    } else {
        format!("Call quality report: {}", labels.join(", "))
    };
    let mut lines = Vec::new();
    if let (Some(from), Some(to)) = (&r.from_uri, &r.to_uri) {
        let who = if r.caller == Some(false) {
            "callee"
        } else {
            "caller"
        };
        lines.push(format!(
            "The call {from} → {to}, reported by the {who}{}.",
            r.endpoint
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ));
    }
    let f = |v: Option<f64>, unit: &str| v.map(|v| format!("{v}{unit}"));
    let pct = |v: Option<f64>| v.map(|v| format!("{:.1} %", v * 100.0));
    for m in &r.media {
        let mut conn = Vec::new();
        conn.extend(m.ice.as_ref().map(|i| format!("ICE {i}")));
        conn.extend(m.relay.as_ref().map(|r| format!("relay {r}")));
        conn.extend(m.transport.clone());
        conn.extend(m.security.clone());
        conn.extend(m.network.as_ref().map(|n| format!("network {n}")));
        if m.vpn == Some(true) {
            conn.push("VPN".into());
        }
        conn.extend(m.inside.map(|i| {
            if i {
                "inside".to_string()
            } else {
                "outside".to_string()
            }
        }));
        if let Some(flags) = m.ice_warning_flags.filter(|f| *f != 0) {
            conn.push(format!(
                "ICE warnings 0x{flags:X}: {}",
                m.ice_warnings.join(", ")
            ));
        }
        lines.push(format!("{}: {}.", m.label, conn.join("; ")));
        if m.capture_device.is_some() || m.render_device.is_some() {
            lines.push(format!(
                "{} devices: capture {}, render {}.",
                m.label,
                m.capture_device.as_deref().unwrap_or("?"),
                m.render_device.as_deref().unwrap_or("?")
            ));
        }
        for (dir, s) in [("received", &m.inbound), ("sent", &m.outbound)] {
            let parts: Vec<String> = [
                s.codec.clone(),
                f(s.listen_mos, "").map(|v| format!("listening MOS {v}")),
                f(s.network_mos, "").map(|v| format!("network MOS {v}")),
                f(s.degradation, "").map(|v| format!("degradation {v}")),
                f(s.jitter, " ms").map(|v| format!("jitter {v}")),
                pct(s.loss).map(|v| format!("loss {v}")),
                f(s.round_trip, " ms").map(|v| format!("round trip {v}")),
                f(s.one_way_delay, " s").map(|v| format!("one-way delay {v}")),
                pct(s.burst_density).map(|v| format!("burst density {v}")),
                pct(s.concealed).map(|v| format!("concealed {v}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if parts.is_empty() {
                continue;
            }
            let poor = s.poor();
            let verdict = if poor.is_empty() {
                String::new()
            } else {
                format!(" — poor: {}", poor.join(", "))
            };
            lines.push(format!("{} {dir}: {}{verdict}.", m.label, parts.join(", ")));
        }
        if let Some(c) = m.conversational_mos {
            lines.push(format!("{} conversational MOS {c}.", m.label));
        }
    }
    (title, lines)
}

fn media_line(m: &Element) -> QualityMedia {
    let desc = m.child("Description");
    let conn = desc.and_then(|d| d.child("Connectivity"));
    let net = desc.and_then(|d| d.child("NetworkConnectivityInfo"));
    let flags = conn
        .and_then(|c| c.text_of("IceWarningFlags"))
        .and_then(|t| {
            let t = t.trim().to_string();
            t.strip_prefix("0x")
                .map_or_else(|| t.parse().ok(), |h| u32::from_str_radix(h, 16).ok())
        });
    let network = net.and_then(|n| {
        let kind = n.text_of("NetworkConnection")?;
        Some(match n.text_of("NetworkConnectionDetails") {
            Some(d) if !d.eq_ignore_ascii_case(&kind) => format!("{kind} ({d})"),
            _ => kind,
        })
    });
    QualityMedia {
        label: m.attr("Label").unwrap_or("").to_string(),
        ice: conn.and_then(|c| c.text_of("Ice")),
        ice_warning_flags: flags,
        ice_warnings: flags
            .and_then(|f| ice_warnings(&f.to_string()))
            .unwrap_or_default(),
        relay: addr(conn.and_then(|c| c.child("RelayAddress"))),
        security: desc.and_then(|d| d.text_of("Security")),
        transport: desc.and_then(|d| d.text_of("Transport")),
        network,
        vpn: net.and_then(|n| flag(n, "VPN")),
        link_speed: net.and_then(|n| num(n, "LinkSpeed")),
        inside: desc
            .and_then(|d| d.child("LocalAddr"))
            .and_then(|l| flag(l, "Inside")),
        local: addr(desc.and_then(|d| d.child("LocalAddr"))),
        remote: addr(desc.and_then(|d| d.child("RemoteAddr"))),
        capture_device: desc
            .and_then(|d| d.child("CaptureDev"))
            .and_then(|c| c.text_of("Name")),
        render_device: desc
            .and_then(|d| d.child("RenderDev"))
            .and_then(|c| c.text_of("Name")),
        inbound: m.child("InboundStream").map(stream).unwrap_or_default(),
        outbound: m.child("OutboundStream").map(stream).unwrap_or_default(),
        conversational_mos: num(m, "LocalConversationalMOS"),
    }
}

fn stream(s: &Element) -> Stream {
    let net = s.child("Network");
    let n = |name: &str| net.and_then(|e| num(e, name));
    let audio = s.child("Payload").and_then(|p| p.children.first());
    let codec = audio.and_then(|a| {
        let name = a.text_of("PayloadDescription")?;
        Some(match a.text_of("SampleRate") {
            Some(r) => format!("{name}/{r}"),
            None => name,
        })
    });
    let q = s.child("QualityEstimates").and_then(|q| q.children.first());
    let nmos = q.and_then(|q| q.child("NetworkMOS"));
    Stream {
        codec,
        jitter: n("InterArrival"),
        jitter_max: n("InterArrivalMax"),
        loss: n("LossRate"),
        loss_max: n("LossRateMax"),
        burst_density: n("BurstDensity"),
        burst_duration: n("BurstDuration"),
        gap_density: n("GapDensity"),
        gap_duration: n("GapDuration"),
        round_trip: n("RoundTrip"),
        round_trip_max: n("RoundTripMax"),
        one_way_delay: net
            .and_then(|e| e.find("RelativeOneWay"))
            .and_then(|r| num(r, "Average")),
        concealed: n("RatioConcealedSamplesAvg"),
        listen_mos: q.and_then(|q| num(q, "RecvListenMOS").or_else(|| num(q, "SendListenMOS"))),
        listen_mos_min: q
            .and_then(|q| num(q, "RecvListenMOSMin").or_else(|| num(q, "SendListenMOSMin"))),
        network_mos: nmos.and_then(|e| num(e, "OverallAvg")),
        network_mos_min: nmos.and_then(|e| num(e, "OverallMin")),
        degradation: nmos.and_then(|e| num(e, "DegradationAvg")),
        packets: n("Packets"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="utf-8"?><VQReportEvent xmlns="ms-rtcp-metrics" xmlns:v2="ms-rtcp-metrics.v2" xmlns:v3="ms-rtcp-metrics.v3"><VQSessionReport SessionId="f28;from-tag=578;to-tag=d44"><Endpoint Name="CONTOSO-LT042"/><DialogInfo CallId="f28" FromTag="578" ToTag="d44" Start="2019-11-19T19:40:13.0980Z" End="2019-11-19T19:46:37.4180Z"><FromURI>sip:alice@contoso.com</FromURI><ToURI>sip:bob@contoso.com</ToURI><Caller>true</Caller></DialogInfo><MediaLine Label="main-audio"><Description><Connectivity><Ice>RELAY</Ice><IceWarningFlags>16777446</IceWarningFlags><RelayAddress><IPAddr>10.0.20.12</IPAddr><Port>443</Port></RelayAddress></Connectivity><Security>SRTP</Security><Transport>TCP</Transport><NetworkConnectivityInfo><NetworkConnection>wifi</NetworkConnection><VPN>true</VPN><v3:NetworkConnectionDetails>WiFi</v3:NetworkConnectionDetails></NetworkConnectivityInfo><LocalAddr><IPAddr>10.250.4.17</IPAddr><Port>21040</Port><Inside>true</Inside></LocalAddr><CaptureDev><Name>Headset Microphone</Name></CaptureDev></Description><InboundStream><Network><Jitter><InterArrival>52</InterArrival></Jitter><PacketLoss><LossRate>0.1320</LossRate></PacketLoss><Delay><v3:RelativeOneWay><v3:Average>0.4120</v3:Average></v3:RelativeOneWay></Delay><v2:RatioConcealedSamplesAvg>0.1420</v2:RatioConcealedSamplesAvg></Network><Payload><Audio><PayloadDescription>SILK</PayloadDescription><SampleRate>16000</SampleRate></Audio></Payload><QualityEstimates><Audio><RecvListenMOS>2.05</RecvListenMOS><NetworkMOS><OverallAvg>2.21</OverallAvg><DegradationAvg>1.74</DegradationAvg></NetworkMOS></Audio></QualityEstimates></InboundStream><OutboundStream><Network><Delay><RoundTrip>612</RoundTrip></Delay></Network><QualityEstimates><Audio><SendListenMOS>2.88</SendListenMOS></Audio></QualityEstimates></OutboundStream><LocalConversationalMOS>2.10</LocalConversationalMOS></MediaLine></VQSessionReport></VQReportEvent>"#;

    #[test]
    fn a_poor_wifi_vpn_call() {
        let r = report(7, REPORT).unwrap();
        assert_eq!(r.truncated, None);
        assert_eq!(
            (r.call_id.as_deref(), r.to_tag.as_deref()),
            (Some("f28"), Some("d44"))
        );
        assert_eq!(r.caller, Some(true));
        let m = &r.media[0];
        assert_eq!(m.label, "main-audio");
        assert_eq!(m.ice.as_deref(), Some("RELAY"));
        assert_eq!(m.relay.as_deref(), Some("10.0.20.12:443"));
        assert_eq!(m.network.as_deref(), Some("wifi"));
        assert_eq!((m.vpn, m.inside), (Some(true), Some(true)));
        assert_eq!(m.ice_warning_flags, Some(16_777_446));
        assert!(m
            .ice_warnings
            .iter()
            .any(|w| w == "UDP NAT connectivity failed"));
        let i = &m.inbound;
        assert_eq!(i.codec.as_deref(), Some("SILK/16000"));
        assert_eq!(
            (i.jitter, i.loss, i.degradation),
            (Some(52.0), Some(0.132), Some(1.74))
        );
        assert_eq!(i.one_way_delay, Some(0.412));
        assert_eq!(i.listen_mos, Some(2.05));
        assert_eq!(m.outbound.listen_mos, Some(2.88));
        assert_eq!(m.conversational_mos, Some(2.10));
        assert_eq!(
            i.poor(),
            [
                "network MOS degradation above 1.0",
                "packet loss above 10 %",
                "jitter above 30 ms",
                "concealed samples above 7 %"
            ]
        );
        assert_eq!(m.outbound.poor(), ["round trip above 500 ms"]);
    }

    #[test]
    fn a_report_cut_off_says_so_and_keeps_what_it_read() {
        let cut = &REPORT[..REPORT.find("<Payload>").unwrap()];
        let r = report(3, cut).unwrap();
        assert!(r.truncated.is_some());
        assert_eq!(r.call_id.as_deref(), Some("f28"));
        assert_eq!(r.media[0].inbound.jitter, Some(52.0));
        assert_eq!(r.media[0].inbound.codec, None);
        assert!(report(0, "<other/>").is_none());
        assert!(report(0, "").is_none());
    }
}
