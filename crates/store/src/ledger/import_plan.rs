//! What an import does to a ledger: each row of the file matched by its key (管理番号, a
//! register's key field) to the stored item — new, unchanged or changed. One matching serves the
//! preview, which only reads, and the import, which writes what it found inside its transaction.

use std::collections::HashMap;
use std::hash::Hash;

use mimamori_domain::ledger::changes::{FieldChange, RecordChange};
use serde::Serialize;

/// What an import did (or, in a preview, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Of the updated, how many were in use and are not after (稼働 → 停止・予備・廃棄).
    pub taken_out_of_use: usize,
    /// Items in use before the import.
    pub in_use_before: usize,
    /// What changes in the updated items, field by field: the first [`LISTED_CHANGES`].
    pub changes: Vec<RecordChange>,
}

/// Updated records whose changes an import lists; the count says how many more there are.
pub const LISTED_CHANGES: usize = 500;

/// The field changes of the first [`LISTED_CHANGES`] updated items: `changes(stored, incoming)`
/// says what differs.
pub(crate) fn listed_changes<'a, 's: 'a, S: 's, T: 'a>(
    incoming: impl IntoIterator<Item = (&'a T, &'a Match<'s, S>)>,
    key: impl Fn(&T) -> String,
    changes: impl Fn(&S, &T) -> Vec<FieldChange>,
) -> Vec<RecordChange> {
    incoming
        .into_iter()
        .filter_map(|(item, m)| match m {
            Match::Changed(stored) => Some(RecordChange {
                key: key(item),
                fields: changes(stored, item),
            }),
            _ => None,
        })
        .take(LISTED_CHANGES)
        .collect()
}

/// How one incoming item relates to the stored ones.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Match<'s, S> {
    /// No stored item has its key: it is created.
    New,
    /// The stored item with its key equals it: nothing is written.
    Unchanged,
    /// The stored item with its key differs: it is replaced.
    Changed(&'s S),
}

/// Matches `incoming` against `stored` (by key), in the order of `incoming`; `same` says whether
/// a stored item already holds what the incoming one says.
pub(crate) fn match_items<'s, K, S, T>(
    stored: &'s HashMap<K, S>,
    incoming: &[T],
    key: impl Fn(&T) -> K,
    same: impl Fn(&S, &T) -> bool,
) -> Vec<Match<'s, S>>
where
    K: Hash + Eq,
{
    incoming
        .iter()
        .map(|item| match stored.get(&key(item)) {
            None => Match::New,
            Some(existing) if same(existing, item) => Match::Unchanged,
            Some(existing) => Match::Changed(existing),
        })
        .collect()
}

impl ImportCounts {
    pub(crate) fn of<S>(matches: &[Match<'_, S>]) -> Self {
        let mut counts = ImportCounts::default();
        for m in matches {
            match m {
                Match::New => counts.created += 1,
                Match::Unchanged => counts.unchanged += 1,
                Match::Changed(_) => counts.updated += 1,
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_new_unchanged_or_changed_by_key_in_file_order() {
        let stored: HashMap<&str, (&str, i32)> = [("a", ("a", 1)), ("b", ("b", 2))].into();
        let incoming = [("c", 3), ("b", 2), ("a", 9)];
        let matches = match_items(&stored, &incoming, |t| t.0, |s, t| s.1 == t.1);
        assert_eq!(
            matches,
            vec![Match::New, Match::Unchanged, Match::Changed(&("a", 1))]
        );
        assert_eq!(
            ImportCounts::of(&matches),
            ImportCounts {
                created: 1,
                updated: 1,
                unchanged: 1,
                ..Default::default()
            }
        );
    }
}
