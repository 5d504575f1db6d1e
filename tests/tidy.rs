//! Tidy: the rules of ARCHITECTURE.md checked on the source text, the way rust-analyzer's tidy test does —
//! one-way layers with no circle anywhere in the crate, serde only in the view layer and `web.rs`, no `match` on
//! the input format outside `import`, a `//!` line atop every file, no `#[ignore]` without a reason. A failure
//! names the file, the line and the rule.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A file may use its own layer and the layers of a lower rank; layers of one rank
/// (sip and ladder; import and flow) do not use each other.
const LAYERS: &[(&str, u32)] = &[
    ("base", 0),
    ("sip", 1),
    ("ladder", 1),
    ("import", 2),
    ("flow", 2),
    ("store", 3),
    ("redact", 3),
    ("explain", 4),
    ("query", 5),
    ("view", 6),
    ("render", 7),
    ("web", 8),
    ("wasm_alloc", 8),
];

/// Types outside the view layer that still derive `Serialize`: fieldless enums whose kebab-case names are the
/// serialized form the view carries (a diagnostic's code, a finding's, body summary's or presence event's kind).
const SERDE_ALLOWED: &[(&str, &str)] = &[
    ("src/base/diag.rs", "Code"),
    ("src/explain/summary.rs", "BodyKind"),
    ("src/explain/finding.rs", "FindingKind"),
    ("src/explain/presence.rs", "PresenceSource"),
    ("src/explain/presence.rs", "LifeState"),
    ("src/explain/presence.rs", "LifeEventKind"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if !p.ends_with("target") && !p.ends_with("fixtures") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The module path of a file under src/: `src/view/ladder.rs` → [view, ladder]; `src/view/mod.rs` → [view].
fn module_of(file: &str) -> Vec<String> {
    let inner = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The file a module path names, the longest prefix that is a file: `[view, rows, Finding]` → src/view/rows.rs.
fn file_of(module: &[String]) -> Option<String> {
    let mut best = None;
    for n in 1..=module.len() {
        let base = format!("src/{}", module[..n].join("/"));
        if root().join(format!("{base}.rs")).is_file() {
            best = Some(format!("{base}.rs"));
        } else if root().join(format!("{base}/mod.rs")).is_file() {
            best = Some(format!("{base}/mod.rs"));
        } else {
            break;
        }
    }
    best
}

/// Source without comments, string literals and the test module at the end (tests may use anything).
fn code_of(text: &str) -> String {
    let cut = [
        "#[cfg(test)]\nmod tests",
        "#[cfg(test)]\npub(crate) mod tests",
    ]
    .iter()
    .filter_map(|m| text.find(m))
    .min()
    .unwrap_or(text.len());
    let mut out = String::new();
    for line in text[..cut].lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_str = false;
        for c in line.chars() {
            if c == '"' {
                in_str = !in_str;
                continue;
            }
            out.push(if in_str { ' ' } else { c });
        }
        out.push('\n');
    }
    out
}

/// Every module path a file names (`use` trees, `crate::…`, `super::…`, `self::…`), with the line it is on.
/// `pub use child::…` in a module's own file is its facade, not a dependency, and is left out.
fn references(file: &str, code: &str) -> Vec<(Vec<String>, usize)> {
    let me = module_of(file);
    let children: BTreeSet<String> = code
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
            l.strip_prefix("mod ")
                .map(|n| n.trim_end_matches(';').trim().to_string())
        })
        .collect();
    let mut out = Vec::new();
    // Expand `use a::{b, c::{d}}` into paths; also find inline `crate::a::b` and `super::a`.
    let mut statements: Vec<(String, usize, bool)> = Vec::new();
    let mut current: Option<(String, usize, bool)> = None;
    for (i, line) in code.lines().enumerate() {
        let t = line.trim();
        if let Some((s, _, _)) = current.as_mut() {
            s.push_str(t);
            if t.contains(';') {
                statements.push(current.take().unwrap());
            }
            continue;
        }
        let (is_pub, rest) = if let Some(r) = t.strip_prefix("pub use ") {
            (true, Some(r))
        } else if let Some(r) = t.strip_prefix("pub(crate) use ") {
            (true, Some(r))
        } else {
            (false, t.strip_prefix("use "))
        };
        if let Some(r) = rest {
            if r.contains(';') {
                statements.push((r.to_string(), i + 1, is_pub));
            } else {
                current = Some((r.to_string(), i + 1, is_pub));
            }
        }
    }
    for (stmt, line, is_pub) in &statements {
        for path in expand(stmt.trim_end_matches(';')) {
            let segs: Vec<String> = path.split("::").map(|s| s.trim().to_string()).collect();
            if *is_pub && segs.first().is_some_and(|s| children.contains(s)) {
                continue;
            }
            if let Some(m) = resolve(&me, &segs, &children) {
                out.push((m, *line));
            }
        }
    }
    for (i, line) in code.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("use ") || t.starts_with("pub use ") || t.starts_with("pub(crate) use ") {
            continue;
        }
        for start in ["crate::", "super::"] {
            let mut from = 0;
            while let Some(pos) = line[from..].find(start) {
                let at = from + pos;
                from = at + start.len();
                let before = line[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let path: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let segs: Vec<String> = path
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                if let Some(m) = resolve(&me, &segs, &children) {
                    out.push((m, i + 1));
                }
            }
        }
    }
    out
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let t = tree.split(" as ").next().unwrap_or(tree).trim();
        return vec![t.to_string()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut out = Vec::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        for e in expand(p) {
            if e == "self" {
                out.push(prefix.to_string());
            } else {
                out.push(format!("{prefix}::{e}"));
            }
        }
    }
    out
}

