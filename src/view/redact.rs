//! A redaction as the page shows it before a download ("Share a redacted copy"): each file's copy, or why it has
//! none; each category with how many values it renames, whether it is kept, and the first few renamings.

use crate::base::filename;
use crate::import;
use crate::redact::{redact_all, Category, Keep};
use serde::Serialize;
#[cfg(test)]
use ts_rs::TS;

/// Renamings shown per category.
pub const EXAMPLES: usize = 3;
/// An example's original and stand-in are cut to this many characters (a free text can be a page long).
const EXAMPLE_CHARS: usize = 60;

/// One input and its copy.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct RedactedFile {
    pub name: String,
    /// What the copy is saved as: `Lync-UccApi-0-redacted.UccApilog`.
    pub copy_name: String,
    /// The format the input was read as, for people.
    pub format: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub size: u64,
    /// The copy's size, when there is a copy.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub copy_size: Option<u64>,
    /// Why there is no copy (a format redaction does not write back).
    pub refused: Option<String>,
    /// Files inside an archive the copy leaves out, each with why (`Tracing/readme.txt: not redacted: …`).
    pub left_out: Vec<String>,
}

/// An original value and its stand-in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Renaming {
    pub from: String,
    pub to: String,
}

/// A category of values: what a download renames, unless kept.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct RedactCategory {
    /// The name `--keep` and the page's keep switches use (`users`, `domains`…).
    pub name: String,
    /// For people (`SIP URI users`).
    pub label: String,
    /// Distinct values met (a kept category counts what it would rename).
    pub count: u32,
    pub kept: bool,
    /// The first [`EXAMPLES`] renamings, in the order met (for a kept category: what they would have been).
    pub examples: Vec<Renaming>,
}

/// What a redaction of the inputs changes, by file and by category.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct RedactionSummary {
    pub files: Vec<RedactedFile>,
    pub categories: Vec<RedactCategory>,
}

/// The copies as one zip (`sipscope-redacted.zip` holds each under its copy name), for a download of several.
pub fn zip_copies(r: &Redaction) -> Vec<u8> {
    let entries: Vec<(&str, &[u8], bool, bool)> = r
        .summary
        .files
        .iter()
        .zip(&r.copies)
        .filter_map(|(f, c)| c.as_deref().map(|c| (f.copy_name.as_str(), c, true, false)))
        .collect();
    crate::redact::archive::zip(&entries)
}

/// A redaction: its summary, each file's copy (none when refused), and the mapping when asked for.
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(TS))]
pub struct Redaction {
    pub summary: RedactionSummary,
    #[cfg_attr(test, ts(type = "(Uint8Array | null)[]"))]
    pub copies: Vec<Option<Vec<u8>>>,
    /// `category<TAB>original<TAB>stand-in` lines, never part of a copy.
    pub mapping: Option<String>,
    /// The copies in one zip (see [`zip_copies`]), when asked for and there are several (made by `web.rs`).
    #[cfg_attr(test, ts(type = "Uint8Array | null"))]
    pub zip: Option<Vec<u8>>,
}

/// The name of `name`'s redacted copy: `-redacted` before its extension.
pub fn copy_name(name: &str) -> String {
    let (stem, ext) = filename::split(name);
    format!(
        "{}-redacted{}",
        filename::safe(stem, "sipscope"),
        filename::safe(ext, "")
    )
}

/// The categories a list of names keeps (`["domains", "users"]`); an unknown name is an error naming it.
pub fn keep_from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Keep, String> {
    names.into_iter().try_fold(Keep::default(), |k, n| {
        Category::named(n)
            .map(|c| k.with(c))
            .ok_or_else(|| format!("unknown category {n:?}"))
    })
}

