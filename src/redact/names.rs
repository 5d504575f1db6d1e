//! Pseudonyms: the one table of a redaction, each original value → its stand-in, the same every time it is met.

use super::Keep;
use crate::base::fxhash::{FxMap, FxSet};

/// What a value is: decides its stand-in's shape, the count it adds to, and what `--keep` can leave alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// The user part of SIP URIs and e-mail-like addresses (`alice` in `sip:alice@contoso.com`).
    Users,
    /// Domains and host names (`contoso.com`, `fe01.contoso.com`).
    Domains,
    /// IPv4 and IPv6 addresses (ports are kept).
    Addresses,
    /// Display names (`"Alice Smith" <sip:…>`).
    Names,
    /// Call-IDs, tags, Via branches, epids, GRUU opaque values.
    Ids,
    /// Authentication material: gssapi-data, response, rspauth, crand, srand, opaque, signature, nonces, the media
    /// relay's user names and passwords.
    Auth,
    /// Free text in bodies: IM text, presence notes, contact card fields.
    Text,
    /// SDP secrets: ICE user fragments and passwords, SRTP keys.
    Media,
    /// Phone numbers: `tel:` URIs, SIP URIs whose user is a number, numbers in headers, bodies and trace lines.
    Phones,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Users,
        Category::Domains,
        Category::Addresses,
        Category::Names,
        Category::Ids,
        Category::Auth,
        Category::Text,
        Category::Media,
        Category::Phones,
    ];

    /// The name `--keep` takes.
    pub fn name(self) -> &'static str {
        match self {
            Category::Users => "users",
            Category::Domains => "domains",
            Category::Addresses => "addresses",
            Category::Names => "names",
            Category::Ids => "ids",
            Category::Auth => "auth",
            Category::Text => "text",
            Category::Media => "media",
            Category::Phones => "phones",
        }
    }

    /// The category's name for people, in a count line (`SIP URI users: 4`).
    pub fn label(self) -> &'static str {
        match self {
            Category::Users => "SIP URI users",
            Category::Domains => "domains and host names",
            Category::Addresses => "IP addresses",
            Category::Names => "display names",
            Category::Ids => "Call-IDs, tags, branches, epids, GRUUs",
            Category::Auth => "authentication values",
            Category::Text => "free texts",
            Category::Media => "SDP keys",
            Category::Phones => "phone numbers",
        }
    }

    pub fn named(name: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }
}

/// Domains that name vocabularies, not people's organisations (XML namespaces, standards): never renamed, or
/// the bodies would no longer be understood.
const PUBLIC_DOMAINS: &[&str] = &[
    "microsoft.com",
    "w3.org",
    "ietf.org",
    "xmlsoap.org",
    "openxmlformats.org",
    "example.com",
    "example.net",
    "example.org",
];

/// Every original value met so far with its stand-in, by category.
#[derive(Debug, Default)]
pub struct Pseudonyms {
    map: FxMap<(Category, String), String>,
    /// Originals in the order first met (the mapping file lists them so).
    order: Vec<(Category, String)>,
    /// Per category: how many stand-ins were made (numbers them).
    made: FxMap<Category, usize>,
    /// Domains met in SIP URIs, Via sent-by and e-mail-like addresses: host names under them are renamed.
    pub domains: FxMap<String, ()>,
    /// Stand-ins made for IPv4 addresses, private and public apart.
    private_v4: usize,
    public_v4: usize,
    hosts: usize,
    /// A host name's first label (lower-case) → the number its stand-in has (`fe01` → 1 for `host1.…`): a
    /// machine named alone (`FE01`) and its FQDN share the number.
    labels: FxMap<String, usize>,
    /// Categories the copy keeps as they are.
    keep: Keep,
    domain_count: usize,
    names: Vec<(String, String)>,
    /// Stand-ins given, so two values never get the same one.
    used: FxSet<(Category, String)>,
}

impl Pseudonyms {
    /// An empty table whose stand-ins are not used for the `keep` categories (they are still counted).
    pub fn keeping(keep: Keep) -> Pseudonyms {
        Pseudonyms {
            keep,
            ..Pseudonyms::default()
        }
    }

