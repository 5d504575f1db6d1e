//! Tests of the query parser: shapes of the tree for every field and operator, and every error with its span.
use super::*;

/// A compact form of the tree: terms by their debug name, for comparing shapes.
fn shape(e: &Expr) -> String {
    match e {
        Expr::All => "ALL".into(),
        Expr::And(v) => format!("and({})", v.iter().map(shape).collect::<Vec<_>>().join(" ")),
        Expr::Or(v) => format!("or({})", v.iter().map(shape).collect::<Vec<_>>().join(" ")),
        Expr::Not(e) => format!("not({})", shape(e)),
        Expr::Term(t) => match t {
            Term::Text(Needle::Text(f)) => {
                format!("text:{}", String::from_utf8_lossy(&f.needle))
            }
            Term::Text(Needle::Regex(r)) => format!("re:{}", r.as_str()),
            Term::Method(m) => format!("method:{m}"),
            Term::Status((a, b)) => format!("status:{a}-{b}"),
            Term::CSeq(n, m) => format!("cseq:{n}:{}", m.as_deref().unwrap_or("")),
            Term::Header(n, v) => format!("header:{n}:{}", v.is_some()),
            Term::Code(c) => format!("code:{c}"),
            Term::Direction(d) => format!("direction:{d:?}"),
            Term::FileNumber(f) => format!("file#{f}"),
            Term::Conversation(c) => format!("conversation:{c}"),
            Term::Finding(k, s) => format!("finding:{k:?}:{s:?}"),
            Term::Level(l, worse) => {
                format!("level:{}{}", if *worse { ">=" } else { "" }, l.name())
            }
            Term::Thread(t) => format!("thread:{t}"),
            other => format!("{other:?}")
                .split('(')
                .next()
                .unwrap_or("")
                .to_lowercase(),
        },
    }
}

fn ok(q: &str) -> String {
    shape(&parse(q).unwrap_or_else(|e| panic!("{q}: {e:?}")))
}

/// The error's underlined part and its message.
fn bad(q: &str) -> (String, String) {
    let e = parse(q).expect_err(q);
    (q[e.start..e.end.min(q.len())].to_string(), e.message)
}

