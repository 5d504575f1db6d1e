//! The query language's parser: text → [`Expr`], or a [`QueryError`] that points at the bad part.
//!
//! ```text
//! query    := or
//! or       := and ("OR" and)*
//! and      := unary+                 juxtaposition; a bare "AND" is allowed and means nothing more
//! unary    := ("-" | "NOT") unary | primary
//! primary  := "(" or ")" | FIELD ":" value | word | "quoted phrase" | /regex/
//! value    := word | "quoted" | /regex/
//! ```
//!
//! `OR`, `AND` and `NOT` are keywords only in capitals (`or` is a word). A word with a colon whose prefix is not a
//! field is an error, except URI schemes (`sip:alice@contoso.com`, `tel:+1…` are words). Hand-written recursive
//! descent rather than nom: every error must name the span it is about and say why in words for people, which
//! nom's error type does not carry without as much code again.

use super::{Needle, Term};
use crate::explain::findings::FindingKind;

/// A query's syntax tree.
#[derive(Debug, Clone)]
pub enum Expr {
    /// Matches every message (the empty query).
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Term(Term),
}

impl Expr {
    /// The plain texts the query looks for (words, phrases, and the text values of `from:`, `to:`, `user:`,
    /// `callid:` and `header:NAME=VALUE`), outside negations: what the message panel marks. Lower case.
    pub fn marks(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_marks(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_marks(&self, out: &mut Vec<String>) {
        match self {
            Expr::All | Expr::Not(_) => {}
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.collect_marks(out)),
            Expr::Term(t) => {
                let needle = match t {
                    Term::Text(n)
                    | Term::From(n)
                    | Term::To(n)
                    | Term::User(n)
                    | Term::CallId(n) => Some(n),
                    Term::Header(_, Some(n)) => Some(n),
                    _ => None,
                };
                if let Some(Needle::Text(f)) = needle {
                    out.push(String::from_utf8_lossy(&f.needle).into_owned());
                }
            }
        }
    }
}

/// What is wrong with a query, and where: `start..end` are byte offsets in the query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// The fields, as written before the colon, with what each takes (for errors and the page's help).
pub const FIELDS: [(&str, &str); 18] = [
    ("method", "a method: method:INVITE"),
    (
        "status",
        "a status, a class or a bound: status:404, status:4xx, status:>=400",
    ),
    ("from", "text or /regex/ in the From header: from:alice"),
    ("to", "text or /regex/ in the To header: to:bob@contoso.com"),
    (
        "user",
        "text or /regex/ in From, To, the Request-URI, P-Asserted-Identity or Contact: user:alice",
    ),
    ("callid", "text in the Call-ID: callid:8f2d4c61"),
    (
        "cseq",
        "a CSeq number, or number and method: cseq:1, cseq:\"2 INVITE\"",
    ),
    (
        "header",
        "a header by name, or name=value: header:ms-diagnostics, header:User-Agent=Lync",
    ),
    (
        "code",
        "an ms-diagnostics or ms-client-diagnostics code: code:1033",
    ),
    (
        "direction",
        "in, out or none (from the log's point of view): direction:in",
    ),
    ("file", "a file by number or by name: file:2, file:UccApi"),
    ("conversation", "a conversation by number: conversation:12"),
    (
        "finding",
        "messages a finding names: finding:auth-loop, finding:error, finding:any",
    ),
    (
        "after",
        "a time on the merged timeline: after:08:30, after:\"2018-03-30 08:30:05\"",
    ),
    (
        "before",
        "a time on the merged timeline: before:08:31:00.500",
    ),
    (
        "ip",
        "an address of either end: ip:10.0.0.7, ip:10.0.0.0/8, ip:192.168.1.51:51882",
    ),
    (
        "level",
        "trace lines of a level, or of a level and worse: level:error, level:>=warn",
    ),
    (
        "thread",
        "trace lines of a thread, by its ids or its thread id alone: thread:2738:14E0, thread:14E0",
    ),
];

/// Schemes whose `scheme:` starts a word, not a field.
const SCHEMES: [&str; 7] = ["sip", "sips", "tel", "http", "https", "urn", "mailto"];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Minus,
    Or,
    And,
    Not,
    /// A bare word or a field with its value, unsplit: `text` is what was written.
    Word,
    /// A quoted phrase, unescaped.
    Quoted(String),
    /// `/…/`, the pattern unescaped (`\/` → `/`).
    Regex(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn err(start: usize, end: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        start,
        end,
        message: message.into(),
    }
}

/// The text of a quoted phrase starting at `at` (a `"`), and the offset after its closing quote.
fn quoted(q: &str, at: usize) -> Result<(String, usize), QueryError> {
    let mut out = String::new();
    let mut chars = q[at + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, at + 1 + i + 1)),
            '\\' => match chars.next() {
                Some((_, c)) => out.push(c),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(err(
        at,
        q.len(),
        "this quote is not closed: add a \" at the end of the phrase",
    ))
}

/// The pattern of a `/regex/` starting at `at`, and the offset after its closing slash.
fn slashed(q: &str, at: usize) -> Result<(String, usize), QueryError> {
    let mut out = String::new();
    let mut chars = q[at + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '/' => return Ok((out, at + 1 + i + 1)),
            '\\' => match chars.next() {
                Some((_, '/')) => out.push('/'),
                Some((_, c)) => {
                    out.push('\\');
                    out.push(c);
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(err(
        at,
        q.len(),
        "this regular expression is not closed: end it with a /",
    ))
}

fn is_stop(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')'
}

/// The end of a word starting at `at`: up to a space or a parenthesis, a quoted or /regex/ value after a
/// field's colon taken whole.
fn word_end(q: &str, at: usize) -> Result<usize, QueryError> {
    let mut i = at;
    while let Some(c) = q[i..].chars().next() {
        if is_stop(c) {
            break;
        }
        if c == '"' && i > at {
            // `header:User-Agent="Skype for Business"`, `cseq:"2 INVITE"`: the phrase belongs to the word.
            i = quoted(q, i)?.1;
            continue;
        }
        if c == '/' && q[at..i].ends_with(':') {
            i = slashed(q, i)?.1;
            continue;
        }
        i += c.len_utf8();
    }
    Ok(i)
}

fn tokens(q: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = q[i..].chars().next() {
        let start = i;
        let tok = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            '-' if q[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| !n.is_whitespace()) =>
            {
                i += 1;
                Tok::Minus
            }
            '"' => {
                let (text, end) = quoted(q, i)?;
                i = end;
                Tok::Quoted(text)
            }
            '/' => {
                let (text, end) = slashed(q, i)?;
                i = end;
                Tok::Regex(text)
            }
            _ => {
                i = word_end(q, i)?;
                match &q[start..i] {
                    "OR" | "||" => Tok::Or,
                    "AND" | "&&" => Tok::And,
                    "NOT" => Tok::Not,
                    _ => Tok::Word,
                }
            }
        };
        out.push(Token { tok, start, end: i });
    }
    Ok(out)
}

struct Parser<'q> {
    q: &'q str,
    toks: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.at)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut alts = vec![self.and()?];
        while let Some(t) = self.peek() {
            if t.tok != Tok::Or {
                break;
            }
            let (start, end) = (t.start, t.end);
            self.at += 1;
            if self
                .peek()
                .is_none_or(|t| t.tok == Tok::Close || t.tok == Tok::Or)
            {
                return Err(err(start, end, "OR needs something on both sides"));
            }
            alts.push(self.and()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().expect("one")
        } else {
            Expr::Or(alts)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut all = Vec::new();
        while let Some(t) = self.peek() {
            match t.tok {
                Tok::Close | Tok::Or => break,
                Tok::And => {
                    let (start, end) = (t.start, t.end);
                    self.at += 1;
                    if all.is_empty()
                        || self
                            .peek()
                            .is_none_or(|t| matches!(t.tok, Tok::Close | Tok::Or | Tok::And))
                    {
                        return Err(err(start, end, "AND needs something on both sides"));
                    }
                }
                _ => all.push(self.unary()?),
            }
        }
        match all.len() {
            0 => {
                let (start, end) = self
                    .peek()
                    .map_or((self.q.len(), self.q.len()), |t| (t.start, t.end));
                Err(err(start, end, "something to search for is missing here"))
            }
            1 => Ok(all.pop().expect("one")),
            _ => Ok(Expr::And(all)),
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        let t = self.peek().expect("unary is called on a token").clone();
        match t.tok {
            Tok::Minus | Tok::Not => {
                self.at += 1;
                match self.peek() {
                    Some(n) if !matches!(n.tok, Tok::Close | Tok::Or | Tok::And) => {
                        Ok(Expr::Not(Box::new(self.unary()?)))
                    }
                    _ => Err(err(t.start, t.end, "nothing follows this negation")),
                }
            }
            Tok::Open => {
                self.at += 1;
                if self.peek().is_some_and(|n| n.tok == Tok::Close) {
                    return Err(err(t.start, t.end + 1, "these parentheses are empty"));
                }
                let inner = self.or()?;
                match self.peek() {
                    Some(n) if n.tok == Tok::Close => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err(err(t.start, t.end, "this parenthesis is not closed")),
                }
            }
            Tok::Close => Err(err(t.start, t.end, "this parenthesis closes nothing")),
            Tok::Quoted(ref text) => {
                self.at += 1;
                if text.is_empty() {
                    return Err(err(t.start, t.end, "this phrase is empty"));
                }
                Ok(Expr::Term(Term::Text(Needle::text(text))))
            }
            Tok::Regex(ref pattern) => {
                self.at += 1;
                Ok(Expr::Term(Term::Text(
                    Needle::regex(pattern).map_err(|e| err(t.start, t.end, e))?,
                )))
            }
            Tok::Word => {
                self.at += 1;
                word(&self.q[t.start..t.end], t.start).map(Expr::Term)
            }
            Tok::Or | Tok::And => unreachable!("and() stops at OR and consumes AND"),
        }
    }
}

/// A word: a field with its value, or text to find.
fn word(w: &str, at: usize) -> Result<Term, QueryError> {
    let Some((name, value)) = w.split_once(':') else {
        return Ok(Term::Text(Needle::text(w)));
    };
    let field = name.to_ascii_lowercase();
    if SCHEMES.contains(&field.as_str()) || name.is_empty() {
        return Ok(Term::Text(Needle::text(w)));
    }
    if !FIELDS.iter().any(|(f, _)| *f == field) {
        return Err(err(
            at,
            at + name.len() + 1,
            format!(
                "{name}: is not a field (fields: {}); to find the text, put it in quotes: \"{w}\"",
                FIELDS.map(|(f, _)| f).join(", ")
            ),
        ));
    }
    let vstart = at + name.len() + 1;
    let vend = at + w.len();
    let bad = |message: String| err(vstart.min(vend), vend.max(vstart + 1), message);
    let help = FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("", |(_, h)| h);
    if value.is_empty() {
        return Err(err(at, vend, format!("{name}: needs a value: {help}")));
    }
    // A value written "quoted" or /regex/.
    let plain = || -> Result<String, QueryError> {
        if value.starts_with('"') {
            Ok(quoted(value, 0).map_err(|e| bad(e.message))?.0)
        } else {
            Ok(value.to_string())
        }
    };
    let needle = || -> Result<Needle, QueryError> {
        if value.starts_with('/') {
            Needle::regex(&slashed(value, 0).map_err(|e| bad(e.message))?.0).map_err(bad)
        } else {
            Ok(Needle::text(&plain()?))
        }
    };
    let number = |what: &str| -> Result<u64, QueryError> {
        let v = plain()?;
        v.trim()
            .parse::<u64>()
            .map_err(|_| bad(format!("{name}: takes {what}, not {v:?}: {help}")))
    };
    Ok(match field.as_str() {
        "method" => {
            let m = plain()?;
            if !m
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
            {
                return Err(bad(format!("{m:?} is not a method name: {help}")));
            }
            Term::Method(m.to_ascii_uppercase())
        }
        "status" => Term::Status(status(&plain()?).map_err(|e| bad(format!("{e}: {help}")))?),
        "from" => Term::From(needle()?),
        "to" => Term::To(needle()?),
        "user" => Term::User(needle()?),
        "callid" => Term::CallId(needle()?),
        "cseq" => {
            let v = plain()?;
            let mut parts = v.split_whitespace();
            let n = parts
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(|| {
                    bad(format!(
                        "cseq: takes a number, with a method or not, not {v:?}: {help}"
                    ))
                })?;
            let method = parts.next().map(str::to_ascii_uppercase);
            if parts.next().is_some() {
                return Err(bad(format!(
                    "cseq: takes a number and a method at most: {help}"
                )));
            }
            Term::CSeq(n, method)
        }
        "header" => {
            let (hname, hvalue) = match value.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (value, None),
            };
            if hname.is_empty() || !hname.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return Err(bad(format!("header: needs a header name: {help}")));
            }
            let hvalue = match hvalue {
                None => None,
                Some("") => {
                    return Err(bad(format!(
                        "header:{hname}= needs a value after the =: {help}"
                    )))
                }
                Some(v) if v.starts_with('/') => Some(
                    Needle::regex(&slashed(v, 0).map_err(|e| bad(e.message))?.0).map_err(bad)?,
                ),
                Some(v) if v.starts_with('"') => {
                    Some(Needle::text(&quoted(v, 0).map_err(|e| bad(e.message))?.0))
                }
                Some(v) => Some(Needle::text(v)),
            };
            Term::Header(hname.to_string(), hvalue)
        }
        "code" => Term::Code(u32::try_from(number("a number")?).unwrap_or(u32::MAX)),
        "direction" => match plain()?.to_ascii_lowercase().as_str() {
            "in" | "received" | "incoming" => Term::Direction(crate::import::Direction::Received),
            "out" | "sent" | "outgoing" => Term::Direction(crate::import::Direction::Sent),
            "none" | "unknown" => Term::Direction(crate::import::Direction::Unknown),
            v => return Err(bad(format!("direction: is in, out or none, not {v:?}"))),
        },
        "file" => {
            let v = plain()?;
            match v.parse::<u32>() {
                Ok(0) => return Err(bad("file: numbers start at 1".into())),
                Ok(n) => Term::FileNumber(n - 1),
                Err(_) => Term::FileName(Needle::text(&v)),
            }
        }
        "conversation" => match number("a conversation number")? {
            0 => return Err(bad("conversation: numbers start at 1".into())),
            n => Term::Conversation(u32::try_from(n - 1).unwrap_or(u32::MAX)),
        },
        "finding" => {
            let v = plain()?.to_ascii_lowercase();
            match v.as_str() {
                "any" | "*" | "all" => Term::Finding(None, None),
                "error" => Term::Finding(None, Some(crate::base::diag::Severity::Error)),
                "warning" => Term::Finding(None, Some(crate::base::diag::Severity::Warning)),
                "info" => Term::Finding(None, Some(crate::base::diag::Severity::Info)),
                kind => Term::Finding(
                    Some(FindingKind::named(kind).ok_or_else(|| {
                        bad(format!(
                            "{kind:?} is not a kind of finding (e.g. failed-transaction, auth-loop, no-response, slow-response; or error, warning, any)"
                        ))
                    })?),
                    None,
                ),
            }
        }
        "after" | "before" => {
            let v = plain()?;
            let t = super::time::Bound::parse(&v).map_err(|e| bad(format!("{e}: {help}")))?;
            if field == "after" {
                Term::After(t)
            } else {
                Term::Before(t)
            }
        }
        "ip" => {
            Term::Ip(super::ip::Address::parse(&plain()?).map_err(|e| bad(format!("{e}: {help}")))?)
        }
        "level" => {
            let v = plain()?;
            let (worse, name) = match v.strip_prefix(">=") {
                Some(rest) => (true, rest),
                None => (false, v.as_str()),
            };
            let level = crate::import::trace::Level::named(name.trim()).ok_or_else(|| {
                bad(format!(
                    "level: is error, warn, info or trace, not {name:?}: {help}"
                ))
            })?;
            Term::Level(level, worse)
        }
        "thread" => {
            let v = plain()?;
            if v.is_empty()
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                return Err(bad(format!("thread: takes hex ids, not {v:?}: {help}")));
            }
            Term::Thread(v)
        }
        _ => unreachable!("every name in FIELDS is handled"),
    })
}