    fn next(&mut self, c: Category) -> usize {
        let n = self.made.entry(c).or_default();
        *n += 1;
        *n
    }

    /// The stand-in of `value`, made by `make(n)` (n = 1, 2, … per category) the first time.
    pub fn get(&mut self, c: Category, value: &str, make: impl FnOnce(usize) -> String) -> String {
        let s = self.make(c, value, make);
        self.shown(c, value, s)
    }

    /// What the copy gets: the stand-in, or the original when its category is kept (it is still counted and
    /// listed, so the counts say what a redaction without `--keep` would change).
    fn shown(&self, c: Category, original: &str, stand_in: String) -> String {
        if self.keep.has(c) {
            original.to_string()
        } else {
            stand_in
        }
    }

    /// The stand-in of `value`, made by `make(n)` (n = 1, 2, … per category) the first time.
    fn make(&mut self, c: Category, value: &str, make: impl FnOnce(usize) -> String) -> String {
        let key = (c, value.to_string());
        if let Some(s) = self.map.get(&key) {
            return s.clone();
        }
        let n = self.next(c);
        let s = make(n);
        self.used.insert((c, s.clone()));
        self.map.insert(key.clone(), s.clone());
        self.order.push(key);
        s
    }

    /// The stand-in already given to `value`, if any.
    pub fn known(&self, c: Category, value: &str) -> Option<&str> {
        self.map.get(&(c, value.to_string())).map(String::as_str)
    }

    /// Every (category, original, stand-in) in the order first met.
    pub fn entries(&self) -> impl Iterator<Item = (Category, &str, &str)> {
        self.order
            .iter()
            .map(|k| (k.0, k.1.as_str(), self.map[k].as_str()))
    }

    /// How many distinct values of each category were renamed.
    pub fn count(&self, c: Category) -> usize {
        self.made.get(&c).copied().unwrap_or(0)
    }

    pub fn user(&mut self, user: &str) -> String {
        let s = self.make(Category::Users, &user.to_ascii_lowercase(), |n| {
            format!("user{n}")
        });
        self.shown(Category::Users, user, s)
    }

    pub fn display_name(&mut self, name: &str) -> String {
        if is_phone(name, 7) {
            return self.phone(name);
        }
        if self.used.contains(&(Category::Names, name.to_string())) {
            // Already a stand-in: a name the text pass renamed, met again in an element or an attribute.
            return name.to_string();
        }
        let before = self.count(Category::Names);
        let s = self.get(Category::Names, name, |n| format!("User {n}"));
        if self.count(Category::Names) > before {
            self.names.push((name.to_string(), s.clone()));
        }
        s
    }

    /// Display names renamed so far, with their stand-ins.
    pub fn names(&self) -> &[(String, String)] {
        &self.names
    }

    /// Learn the domain of a host name seen where a domain is certain (a SIP URI, a Via).
    pub fn learn_host(&mut self, host: &str) {
        if is_name(host) {
            if let Some(d) = domain_of(&host.to_ascii_lowercase()) {
                if !is_public(&d) {
                    self.domains.insert(d, ());
                }
            }
        }
    }

    /// Whether a host name falls under a domain learnt from the SIP.
    pub fn is_private_host(&self, host: &str) -> bool {
        domain_of(&host.to_ascii_lowercase()).is_some_and(|d| self.domains.contains_key(&d))
    }

