//! Roaming contacts and groups ([MS-SIP] 2.2.4.1, `application/vnd-microsoft-roaming-contacts+xml`): the full
//! list (`contactList`, in the 200 OK to the SUBSCRIBE or the first NOTIFY) and the changes that follow it
//! (`contactDelta`, in later NOTIFYs or BENOTIFYs), both summarised from one reading of the `group` and
//! `contact` elements, names as written.
//!
//! A delta carries `deltaNum` (the list's number after the change) and `prevDeltaNum` (before it); its children
//! are `addedGroup`, `modifiedGroup`, `deletedGroup` (only an `id`), `addedContact`, `modifiedContact` and
//! `deletedContact` (only a `uri`). [MS-SIP] 3.7.5.2: the client keeps its copy in step by these numbers; a
//! delta whose `prevDeltaNum` is not the number it holds means it missed one and fetches the full list again.

use super::summary::{BodyKind, BodySummary};
use super::xml::Element;

/// At most this many rows in a summary's table; the rest are counted in a line.
pub const MAX_ROWS: usize = 200;

/// A `group`: `group 2` → `Finance`; a `contact`: its URI → its name as written and its groups by name.
fn row(s: &mut BodySummary, field: &str, e: &Element, groups: &[(&str, &str)]) {
    if let Some(uri) = e.attr("uri") {
        let name = e.attr("name").unwrap_or("").trim();
        let member: Vec<&str> = e
            .attr("groups")
            .unwrap_or("")
            .split_whitespace()
            .map(|id| {
                groups
                    .iter()
                    .find(|(g, _)| *g == id)
                    .map_or(id, |(_, n)| *n)
            })
            .collect();
        let value = match (name.is_empty(), member.is_empty()) {
            (_, true) => name.to_string(),
            (true, false) => format!("in {}", member.join(", ")),
            (false, false) => format!("{name} (in {})", member.join(", ")),
        };
        s.entry(uri, field, value);
    } else {
        let id = e.attr("id").unwrap_or("?");
        s.entry(
            &format!("group {id}"),
            field,
            e.attr("name").unwrap_or("").to_string(),
        );
    }
}

/// The rows of `items` (field, element), at most [`MAX_ROWS`], the rest said in a line.
fn rows(s: &mut BodySummary, items: &[(&str, &Element)], groups: &[(&str, &str)]) {
    for (field, e) in items.iter().take(MAX_ROWS) {
        row(s, field, e, groups);
    }
    if items.len() > MAX_ROWS {
        s.lines.push(format!(
            "The table shows the first {MAX_ROWS} of {} entries.",
            items.len()
        ));
    }
}

/// Group id → name, of a list's or delta's groups (a contact's `groups` attribute names them by id).
fn group_names<'a>(groups: impl Iterator<Item = &'a Element>) -> Vec<(&'a str, &'a str)> {
    groups
        .filter_map(|g| Some((g.attr("id")?, g.attr("name")?)))
        .collect()
}

/// `contactList`: every group and contact.
pub fn contact_list(part: usize, ct: &str, root: &Element) -> BodySummary {
    let groups: Vec<&Element> = root.children_named("group").collect();
    let contacts: Vec<&Element> = root.children_named("contact").collect();
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::ContactList,
        format!(
            "Contact list: {} groups, {} contacts",
            groups.len(),
            contacts.len()
        ),
    );
    if let Some(n) = root.attr("deltaNum") {
        s.lines.push(format!(
            "The full list, number {n}; later changes come as deltas numbered from it."
        ));
    }
    let names = group_names(groups.iter().copied());
    let items: Vec<(&str, &Element)> = groups
        .iter()
        .map(|g| ("group", *g))
        .chain(contacts.iter().map(|c| ("contact", *c)))
        .collect();
    rows(&mut s, &items, &names);
    s
}

/// What a delta's child says: (`added contact`, `contacts added`), by its element name.
fn change(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "addedgroup" => ("added group", "groups added"),
        "modifiedgroup" => ("changed group", "groups changed"),
        "deletedgroup" => ("deleted group", "groups deleted"),
        "addedcontact" => ("added contact", "contacts added"),
        "modifiedcontact" => ("changed contact", "contacts changed"),
        "deletedcontact" => ("deleted contact", "contacts deleted"),
        _ => return None,
    })
}

