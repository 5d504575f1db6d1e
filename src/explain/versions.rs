//! Product names for User-Agent and Server values: which Lync / Skype for Business client or server sent this.
//!
//! Sources of the version mapping:
//! - Server builds: Skype for Business Server 2015 is build 6.0.9319 ("November 2015 Cumulative Update
//!   (6.0.9319.102) for Skype for Business Server 2015", learn.microsoft.com, Get-CsServerPatchVersion); the
//!   Microsoft advisory CVE-2022-33633 lists Lync Server 2013 as build 8308 (5.0.8308), Skype for Business
//!   Server 2015 as 9319 and Skype for Business Server 2019 as 2046 (7.0.2046). The `RTC/<major>.0` Server
//!   token carries that major version: 4.0 Lync Server 2010, 5.0 Lync Server 2013, 6.0 Skype for Business
//!   Server 2015, 7.0 Skype for Business Server 2019 — and Skype for Business Online, whose Front Ends
//!   (`*.infra.lync.com`) answer `Server: RTC/7.0` in Microsoft's support article "Cannot create a meeting on
//!   behalf of delegate in Skype for Business" (MicrosoftDocs/SupportArticles-docs). 3.5 is Office
//!   Communications Server 2007 R2 and 3.0 OCS 2007 (the products listed in [MS-SIP]/[MS-ICE] Appendix A:
//!   Product Behavior).
//! - Clients: the `OC/<version>` / `UCCAPI/<version>` tokens carry the Office major version: 16.0 is Skype for
//!   Business 2016 and 2019 (Office 2016/2019/365, "How to check the version of Skype for Business 2016",
//!   MicrosoftDocs/SupportArticles-docs), 15.0 Lync 2013 (renamed Skype for Business 2015 by an update, which
//!   then says "(Skype for Business)" in its comment), 4.0 Lync 2010, 3.5 Office Communicator 2007 R2, 2.0
//!   Office Communicator 2007. `RTC/1.3` is the Windows RTC client API of Windows Messenger ([MS-SIP] §3.2.4.2
//!   example `RTC/1.3.5315 (Messenger 5.1.0530)`). `RTCC/<v>` is a server application built on the Unified
//!   Communications Managed API (UCMA docs, "Diagnostics and error reporting": `RTCC/4.0.0.0_ContosoApplication`).
//! - Anything not recognized is named as given.

/// One `product/version` token or `(comment)` of a User-Agent / Server value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Product { name: String, version: String },
    Comment(String),
}

fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('(') {
            // Comments may nest one level: "(Skype for Business (Mac))".
            let mut depth = 1;
            let mut end = after.len();
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            out.push(Token::Comment(after[..end].trim().to_string()));
            rest = after.get(end + 1..).unwrap_or("").trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        match word.split_once('/') {
            Some((n, v)) => out.push(Token::Product {
                name: n.to_string(),
                version: v.to_string(),
            }),
            None => out.push(Token::Product {
                name: word.to_string(),
                version: String::new(),
            }),
        }
        rest = rest[end..].trim_start();
    }
    out
}

fn major_minor(version: &str) -> (u32, u32) {
    let mut it = version.split(['.', '_', '-']);
    let major = it.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let minor = it.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    (major, minor)
}

/// The build after `major.minor.` (`16.0.4849.1000` → `4849.1000`).
fn build(version: &str) -> Option<&str> {
    let mut parts = version.splitn(3, '.');
    parts.next()?;
    parts.next()?;
    parts.next().filter(|b| !b.is_empty())
}

/// The server product for an `RTC/x.y` major version (see the module comment for sources).
pub fn server_product(major: u32, minor: u32) -> Option<&'static str> {
    Some(match (major, minor) {
        (7, _) => "Skype for Business Server 2019 or Skype for Business Online",
        (6, _) => "Skype for Business Server 2015",
        (5, _) => "Lync Server 2013",
        (4, _) => "Lync Server 2010",
        (3, 5) => "Office Communications Server 2007 R2",
        (3, _) => "Office Communications Server 2007",
        _ => return None,
    })
}

/// The client product for an Office/Communicator major.minor version.
fn client_product(major: u32, minor: u32, sfb_comment: bool) -> Option<&'static str> {
    Some(match (major, minor) {
        (16, _) => "Skype for Business 2016/2019 client",
        (15, _) if sfb_comment => "Skype for Business 2015 (Lync 2013) client",
        (15, _) => "Lync 2013 client",
        (4, _) => "Lync 2010 client",
        (3, 5) => "Office Communicator 2007 R2",
        (2, _) => "Office Communicator 2007",
        _ => return None,
    })
}