    /// A phone number (`+1 (425) 555-0100`, `+14255550100`, `4255550100`): the same number, written any way,
    /// gets the same digits; its `+`, separators and digit count stay, and so does the country code after a `+`.
    /// The rest is an obviously fictional number where one fits (`+1 200 555 0101`: 555-01xx), else a numbered one.
    pub fn phone(&mut self, number: &str) -> String {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let plus = number.trim_start().starts_with('+');
        let key = if plus {
            format!("+{digits}")
        } else {
            digits.clone()
        };
        if digits.len() >= 7 && self.used.contains(&(Category::Phones, key.clone())) {
            // Already a stand-in: a number the text pass renamed, met again in an element's text (only a number
            // long enough for the text pass; a short one, an extension, is met once).
            return number.to_string();
        }
        let cc = if plus { country_code_len(&digits) } else { 0 };
        let known = self.map.get(&(Category::Phones, key.clone())).cloned();
        let stand_in = match known {
            Some(s) => s,
            None => {
                let n = self.count(Category::Phones) + 1;
                let national = digits.len() - cc;
                let mut k = 0u64;
                let s = loop {
                    let tail = (k == 0)
                        .then(|| {
                            fictional(n, national).or_else(|| {
                                Some(format!("{n:0>national$}")).filter(|t| t.len() == national)
                            })
                        })
                        .flatten()
                        .unwrap_or_else(|| {
                            generate(n as u64 + (k << 40), &digits[cc..], true, false, false, 0)
                        });
                    let s = format!("{}{}{tail}", if plus { "+" } else { "" }, &digits[..cc]);
                    if !self.used.contains(&(Category::Phones, s.clone())) || k > 64 {
                        break s;
                    }
                    k += 1;
                };
                self.make(Category::Phones, &key, |_| s)
            }
        };
        if self.keep.has(Category::Phones) {
            return number.to_string();
        }
        // The stand-in's digits in the original's places.
        let mut new = stand_in.bytes().filter(u8::is_ascii_digit);
        number
            .chars()
            .map(|c| match c.is_ascii_digit() {
                true => new.next().map_or(c, char::from),
                false => c,
            })
            .collect()
    }

    /// `contoso.com` → `domain1.example`; `fe01.contoso.com` → `host1.domain1.example`.
    pub fn host(&mut self, host: &str) -> String {
        let lower = host.to_ascii_lowercase();
        let Some(domain) = domain_of(&lower) else {
            return host.to_string();
        };
        let d = match self.known(Category::Domains, &domain) {
            Some(d) => d.to_string(),
            None => {
                // Domains are numbered apart from hosts, under the same category.
                self.domain_count += 1;
                let k = self.domain_count;
                self.make(Category::Domains, &domain, |_| format!("domain{k}.example"))
            }
        };
        if lower == domain {
            return self.shown(Category::Domains, host, d);
        }
        let key = (Category::Domains, lower);
        if let Some(s) = self.map.get(&key) {
            return self.shown(Category::Domains, host, s.clone());
        }
        let label = key.1.split('.').next().unwrap_or("").to_string();
        let n = self.label_number(&label);
        let s = format!("host{n}.{d}");
        self.fresh(Category::Domains, key, s.clone());
        self.shown(Category::Domains, host, s)
    }

    /// A server's machine name written alone (`FE01` in a server trace's `[FE01\FE01]`): `hostN`, the first
    /// label of its FQDN's stand-in (`host1.domain1.example`), whichever of the two is met first.
    pub fn machine(&mut self, name: &str) -> String {
        let key = (Category::Domains, name.to_ascii_lowercase());
        if let Some(s) = self.map.get(&key) {
            return self.shown(Category::Domains, name, s.clone());
        }
        let s = format!("host{}", self.label_number(&key.1));
        self.fresh(Category::Domains, key, s.clone());
        self.shown(Category::Domains, name, s)
    }

    /// The number of the host stand-ins whose first label is `label` (lower-case): the next one the first time.
    fn label_number(&mut self, label: &str) -> usize {
        if let Some(&n) = self.labels.get(label) {
            return n;
        }
        self.hosts += 1;
        self.labels.insert(label.to_string(), self.hosts);
        self.hosts
    }

    /// A stand-in made outside [`Pseudonyms::make`]'s numbering: listed and counted the same way.
    fn fresh(&mut self, c: Category, key: (Category, String), s: String) {
        *self.made.entry(c).or_default() += 1;
        self.used.insert((c, s.clone()));
        self.map.insert(key.clone(), s);
        self.order.push(key);
    }