/// `contactDelta`: the groups and contacts added, changed or deleted since the list numbered `prevDeltaNum`.
pub fn contact_delta(part: usize, ct: &str, root: &Element) -> BodySummary {
    let items: Vec<(&str, &str, &Element)> = root
        .children
        .iter()
        .filter_map(|c| change(&c.name).map(|(field, many)| (field, many, c)))
        .collect();
    // Counts in the order the delta names them: `1 contact added, 1 group deleted`.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (_, many, _) in &items {
        match counts.iter_mut().find(|(m, _)| m == many) {
            Some((_, n)) => *n += 1,
            None => counts.push((many, 1)),
        }
    }
    let what = if counts.is_empty() {
        "no change named".to_string()
    } else {
        counts
            .iter()
            .map(|(many, n)| {
                let (noun, verb) = many.split_once(' ').unwrap_or((many, ""));
                let noun = if *n == 1 {
                    noun.trim_end_matches('s')
                } else {
                    noun
                };
                format!("{n} {noun} {verb}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let num = root.attr("deltaNum");
    let prev = root.attr("prevDeltaNum");
    let mut s = BodySummary::new(
        part,
        ct,
        BodyKind::ContactDelta,
        format!(
            "Contact list change{}: {what}",
            num.map(|n| format!(" {n}")).unwrap_or_default()
        ),
    );
    s.lines.push(match (prev, num) {
        (Some(p), Some(n)) => format!(
            "Changes from list number {p} to {n}: a client holding number {p} applies them; one holding another number fetches the whole list again."
        ),
        _ => "The delta does not say which list numbers it goes between (deltaNum, prevDeltaNum).".to_string(),
    });
    let others: Vec<&str> = root
        .children
        .iter()
        .filter(|c| change(&c.name).is_none())
        .map(|c| c.name.as_str())
        .collect();
    if !others.is_empty() {
        s.lines
            .push(format!("Other elements: {}.", others.join(", ")));
    }
    let names = group_names(
        items
            .iter()
            .filter(|(field, _, _)| field.ends_with("group"))
            .map(|(_, _, e)| *e),
    );
    let rows_in: Vec<(&str, &Element)> = items.iter().map(|(f, _, e)| (*f, *e)).collect();
    rows(&mut s, &rows_in, &names);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::xml;

    fn summary(text: &str) -> BodySummary {
        let root = xml::parse(text).root.unwrap();
        if root.name == "contactDelta" {
            contact_delta(0, "application/vnd-microsoft-roaming-contacts+xml", &root)
        } else {
            contact_list(0, "application/vnd-microsoft-roaming-contacts+xml", &root)
        }
    }

    fn table(s: &BodySummary) -> Vec<(String, String, String)> {
        s.entries
            .iter()
            .map(|e| (e.subject.clone(), e.field.clone(), e.value.clone()))
            .collect()
    }

    #[test]
    fn a_full_list_names_groups_and_each_contacts_groups() {
        let s = summary(
            r#"<contactList deltaNum="212"><group id="1" name="~" externalURI=""/><group id="2" name="Finance" externalURI=""/><contact uri="bob@contoso.com" name="" groups="1 2 " subscribed="true"/><contact uri="dave@fabrikam.com" name="Dave (Fabrikam)" groups="2" subscribed="true"/></contactList>"#,
        );
        assert_eq!(s.kind, BodyKind::ContactList);
        assert_eq!(s.title, "Contact list: 2 groups, 2 contacts");
        assert_eq!(
            table(&s),
            [
                ("group 1".into(), "group".into(), "~".into()),
                ("group 2".into(), "group".into(), "Finance".into()),
                (
                    "bob@contoso.com".into(),
                    "contact".into(),
                    "in ~, Finance".into()
                ),
                (
                    "dave@fabrikam.com".into(),
                    "contact".into(),
                    "Dave (Fabrikam) (in Finance)".into()
                ),
            ]
        );
    }

    #[test]
    fn a_delta_says_what_changed_between_which_numbers() {
        let s = summary(
            r#"<contactDelta deltaNum="213" prevDeltaNum="212"><addedGroup id="4" name="Project &lt;X&gt;" externalURI=""/><addedContact uri="frank@fabrikam.com" name="Frank" groups="4 3" subscribed="true"/><modifiedContact uri="bob@contoso.com" name="Bob B." groups="1"/><deletedContact uri="erin@contoso.com"/><deletedContact uri="gus@contoso.com"/><deletedGroup id="3"/></contactDelta>"#,
        );
        assert_eq!(s.kind, BodyKind::ContactDelta);
        assert_eq!(
            s.title,
            "Contact list change 213: 1 group added, 1 contact added, 1 contact changed, 2 contacts deleted, 1 group deleted"
        );
        assert!(s.lines[0].starts_with("Changes from list number 212 to 213"));
        let t = table(&s);
        assert_eq!(
            t[0],
            ("group 4".into(), "added group".into(), "Project <X>".into())
        );
        // Groups the delta names are named; others stay ids.
        assert_eq!(t[1].2, "Frank (in Project <X>, 3)");
        assert_eq!(t[2].2, "Bob B. (in 1)");
        assert_eq!(
            t[3],
            (
                "erin@contoso.com".into(),
                "deleted contact".into(),
                "".into()
            )
        );
        assert_eq!(t[5], ("group 3".into(), "deleted group".into(), "".into()));
    }

    #[test]
    fn long_lists_say_where_the_table_stops() {
        let many: String = (0..MAX_ROWS + 5)
            .map(|i| format!(r#"<contact uri="u{i}@contoso.com" name=""/>"#))
            .collect();
        let s = summary(&format!(
            r#"<contactList deltaNum="1">{many}</contactList>"#
        ));
        assert_eq!(s.entries.len(), MAX_ROWS);
        assert!(s.lines.iter().any(|l| l.contains("first 200 of 205")));
        let empty = summary(r#"<contactDelta/>"#);
        assert_eq!(empty.title, "Contact list change: no change named");
    }
}
