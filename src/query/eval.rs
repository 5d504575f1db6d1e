//! Evaluating a query over an analysis's messages, reading text back only when it decides.
//!
//! Each message is evaluated twice at most: first from what the analysis holds (three-valued: a term that
//! needs the text is "unknown"), then, only when that left the answer unknown, with the message's text read back
//! (`Analysis::with_text`, no parse: header lines are scanned in place). `method:INVITE alice` reads the text of
//! INVITE transactions only.

use super::parse::{parse, Expr, QueryError};
use super::Term;
use crate::base::diag::Severity;
use crate::base::fxhash::FxMap;
use crate::base::time::Timestamp;
use crate::explain::findings::FindingKind;
use crate::store::{Analysis, LineInfo, Msg};

/// A parsed query, ready to run over one analysis.
#[derive(Debug)]
pub struct Query {
    expr: Expr,
    /// The timeline's first time: where a time of day (`after:08:30`) is put.
    first: Option<Timestamp>,
    /// Per message, the findings that name it (only when the query asks for findings).
    findings: FxMap<u32, Vec<(FindingKind, Severity)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    No,
    Yes,
    /// Needs the message's text.
    Unknown,
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
}

fn mentions_findings(e: &Expr) -> bool {
    match e {
        Expr::All => false,
        Expr::And(v) | Expr::Or(v) => v.iter().any(mentions_findings),
        Expr::Not(e) => mentions_findings(e),
        Expr::Term(t) => matches!(t, Term::Finding(..)),
    }
}

impl Query {
    /// Parse `text` for `analysis` (errors say where and why).
    pub fn new(analysis: &Analysis, text: &str) -> Result<Query, QueryError> {
        Ok(Query::of(analysis, parse(text)?))
    }

    /// A query of `expr`, ready to run over `analysis`.
    pub fn of(analysis: &Analysis, expr: Expr) -> Query {
        let mut findings: FxMap<u32, Vec<(FindingKind, Severity)>> = FxMap::default();
        if mentions_findings(&expr) {
            for f in crate::explain::findings::findings(analysis) {
                for m in std::iter::once(f.msg).chain(f.related.iter().copied()) {
                    findings.entry(m).or_default().push((f.kind, f.severity));
                }
            }
        }
        Query {
            expr,
            first: analysis.messages.iter().find_map(|m| m.time),
            findings,
        }
    }

    /// The plain texts the query looks for (see [`Expr::marks`]).
    pub fn marks(&self) -> Vec<String> {
        self.expr.marks()
    }

    /// Whether the query is empty (it matches every message).
    pub fn is_all(&self) -> bool {
        matches!(self.expr, Expr::All)
    }

    /// Whether message `i` matches.
    pub fn matches(&self, a: &Analysis, i: u32) -> bool {
        let with = |text: Option<&[u8]>| eval(&self.expr, &|t| self.term(t, a, i, text));
        match with(None) {
            Tri::Yes => true,
            Tri::No => false,
            Tri::Unknown => {
                a.with_text(i, |t| with(Some(t)) == Tri::Yes)
                    // A text that cannot be read back matches only what does not need it.
                    .unwrap_or_else(|| with(Some(b"")) == Tri::Yes)
            }
        }
    }

    /// Whether trace line `l` matches: its text for words, its level, thread, file and time for those fields;
    /// no field about SIP matches a trace line.
    pub fn matches_line(&self, a: &Analysis, l: &LineInfo) -> bool {
        let with =
            |text: Option<&[u8]>| eval(&self.expr, &|t| line_term(t, a, l, self.first, text));
        match with(None) {
            Tri::Yes => true,
            Tri::No => false,
            Tri::Unknown => {
                let text = a.trace_text(l).unwrap_or_default();
                with(Some(text.as_bytes())) == Tri::Yes
            }
        }
    }

    /// Indices of the matching messages, in ladder order.
    pub fn run(&self, a: &Analysis) -> Vec<u32> {
        (0..a.messages.len() as u32)
            .filter(|&i| self.matches(a, i))
            .collect()
    }