    /// IPv4: private (RFC 1918, link-local) → `10.0.0.N`; public → TEST-NET-3 `203.0.113.N`, then TEST-NET-2
    /// and -1, then the benchmark range. Loopback, 0.0.0.0 and broadcast stay as they are.
    pub fn ipv4(&mut self, ip: [u8; 4]) -> String {
        if ip[0] == 127 || ip == [0, 0, 0, 0] || ip == [255, 255, 255, 255] {
            return format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
        }
        let private = ip[0] == 10
            || (ip[0] == 172 && (16..32).contains(&ip[1]))
            || (ip[0] == 192 && ip[1] == 168)
            || (ip[0] == 169 && ip[1] == 254);
        let text = format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
        if let Some(s) = self.known(Category::Addresses, &text) {
            return self.shown(Category::Addresses, &text, s.to_string());
        }
        let s = if private {
            self.private_v4 += 1;
            let i = self.private_v4;
            format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
        } else {
            self.public_v4 += 1;
            let i = self.public_v4;
            match i {
                1..=254 => format!("203.0.113.{i}"),
                255..=508 => format!("198.51.100.{}", i - 254),
                509..=762 => format!("192.0.2.{}", i - 508),
                _ => format!(
                    "198.{}.{}.{}",
                    18 + ((i >> 16) & 1),
                    (i >> 8) & 255,
                    i & 255
                ),
            }
        };
        self.get(Category::Addresses, &text, |_| s)
    }

    pub fn ipv6(&mut self, ip: &str) -> String {
        let s = self.make(Category::Addresses, &ip.to_ascii_lowercase(), |n| {
            format!("2001:db8::{n:x}")
        });
        self.shown(Category::Addresses, ip, s)
    }

    /// A token of the same length and character class: hex stays hex, digits digits, other text letters and
    /// digits (base64's `+/=` kept where they were, so a padded value still looks padded).
    pub fn token(&mut self, c: Category, value: &str) -> String {
        let hex = value.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        let digits = value.bytes().all(|b| b.is_ascii_digit());
        let upper = value.bytes().any(|b| b.is_ascii_uppercase())
            && !value.bytes().any(|b| b.is_ascii_lowercase());
        if let Some(s) = self.known(c, value) {
            return self.shown(c, value, s.to_string());
        }
        let n = self.count(c) + 1;
        // A short value has few stand-ins of its class: try again, then one character longer, until unused.
        let mut attempt = 0u64;
        let s = loop {
            let extra = (attempt / 16) as usize;
            let seed = n as u64 + ((c as u64) << 40) + (attempt << 48);
            let s = generate(seed, value, digits, hex, upper, extra);
            if !self.used.contains(&(c, s.clone())) {
                break s;
            }
            if attempt == 64 {
                // Nothing but separators: numbered instead.
                break format!("{s}{n}");
            }
            attempt += 1;
        };
        self.get(c, value, |_| s)
    }
}

/// `value`'s shape filled from a xorshift stream seeded by `seed` (separators and white space kept), `extra`
/// characters longer.
fn generate(seed: u64, value: &str, digits: bool, hex: bool, upper: bool, extra: usize) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::with_capacity(value.len() + extra);
    let last = value.bytes().last().unwrap_or(b'0');
    for b in value.bytes().chain(std::iter::repeat_n(last, extra)) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let pick = (state >> 33) as usize;
        let ch = if b"+/=-_.@{}".contains(&b) || b.is_ascii_whitespace() {
            b
        } else if digits {
            b"0123456789"[pick % 10]
        } else if hex && upper {
            b"0123456789ABCDEF"[pick % 16]
        } else if hex {
            b"0123456789abcdef"[pick % 16]
        } else {
            b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[pick % 57]
        };
        out.push(ch as char);
    }
    out
}

/// A national number of `len` digits in a range kept for fiction: `55501NN` last (the 555-0100…0199 of North
/// American numbers, numbered by `n`), the digits before it from `n` too; `None` when it does not fit.
fn fictional(n: usize, len: usize) -> Option<String> {
    let head = len.checked_sub(7)?;
    let tail = format!("55501{:02}", n % 100);
    let high = n / 100;
    match head {
        0 => (high == 0).then_some(tail),
        1..=18 => {
            let x = 2 * 10usize.pow(head as u32 - 1) + high;
            (x < 10usize.pow(head as u32)).then(|| format!("{x}{tail}"))
        }
        _ => None,
    }
}

/// How many of an international number's digits are its country code (E.164: 1 for 1 and 7, 2 for the
/// two-digit codes, else 3).
fn country_code_len(digits: &str) -> usize {
    const TWO: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    let n = match digits.as_bytes().first() {
        Some(b'1' | b'7') => 1,
        _ if digits.get(..2).is_some_and(|p| TWO.contains(&p)) => 2,
        _ => 3,
    };
    // A number too short to hold a country code and more keeps none.
    if digits.len() > n + 3 {
        n
    } else {
        0
    }
}