#[test]
fn words_phrases_and_regexes() {
    assert_eq!(ok(""), "ALL");
    assert_eq!(ok("   "), "ALL");
    assert_eq!(ok("Alice"), "text:alice");
    assert_eq!(ok("alice bob"), "and(text:alice text:bob)");
    assert_eq!(ok("\"Skype for Business\""), "text:skype for business");
    assert_eq!(ok(r#""say \"hi\"""#), "text:say \"hi\"");
    assert_eq!(ok("/on\\d+@limcm/"), "re:on\\d+@limcm");
    assert_eq!(ok("/a\\/b/"), "re:a/b");
    // URI schemes are words, not fields; a word may hold a dash or a colon after them.
    assert_eq!(ok("sip:on1@limcm.com"), "text:sip:on1@limcm.com");
    assert_eq!(ok("tel:+14255550100"), "text:tel:+14255550100");
    assert_eq!(ok("re-INVITE"), "text:re-invite");
    // A word ends at a parenthesis.
    assert_eq!(ok("(a)b"), "and(text:a text:b)");
}

#[test]
fn precedence_negation_and_parentheses() {
    assert_eq!(ok("a b OR c"), "or(and(text:a text:b) text:c)");
    assert_eq!(ok("a (b OR c)"), "and(text:a or(text:b text:c))");
    assert_eq!(ok("a AND b"), "and(text:a text:b)");
    assert_eq!(ok("a || b && c"), "or(text:a and(text:b text:c))");
    assert_eq!(ok("-a"), "not(text:a)");
    assert_eq!(ok("NOT a b"), "and(not(text:a) text:b)");
    assert_eq!(ok("-(a OR b)"), "not(or(text:a text:b))");
    assert_eq!(ok("- -a"), "and(text:- not(text:a))");
    assert_eq!(ok("NOT NOT a"), "not(not(text:a))");
    // Lower-case keywords are words.
    assert_eq!(ok("a or b"), "and(text:a text:or text:b)");
    assert_eq!(ok("((a))"), "text:a");
}

#[test]
fn every_field() {
    assert_eq!(ok("method:invite"), "method:INVITE");
    assert_eq!(ok("METHOD:BENOTIFY"), "method:BENOTIFY");
    assert_eq!(ok("status:404"), "status:404-404");
    assert_eq!(ok("status:4xx"), "status:400-499");
    assert_eq!(ok("status:>=400"), "status:400-699");
    assert_eq!(ok("status:>400"), "status:401-699");
    assert_eq!(ok("status:<300"), "status:100-299");
    assert_eq!(ok("status:<=180"), "status:100-180");
    assert_eq!(ok("status:400-499"), "status:400-499");
    assert_eq!(ok("from:alice"), "from");
    assert_eq!(ok("to:/bob|carol/"), "to");
    assert_eq!(ok("user:\"Alice Smith\""), "user");
    assert_eq!(ok("callid:8f2d4c61"), "callid");
    assert_eq!(ok("cseq:2"), "cseq:2:");
    assert_eq!(ok("cseq:\"2 invite\""), "cseq:2:INVITE");
    assert_eq!(ok("header:ms-diagnostics"), "header:ms-diagnostics:false");
    assert_eq!(
        ok("header:User-Agent=\"Skype for Business\""),
        "header:User-Agent:true"
    );
    assert_eq!(
        ok("header:Content-Type=/presence/"),
        "header:Content-Type:true"
    );
    assert_eq!(ok("code:1033"), "code:1033");
    assert_eq!(ok("direction:in"), "direction:Received");
    assert_eq!(ok("direction:OUT"), "direction:Sent");
    assert_eq!(ok("direction:none"), "direction:Unknown");
    assert_eq!(ok("file:2"), "file#1");
    assert_eq!(ok("file:UccApi"), "filename");
    assert_eq!(ok("conversation:12"), "conversation:11");
    assert_eq!(ok("finding:auth-loop"), "finding:Some(AuthLoop):None");
    assert_eq!(ok("finding:error"), "finding:None:Some(Error)");
    assert_eq!(ok("finding:any"), "finding:None:None");
    assert_eq!(ok("after:08:30"), "after");
    assert_eq!(ok("before:\"2018-03-30 08:31:00.500\""), "before");
    assert_eq!(ok("ip:10.0.0.0/8"), "ip");
    assert_eq!(ok("level:ERROR"), "level:error");
    assert_eq!(ok("level:warning"), "level:warn");
    assert_eq!(ok("level:>=warn"), "level:>=warn");
    assert_eq!(ok("thread:2738:14E0"), "thread:2738:14E0");
    assert_eq!(ok("thread:0A3C.1B2C"), "thread:0A3C.1B2C");
    assert_eq!(
        ok("method:INVITE status:>=400 -from:alice (ip:10.0.0.7 OR code:1033)"),
        "and(method:INVITE status:400-699 not(from) or(ip code:1033))"
    );
}

#[test]
fn marks_are_the_plain_texts_looked_for() {
    let e = parse(
        "Alice \"Skype for\" from:bob -carol status:4xx /re/ header:User-Agent=Lync (x OR -y)",
    )
    .unwrap();
    assert_eq!(e.marks(), ["alice", "bob", "lync", "skype for", "x"]);
}

#[test]
fn errors_point_at_the_bad_part() {
    let (part, msg) = bad("method:INVITE frm:alice");
    assert_eq!(part, "frm:");
    assert!(
        msg.starts_with("frm: is not a field (fields: method, status"),
        "{msg}"
    );
    assert!(msg.ends_with("put it in quotes: \"frm:alice\""), "{msg}");
    let (part, msg) = bad("level:loud error");
    assert_eq!(part, "loud");
    assert!(
        msg.starts_with("level: is error, warn, info or trace, not \"loud\""),
        "{msg}"
    );
    let (part, msg) = bad("thread:main");
    assert_eq!(part, "main");
    assert!(msg.starts_with("thread: takes hex ids"), "{msg}");
    let (part, msg) = bad("status:4xy");
    assert_eq!(part, "4xy");
    assert!(msg.starts_with("\"4xy\" is not a status"), "{msg}");
    assert_eq!(bad("status:99").0, "99");
    assert_eq!(
        bad("status:500-400").1,
        "500 is above 400: a status, a class or a bound: status:404, status:4xx, status:>=400"
    );
    assert_eq!(bad("alice \"bob").0, "\"bob");
    assert!(bad("alice \"bob").1.contains("quote is not closed"));
    assert_eq!(bad("/ab(/").0, "/ab(/");
    assert!(
        bad("/ab(/").1.starts_with("not a regular expression"),
        "{}",
        bad("/ab(/").1
    );
    assert_eq!(
        bad("/abc").1,
        "this regular expression is not closed: end it with a /"
    );
    assert_eq!(bad("(a OR b").0, "(");
    assert_eq!(bad("(a OR b").1, "this parenthesis is not closed");
    assert_eq!(bad("a)").0, ")");
    assert_eq!(bad("a)").1, "this parenthesis closes nothing");
    assert_eq!(bad("()").1, "these parentheses are empty");
    assert_eq!(bad("a OR").0, "OR");
    assert_eq!(bad("OR a").1, "something to search for is missing here");
    assert_eq!(bad("a AND").1, "AND needs something on both sides");
    assert_eq!(bad("NOT").1, "nothing follows this negation");
    assert_eq!(bad("method:").0, "method:");
    assert!(bad("method:").1.starts_with("method: needs a value"));
    assert_eq!(bad("direction:sideways").0, "sideways");
    assert_eq!(bad("file:0").1, "file: numbers start at 1");
    assert_eq!(bad("code:abc").0, "abc");
    assert!(bad("finding:boom").1.contains("is not a kind of finding"));
    assert!(bad("after:yesterday")
        .1
        .starts_with("\"yesterday\" is not a time"));
    assert!(bad("ip:10.0.0.0/40").1.contains("not a prefix length"));
    assert!(bad("cseq:x").1.starts_with("cseq: takes a number"));
    assert!(bad("header:=x")
        .1
        .starts_with("header: needs a header name"));
    assert!(bad("header:Foo=")
        .1
        .starts_with("header:Foo= needs a value"));
    assert_eq!(
        bad("method:\"a b\"").1,
        "\"a b\" is not a method name: a method: method:INVITE"
    );
    // Spans are byte offsets: after a Korean name, still on the bad part.
    assert_eq!(bad("홍길동 frm:x").0, "frm:");
}