/// `404`, `4xx`, `>=400`, `>400`, `<=299`, `<300`, `400-499` → the inclusive range of statuses.
fn status(v: &str) -> Result<(u16, u16), String> {
    let v = v.trim();
    let num = |s: &str| -> Result<u16, String> {
        s.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (100..=699).contains(n))
            .ok_or_else(|| format!("{s:?} is not a status (100 to 699)"))
    };
    let lower = v.to_ascii_lowercase();
    if let Some(class) = lower.strip_suffix("xx") {
        if let Ok(c @ 1..=6) = class.parse::<u16>() {
            return Ok((c * 100, c * 100 + 99));
        }
        return Err(format!("{v:?} is not a status class (1xx to 6xx)"));
    }
    if let Some(n) = v.strip_prefix(">=") {
        return Ok((num(n)?, 699));
    }
    if let Some(n) = v.strip_prefix("<=") {
        return Ok((100, num(n)?));
    }
    if let Some(n) = v.strip_prefix('>') {
        return Ok((num(n)? + 1, 699));
    }
    if let Some(n) = v.strip_prefix('<') {
        return Ok((100, num(n)?.saturating_sub(1)));
    }
    if let Some((a, b)) = v.split_once('-') {
        let (a, b) = (num(a)?, num(b)?);
        if a > b {
            return Err(format!("{a} is above {b}"));
        }
        return Ok((a, b));
    }
    let n = num(v)?;
    Ok((n, n))
}

/// Parse a query. Empty (or only spaces) gives [`Expr::All`].
pub fn parse(q: &str) -> Result<Expr, QueryError> {
    let toks = tokens(q)?;
    if toks.is_empty() {
        return Ok(Expr::All);
    }
    let mut p = Parser { q, toks, at: 0 };
    let e = p.or()?;
    match p.peek() {
        None => Ok(e),
        Some(t) if t.tok == Tok::Close => {
            Err(err(t.start, t.end, "this parenthesis closes nothing"))
        }
        Some(t) => Err(err(t.start, t.end, "unexpected here")),
    }
}

#[cfg(test)]
mod tests;