/// Whether `text` is written as a phone number: digits (at least `min`) with only `+` first and the separators
/// people write (spaces, `-`, `.`, parentheses) between them.
pub fn is_phone(text: &str, min: usize) -> bool {
    let t = text.trim();
    let body = t.strip_prefix('+').unwrap_or(t);
    body.bytes().filter(u8::is_ascii_digit).count() >= min
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        && body.ends_with(|c: char| c.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')'))
}

/// Whether `host` is a name (has a letter in its last label), not an address.
pub fn is_name(host: &str) -> bool {
    host.rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().any(|b| b.is_ascii_alphabetic()))
        && host.contains('.')
}

/// The organisation's domain of a host name: its last two labels, three under a two-letter second-level label
/// (`contoso.co.kr`).
pub fn domain_of(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    let n = labels.len();
    let take = if n >= 3
        && labels[n - 2].len() <= 3
        && labels[n - 1].len() == 2
        && matches!(
            labels[n - 2],
            "co" | "com" | "ac" | "or" | "ne" | "go" | "net" | "org"
        ) {
        3
    } else {
        2
    };
    Some(labels[n - take..].join("."))
}

fn is_public(domain: &str) -> bool {
    PUBLIC_DOMAINS.contains(&domain) || domain.ends_with(".example") || domain == "example"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_never_share_a_stand_in() {
        let mut p = Pseudonyms::default();
        let mut seen = std::collections::HashSet::new();
        for v in 0..100 {
            let s = p.token(Category::Ids, &v.to_string());
            assert!(s.bytes().all(|b| b.is_ascii_digit()), "{s}");
            assert!(seen.insert(s), "two tags got one stand-in");
        }
        assert_eq!(p.token(Category::Ids, "7"), p.token(Category::Ids, "7"));
        assert!(!p.token(Category::Auth, "-").is_empty());
        assert!(!p.token(Category::Auth, "--").is_empty());
    }

    #[test]
    fn phone_numbers_keep_their_shape_and_never_share_a_stand_in() {
        let mut p = Pseudonyms::default();
        assert_eq!(p.phone("+14255550123"), "+12005550101");
        assert_eq!(p.phone("+1 (425) 555-0123"), "+1 (200) 555-0101");
        assert_eq!(p.phone("+44 20 7946 0958"), "+44 20 0555 0102");
        assert_eq!(p.phone("+82-2-312-3456"), "+82-2-555-0103");
        assert_eq!(p.phone("123"), "004");
        // Already a stand-in: left as it is.
        assert_eq!(p.phone("+12005550101"), "+12005550101");
        let mut seen = std::collections::HashSet::new();
        for i in 0..1000 {
            let s = p.phone(&format!("+1425{:07}", 5_550_000 + i));
            assert!(s.starts_with("+1") && s.len() == 12, "{s}");
            assert!(seen.insert(s), "two numbers got one stand-in");
        }
        for i in 0..200 {
            assert!(
                seen.insert(p.phone(&format!("{i:03}"))),
                "short numbers too"
            );
        }
    }

    #[test]
    fn hosts_follow_their_domain() {
        let mut p = Pseudonyms::default();
        assert_eq!(p.host("contoso.com"), "domain1.example");
        assert_eq!(p.host("FE01.contoso.com"), "host1.domain1.example");
        assert_eq!(p.host("fe01.contoso.com"), "host1.domain1.example");
        assert_eq!(p.host("edge.fabrikam.co.kr"), "host2.domain2.example");
        // A machine named alone shares its FQDN's number, whichever comes first.
        assert_eq!(p.machine("FE01"), "host1");
        assert_eq!(p.machine("EDGE02"), "host3");
        assert_eq!(p.host("edge02.fabrikam.co.kr"), "host3.domain2.example");
        assert_eq!(p.ipv4([192, 168, 1, 5]), "10.0.0.1");
        assert_eq!(p.ipv4([8, 8, 8, 8]), "203.0.113.1");
        assert_eq!(p.ipv4([127, 0, 0, 1]), "127.0.0.1");
    }
}