    fn term(&self, t: &Term, a: &Analysis, i: u32, text: Option<&[u8]>) -> Tri {
        let m = &a.messages[i as usize];
        let syms = a.syms();
        // A term read from the text: unknown until the text is there.
        let in_text = |f: &dyn Fn(&[u8]) -> bool| text.map_or(Tri::Unknown, |t| f(t).into());
        match t {
            Term::Text(n) => {
                let ends = |m: &Msg| n.is_in(m.src.as_bytes()) || n.is_in(m.dst.as_bytes());
                if ends(m)
                    || m.also.iter().any(ends)
                    || n.is_in(a.lifeline(&m.src).as_bytes())
                    || n.is_in(a.lifeline(&m.dst).as_bytes())
                {
                    Tri::Yes
                } else {
                    in_text(&|t| n.is_in(t))
                }
            }
            Term::Method(want) => {
                let method = m.brief.method.or(m.brief.cseq.map(|(_, s)| s));
                method
                    .is_some_and(|s| syms.get(s).eq_ignore_ascii_case(want))
                    .into()
            }
            Term::Status((lo, hi)) => m
                .brief
                .status
                .is_some_and(|s| (*lo..=*hi).contains(&s))
                .into(),
            Term::CallId(n) => n.is_in(syms.get(m.brief.call_id).as_bytes()).into(),
            Term::CSeq(num, method) => m
                .brief
                .cseq
                .is_some_and(|(n, s)| {
                    n == *num
                        && method
                            .as_ref()
                            .is_none_or(|w| syms.get(s).eq_ignore_ascii_case(w))
                })
                .into(),
            Term::Direction(d) => (m.direction == *d).into(),
            Term::FileNumber(f) => (m.file == *f
                || m.also.iter().any(|s| s.file == *f)
                || a.tls_files(i).any(|t| t == *f))
            .into(),
            Term::FileName(n) => {
                let named = |f: u32| {
                    a.files
                        .get(f as usize)
                        .is_some_and(|f| n.is_in(f.name.as_bytes()))
                };
                (named(m.file) || m.also.iter().any(|s| named(s.file)) || a.tls_files(i).any(named))
                    .into()
            }
            Term::Conversation(c) => a
                .flow
                .links
                .get(i as usize)
                .is_some_and(|l| l.conversation == Some(*c))
                .into(),
            Term::Finding(kind, severity) => self
                .findings
                .get(&i)
                .is_some_and(|v| {
                    v.iter().any(|(k, s)| {
                        kind.is_none_or(|w| w == *k) && severity.is_none_or(|w| w == *s)
                    })
                })
                .into(),
            Term::After(_) | Term::Before(_) => timed(t, m.time, self.first),
            Term::Ip(addr) => {
                let ends = |m: &Msg| addr.matches(&m.src) || addr.matches(&m.dst);
                (ends(m) || m.also.iter().any(ends)).into()
            }
            Term::From(n) => in_text(&|t| any_value(t, &["From"], &|v| n.is_in(v))),
            Term::To(n) => in_text(&|t| any_value(t, &["To"], &|v| n.is_in(v))),
            Term::User(n) => {
                if m.brief.uri.is_some_and(|u| n.is_in(syms.get(u).as_bytes())) {
                    Tri::Yes
                } else {
                    in_text(&|t| any_value(t, &USER_HEADERS, &|v| n.is_in(v)))
                }
            }
            Term::Header(name, value) => in_text(&|t| {
                any_value(t, &[name.as_str()], &|v| {
                    value.as_ref().is_none_or(|n| n.is_in(v))
                })
            }),
            Term::Code(code) => in_text(&|t| {
                any_value(t, &DIAGNOSTICS_HEADERS, &|v| {
                    leading_number(v) == Some(*code)
                })
            }),
            Term::Level(..) | Term::Thread(_) => Tri::No,
        }
    }
}