/// Redact `files` (name, bytes) with one table of pseudonyms, keeping the categories in `keep`.
pub fn redact(files: &[(&str, &[u8])], keep: Keep, with_mapping: bool) -> Redaction {
    let bytes: Vec<&[u8]> = files.iter().map(|f| f.1).collect();
    let (copies, redactor) = redact_all(&bytes, keep);
    let mut examples: Vec<Vec<Renaming>> = vec![Vec::new(); Category::ALL.len()];
    for (c, from, to) in redactor.names.entries() {
        let list = &mut examples[c as usize];
        if list.len() < EXAMPLES {
            list.push(Renaming {
                from: cut(from),
                to: cut(to),
            });
        }
    }
    let categories = redactor
        .counts()
        .into_iter()
        .map(|(c, count)| RedactCategory {
            name: c.name().to_string(),
            label: c.label().to_string(),
            count: count as u32,
            kept: keep.has(c),
            examples: std::mem::take(&mut examples[c as usize]),
        })
        .collect();
    let files_out = files
        .iter()
        .zip(&copies)
        .enumerate()
        .map(|(i, ((name, input), copy))| {
            let head = &input[..input.len().min(import::SNIFF_BYTES)];
            RedactedFile {
                name: name.to_string(),
                copy_name: copy_name(name),
                format: import::detect(head, true).0.display_name().to_string(),
                size: input.len() as u64,
                copy_size: copy.as_ref().ok().map(|c| c.len() as u64),
                refused: copy.as_ref().err().map(|e| e.to_string()),
                left_out: redactor
                    .left_out()
                    .iter()
                    .filter(|l| l.file == i)
                    .map(|l| {
                        if l.entry.is_empty() {
                            l.reason.clone()
                        } else {
                            format!("{}: {}", l.entry, l.reason)
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Redaction {
        summary: RedactionSummary {
            files: files_out,
            categories,
        },
        copies: copies.into_iter().map(Result::ok).collect(),
        mapping: with_mapping.then(|| redactor.mapping_text()),
        zip: None,
    }
}

/// `s` on one line, cut to [`EXAMPLE_CHARS`] characters with `…`.
fn cut(s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one.chars().count() <= EXAMPLE_CHARS {
        one
    } else {
        one.chars().take(EXAMPLE_CHARS - 1).chain(['…']).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_named_before_their_extension() {
        assert_eq!(
            copy_name("Lync-UccApi-0.UccApilog"),
            "Lync-UccApi-0-redacted.UccApilog"
        );
        assert_eq!(copy_name("trace.log.gz"), "trace-redacted.log.gz");
        assert_eq!(copy_name("pasted"), "pasted-redacted");
        assert_eq!(copy_name("a:b.txt"), "a_b-redacted.txt");
    }

    #[test]
    fn unknown_keep_names_are_errors() {
        let k = keep_from_names(["domains", "Users"]).unwrap();
        assert!(k.has(Category::Domains) && k.has(Category::Users) && !k.has(Category::Ids));
        assert!(keep_from_names(["passwords"])
            .unwrap_err()
            .contains("passwords"));
    }

    #[test]
    fn the_sample_shows_counts_and_examples_and_kept_categories() {
        let sample: &[u8] = include_bytes!("../../www/sample/sample.uccapilog");
        let r = redact(
            &[
                ("sample.uccapilog", sample),
                ("notes.bin", &[0u8, 1, 2, 3][..]),
            ],
            Keep::default().with(Category::Domains),
            true,
        );
        let users = &r.summary.categories[0];
        assert_eq!(users.name, "users");
        assert!(users.count > 0 && !users.kept);
        assert!(!users.examples.is_empty() && users.examples.len() <= EXAMPLES);
        assert!(users.examples.iter().all(|e| e.from != e.to));
        let domains = r
            .summary
            .categories
            .iter()
            .find(|c| c.name == "domains")
            .unwrap();
        assert!(domains.kept && domains.count > 0);
        let f = &r.summary.files;
        assert_eq!(f[0].copy_name, "sample-redacted.uccapilog");
        assert_eq!(f[0].copy_size, r.copies[0].as_ref().map(|c| c.len() as u64));
        assert!(f[0].refused.is_none());
        assert!(r.copies[1].is_none() && f[1].refused.is_some() && f[1].copy_size.is_none());
        let copy = String::from_utf8_lossy(r.copies[0].as_ref().unwrap());
        assert!(!copy.contains(&users.examples[0].from));
        assert!(r.mapping.unwrap().lines().count() >= users.count as usize);
    }

    #[test]
    fn several_copies_zip_under_their_names_and_archives_say_what_they_leave_out() {
        let sample: &[u8] = include_bytes!("../../www/sample/sample.uccapilog");
        let zipped = crate::redact::archive::zip(&[
            ("Tracing/Lync-UccApi-0.UccApilog", sample, true, false),
            (
                "Tracing/notes.bin",
                &[0u8, 159, 146, 150, 7][..],
                false,
                false,
            ),
        ]);
        let r = redact(
            &[("a.uccapilog", sample), ("logs.zip", &zipped)],
            Keep::default(),
            false,
        );
        assert!(r.summary.files[0].left_out.is_empty());
        let left = &r.summary.files[1].left_out;
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(left[0].starts_with("Tracing/notes.bin: "), "{left:?}");
        let z = zip_copies(&r);
        let a = crate::store::Analysis::of_files([("copies.zip", z.as_slice())]);
        let names: Vec<&str> = a.files.iter().map(|f| f.name.as_str()).collect();
        assert!(
            names.iter().any(|n| n.ends_with("a-redacted.uccapilog")),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .any(|n| n.ends_with("logs-redacted.zip/Tracing/Lync-UccApi-0.UccApilog")),
            "{names:?}"
        );
    }

    #[test]
    fn long_examples_are_cut_on_one_line() {
        let long = format!("line one\n{}", "x".repeat(200));
        let c = cut(&long);
        assert_eq!(c.chars().count(), EXAMPLE_CHARS);
        assert!(c.ends_with('…') && !c.contains('\n'));
    }
}