/// The absolute module path a `use` path names, when it names one of the crate's modules.
fn resolve(me: &[String], segs: &[String], children: &BTreeSet<String>) -> Option<Vec<String>> {
    let first = segs.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "super" | "self" => me.to_vec(),
        s if children.contains(s) => me.to_vec(),
        _ => return None,
    };
    let mut rest = segs;
    if first == "crate" || first == "self" {
        rest = &segs[1..];
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

fn layer_rank(name: &str) -> Option<u32> {
    LAYERS.iter().find(|(l, _)| *l == name).map(|(_, r)| *r)
}

struct Source {
    file: String,
    text: String,
}

fn sources() -> Vec<Source> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files
        .iter()
        .map(|p| Source {
            file: rel(p),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

#[test]
fn layers_only_use_lower_layers() {
    let mut problems = Vec::new();
    for s in sources() {
        if s.file == "src/lib.rs" {
            continue;
        }
        let me = module_of(&s.file);
        let Some(my_rank) = layer_rank(&me[0]) else {
            problems.push(format!(
                "{}: not in a layer (add it to LAYERS in tests/tidy.rs and to ARCHITECTURE.md)",
                s.file
            ));
            continue;
        };
        for (path, line) in references(&s.file, &code_of(&s.text)) {
            let Some(other) = path.first() else { continue };
            if *other == me[0] {
                continue;
            }
            match layer_rank(other) {
                Some(r) if r < my_rank => {}
                Some(_) => problems.push(format!(
                    "{}:{line}: layer `{}` uses `{}` ({}): a layer may only use the layers below it",
                    s.file,
                    me[0],
                    other,
                    path.join("::")
                )),
                None => {}
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn no_circle_between_files() {
    let mut graph: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for s in sources() {
        if s.file == "src/lib.rs" {
            continue;
        }
        let entry = graph.entry(s.file.clone()).or_default();
        for (path, line) in references(&s.file, &code_of(&s.text)) {
            if let Some(target) = file_of(&path) {
                // A module's own file is the facade of the files in its folder: its uses of them are not
                // dependencies (the files may use what it defines).
                let facade = s.file.ends_with("/mod.rs")
                    && target.starts_with(s.file.trim_end_matches("mod.rs"));
                if target != s.file && target != "src/lib.rs" && !facade {
                    entry.entry(target).or_insert(line);
                }
            }
        }
    }
    // Depth-first search for a back edge; report each circle once, as the chain of `file:line` uses.
    let mut problems = Vec::new();
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        n: &'a str,
        graph: &'a BTreeMap<String, BTreeMap<String, usize>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
        problems: &mut Vec<String>,
    ) {
        state.insert(n, 1);
        stack.push(n);
        for (m, _) in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| *s == m.as_str()).unwrap();
                    let mut chain: Vec<String> = Vec::new();
                    let cycle: Vec<&str> = stack[from..].to_vec();
                    for (i, a) in cycle.iter().enumerate() {
                        let b = cycle.get(i + 1).copied().unwrap_or(m.as_str());
                        chain.push(format!("{a}:{} → {b}", graph[*a][b]));
                    }
                    problems.push(format!("circle: {}", chain.join(", ")));
                }
                Some(_) => {}
                None => visit(m, graph, state, stack, problems),
            }
        }
        stack.pop();
        state.insert(n, 2);
    }
    for n in graph.keys() {
        if !state.contains_key(n.as_str()) {
            visit(n, &graph, &mut state, &mut Vec::new(), &mut problems);
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn serde_only_in_the_view_layer_and_web() {
    let mut problems = Vec::new();
    for s in sources() {
        if s.file.starts_with("src/view/") || s.file == "src/web.rs" {
            continue;
        }
        let lines: Vec<&str> = s.text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let derives = l.trim_start().starts_with("#[derive(") && l.contains("Serialize");
            let attr = l.trim_start().starts_with("#[serde(");
            if !(derives || attr) {
                continue;
            }
            let item = lines[i + 1..]
                .iter()
                .find(|n| n.contains("struct ") || n.contains("enum "))
                .and_then(|n| {
                    n.split_whitespace()
                        .skip_while(|w| *w != "struct" && *w != "enum")
                        .nth(1)
                })
                .unwrap_or("")
                .trim_end_matches('{');
            let allowed = SERDE_ALLOWED
                .iter()
                .any(|(f, t)| *f == s.file && *t == item);
            if derives && !allowed {
                problems.push(format!(
                    "{}:{}: `{item}` derives Serialize outside src/view and src/web.rs: serialize a view type instead",
                    s.file,
                    i + 1
                ));
            }
        }
        if s.text.contains("impl Serialize for") || s.text.contains("impl serde::Serialize for") {
            problems.push(format!("{}: implements Serialize outside src/view", s.file));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn no_match_on_the_input_format_outside_import() {
    let mut problems = Vec::new();
    for s in sources() {
        if s.file.starts_with("src/import/") {
            continue;
        }
        for (i, line) in code_of(&s.text).lines().enumerate() {
            let mut from = 0;
            while let Some(pos) = line[from..].find("Format::") {
                let at = from + pos;
                from = at + 8;
                let before = line[..at].chars().last();
                let next = line[from..].chars().next();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // OutputFormat::…
                }
                if next.is_some_and(|c| c.is_ascii_uppercase()) {
                    problems.push(format!(
                        "{}:{}: names a Format variant outside src/import: ask the format (a method in import) instead",
                        s.file,
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_file_says_what_it_is_for() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "cli", "gen", "benches", "fuzz", "harness"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut problems = Vec::new();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if !first.starts_with("//!") {
            problems.push(format!(
                "{}:1: starts without a `//!` line saying what it is for",
                rel(&p)
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn no_ignore_without_a_reason() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "cli", "gen", "benches", "harness"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut problems = Vec::new();
    let needle = ["#[", "ignore]"].concat();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, l) in text.lines().enumerate() {
            if l.trim() == needle {
                problems.push(format!(
                    "{}:{}: #[ignore] without a reason: write #[ignore = \"why\"]",
                    rel(&p),
                    i + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_checker_finds_what_it_must() {
    // The checker itself: a use tree expands, paths resolve from nested files, a circle is named.
    assert_eq!(
        expand("crate::a::{b, c::{d, e as f}, self}"),
        [
            "crate::a::b",
            "crate::a::c::d",
            "crate::a::c::e",
            "crate::a"
        ]
    );
    let me = module_of("src/view/ladder.rs");
    assert_eq!(me, ["view", "ladder"]);
    let none = BTreeSet::new();
    let segs = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        resolve(&me, &segs("super::rows::Finding"), &none).unwrap(),
        segs("view::rows::Finding")
    );
    assert_eq!(
        file_of(&segs("view::rows::Finding")).as_deref(),
        Some("src/view/rows.rs")
    );
    let refs = references(
        "src/store/mod.rs",
        &code_of("use crate::view::Summary;\nfn f() { crate::explain::findings(x); }\n"),
    );
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[1].0[0], "explain");
}