/// An expression's value, each term's from `term`.
fn eval(e: &Expr, term: &dyn Fn(&Term) -> Tri) -> Tri {
    match e {
        Expr::All => Tri::Yes,
        Expr::And(v) => {
            let mut out = Tri::Yes;
            for e in v {
                match eval(e, term) {
                    Tri::No => return Tri::No,
                    Tri::Unknown => out = Tri::Unknown,
                    Tri::Yes => {}
                }
            }
            out
        }
        Expr::Or(v) => {
            let mut out = Tri::No;
            for e in v {
                match eval(e, term) {
                    Tri::Yes => return Tri::Yes,
                    Tri::Unknown => out = Tri::Unknown,
                    Tri::No => {}
                }
            }
            out
        }
        Expr::Not(e) => match eval(e, term) {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Unknown => Tri::Unknown,
        },
        Expr::Term(t) => term(t),
    }
}

/// `after:` / `before:` for something at `time` (a time of day is put on the day of `first`).
fn timed(t: &Term, time: Option<Timestamp>, first: Option<Timestamp>) -> Tri {
    match (t, time) {
        (Term::After(b), Some(time)) => b.resolve(first).is_some_and(|at| time >= at).into(),
        (Term::Before(b), Some(time)) => b.resolve(first).is_some_and(|at| time < at).into(),
        _ => Tri::No,
    }
}

/// A term's value for a trace line (`text`: its text, once read).
fn line_term(
    t: &Term,
    a: &Analysis,
    l: &LineInfo,
    first: Option<Timestamp>,
    text: Option<&[u8]>,
) -> Tri {
    match t {
        Term::Text(n) => text.map_or(Tri::Unknown, |t| n.is_in(t).into()),
        Term::Level(level, worse) => if *worse {
            l.level <= *level
        } else {
            l.level == *level
        }
        .into(),
        Term::Thread(want) => a.traces()[l.file as usize]
            .threads()
            .get(l.thread as usize)
            .is_some_and(|name| super::thread_is(name, want))
            .into(),
        Term::FileNumber(f) => (l.file == *f).into(),
        Term::FileName(n) => a
            .files
            .get(l.file as usize)
            .is_some_and(|f| n.is_in(f.name.as_bytes()))
            .into(),
        Term::After(_) | Term::Before(_) => timed(t, a.trace_time(l), first),
        // Fields about SIP messages: a trace line is none of them.
        _ => Tri::No,
    }
}

/// The headers `user:` looks in (with the Request-URI).
const USER_HEADERS: [&str; 4] = ["From", "To", "P-Asserted-Identity", "Contact"];

/// The headers `code:` reads a code from.
const DIAGNOSTICS_HEADERS: [&str; 3] = [
    "ms-diagnostics",
    "ms-diagnostics-public",
    "ms-client-diagnostics",
];

/// Whether a header line of `text` named one of `names` (case-insensitive, compact forms) has a value for which
/// `f` holds. The head is scanned in place: the start line skipped, up to the empty line; a folded value
/// includes its continuation lines.
fn any_value(text: &[u8], names: &[&str], f: &dyn Fn(&[u8]) -> bool) -> bool {
    let mut lines = text.split(|&b| b == b'\n').skip(1).peekable();
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return false;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        let named = std::str::from_utf8(name)
            .is_ok_and(|n| names.iter().any(|w| crate::sip::name_matches(n, w)));
        if !named {
            continue;
        }
        let value = line[colon + 1..].trim_ascii();
        if f(value) {
            return true;
        }
        // Continuation lines of a folded value.
        while let Some(next) = lines.peek() {
            if !next.first().is_some_and(|&b| b == b' ' || b == b'\t') {
                break;
            }
            if f(next.trim_ascii()) {
                return true;
            }
            lines.next();
        }
    }
    false
}

/// The number a value starts with (`1033;reason="…"` → 1033).
fn leading_number(v: &[u8]) -> Option<u32> {
    let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&v[..digits]).ok()?.parse().ok()
}