fn platform(lower: &str) -> Option<&'static str> {
    if lower.contains("ios") || lower.contains("iphone") || lower.contains("ipad") {
        Some("iOS")
    } else if lower.contains("android") {
        Some("Android")
    } else if lower.contains("windows phone")
        || lower.contains("windowsphone")
        || lower.contains("/wp")
    {
        Some("Windows Phone")
    } else if lower.contains("mac") {
        Some("Mac")
    } else {
        None
    }
}

/// Plain-English product description of a User-Agent or Server value.
pub fn describe_product(value: &str) -> String {
    let v = super::util::one_line(value);
    let lower = v.to_ascii_lowercase();
    let toks = tokens(&v);
    let comments: Vec<&str> = toks
        .iter()
        .filter_map(|t| match t {
            Token::Comment(c) => Some(c.as_str()),
            _ => None,
        })
        .collect();
    let product = |name: &str| {
        toks.iter().find_map(|t| match t {
            Token::Product { name: n, version } if n.eq_ignore_ascii_case(name) => {
                Some(version.as_str())
            }
            _ => None,
        })
    };
    let sfb_comment = comments
        .iter()
        .any(|c| c.to_ascii_lowercase().contains("skype for business"));

    // Mac and mobile clients first: their tokens overlap with the desktop ones.
    if lower.contains("skype for business for mac") || lower.contains("sfbmac") {
        return format!("Skype for Business for Mac client ({v})");
    }
    if lower.contains("lync for mac") || lower.contains("maclync") {
        return format!("Lync for Mac 2011 client ({v})");
    }
    if lower.contains("communicator for mac") {
        return format!("Communicator for Mac 2011 client ({v})");
    }
    if lower.starts_with("mslync")
        || lower.contains("lync mobile")
        || lower.contains("lync 2013 mobile")
    {
        let on = platform(&lower)
            .map(|p| format!(" on {p}"))
            .unwrap_or_default();
        return format!("Lync / Skype for Business mobile client{on} ({v})");
    }
    if lower.contains("skype for business mobile") || lower.contains("sfbmobile") {
        let on = platform(&lower)
            .map(|p| format!(" on {p}"))
            .unwrap_or_default();
        return format!("Skype for Business mobile client{on} ({v})");
    }

    // Desktop clients: prefer the OC token (product version), then UCCAPI (the API library).
    if let Some(ver) = product("OC").or_else(|| product("UCCAPI")) {
        let (major, minor) = major_minor(ver);
        if let Some(name) = client_product(major, minor, sfb_comment) {
            let office = match major {
                16 | 15 => format!("Office {major}.{minor}"),
                _ => format!("version {major}.{minor}"),
            };
            let b = build(ver)
                .map(|b| format!(", build {b}"))
                .unwrap_or_default();
            let on = if lower.contains("mac") { " (Mac)" } else { "" };
            return format!("{name}{on} ({office}{b})");
        }
    }
    if lower.contains("microsoft office communicator") || lower.contains("communicator") {
        // "Microsoft Office Communicator 3.5.6907.0" / "…/2.0.6362.0": the version is the last word.
        let ver = v
            .split(|c: char| c.is_whitespace() || c == '/')
            .rfind(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .unwrap_or("");
        let (major, minor) = major_minor(ver);
        if let Some(name) = client_product(major, minor, false) {
            return format!("{name} ({v})");
        }
        return format!("Office Communicator client ({v})");
    }

    // Servers.
    if let Some(ver) = product("RTC") {
        let (major, minor) = major_minor(ver);
        if let Some(name) = server_product(major, minor) {
            return format!("{name} (RTC/{ver})");
        }
        if major == 1 {
            return format!("Windows RTC client API {ver} (Windows Messenger era client)");
        }
    }
    if let Some(ver) = product("RTCC") {
        // RTCC/5.0.0.0 MediationServer, RTCC/4.0.0.0_ContosoApplication
        let (major, minor) = major_minor(ver);
        let app = ver.split_once('_').map(|(_, a)| a.to_string()).or_else(|| {
            toks.iter().find_map(|t| match t {
                Token::Product { name, version } if version.is_empty() && name != "RTCC" => {
                    Some(name.clone())
                }
                _ => None,
            })
        });
        let server = server_product(major, minor)
            .map(|s| format!(" ({s} era)"))
            .unwrap_or_default();
        return match app {
            Some(a) => format!(
                "{a}: a server application built on the Unified Communications Managed API, RTCC/{ver}{server}"
            ),
            None => format!(
                "A server application built on the Unified Communications Managed API, RTCC/{ver}{server}"
            ),
        };
    }
    // Server applications that name themselves: InboundRouting/6.0.0.0, ExumRouting/7.0.0.0, …
    if let Some(Token::Product { name, version }) = toks.first() {
        let (major, minor) = major_minor(version);
        let known_app = matches!(
            name.to_ascii_lowercase().as_str(),
            "inboundrouting"
                | "outboundrouting"
                | "exumrouting"
                | "translationservice"
                | "intelligentimfilter"
                | "clientversionfilter"
                | "mediationserver"
                | "conferenceauto-attendant"
                | "defaultrouting"
                | "userservices"
        );
        if known_app {
            let server = server_product(major, minor)
                .map(|s| format!(", part of {s}"))
                .unwrap_or_default();
            return format!("Server application {name} (version {version}{server})");
        }
        if name.eq_ignore_ascii_case("UCWA") || lower.contains("ucwa") {
            return format!(
                "A UCWA (Unified Communications Web API) client: Skype for Business mobile, Web App or a web application ({v})"
            );
        }
    }
    format!("Product: {v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skype_for_business_clients() {
        // The sample's and the seed's User-Agent values.
        assert_eq!(
            describe_product("UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)"),
            "Skype for Business 2016/2019 client (Office 16.0, build 4849.1000)"
        );
        assert_eq!(
            describe_product("UCCAPI/16.0.9126.2072 OC/16.0.9126.2098 (Skype for Business)"),
            "Skype for Business 2016/2019 client (Office 16.0, build 9126.2098)"
        );
        assert!(
            describe_product("UCCAPI/15.0.4569.1503 OC/15.0.4569.1503 (Microsoft Lync)")
                .starts_with("Lync 2013 client")
        );
        assert!(
            describe_product("UCCAPI/15.0.4849.1000 OC/15.0.4849.1000 (Skype for Business)")
                .starts_with("Skype for Business 2015 (Lync 2013) client")
        );
        assert!(
            describe_product("UCCAPI/4.0.7577.4398 OC/4.0.7577.4398 (Microsoft Lync 2010)")
                .starts_with("Lync 2010 client")
        );
        assert!(describe_product(
            "UCCAPI/3.5.6907.206 OC/3.5.6907.206 (Microsoft Office Communicator 2007 R2)"
        )
        .starts_with("Office Communicator 2007 R2"));
        assert!(describe_product("Microsoft Office Communicator 2.0.6362.0")
            .starts_with("Office Communicator 2007"));
    }

    #[test]
    fn mac_and_mobile_clients() {
        assert!(describe_product("Microsoft Lync for Mac/14.0.11").starts_with("Lync for Mac 2011"));
        assert!(
            describe_product("UCCAPI/16.0.0 (Skype for Business for Mac)")
                .starts_with("Skype for Business for Mac")
        );
        assert_eq!(
            describe_product("MSLync/iOS 5.4.1"),
            "Lync / Skype for Business mobile client on iOS (MSLync/iOS 5.4.1)"
        );
    }

    #[test]
    fn servers() {
        assert_eq!(
            describe_product("RTC/6.0"),
            "Skype for Business Server 2015 (RTC/6.0)"
        );
        assert!(describe_product("RTC/7.0")
            .starts_with("Skype for Business Server 2019 or Skype for Business Online"));
        assert!(describe_product("RTC/5.0").starts_with("Lync Server 2013"));
        assert!(describe_product("RTC/4.0").starts_with("Lync Server 2010"));
        assert!(describe_product("RTC/3.5").starts_with("Office Communications Server 2007 R2"));
        assert_eq!(
            describe_product("InboundRouting/6.0.0.0"),
            "Server application InboundRouting (version 6.0.0.0, part of Skype for Business Server 2015)"
        );
        assert!(describe_product("RTCC/5.0.0.0 MediationServer")
            .starts_with("MediationServer: a server application"));
        assert!(describe_product("RTC/1.3.5315 (Messenger 5.1.0530)")
            .starts_with("Windows RTC client API"));
    }

    #[test]
    fn anything_else_is_named_as_given() {
        assert_eq!(
            describe_product("Asterisk PBX 16.2"),
            "Product: Asterisk PBX 16.2"
        );
        assert_eq!(describe_product(""), "Product: ");
        assert_eq!(describe_product("(((("), "Product: ((((");
        assert_eq!(describe_product("OC/"), "Product: OC/");
    }
}
