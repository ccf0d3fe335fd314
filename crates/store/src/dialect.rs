//! The few places where SQLite and PostgreSQL differ, kept together.

use sqlx::{AnyConnection, Executor};

use crate::{Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// SQLite: create the file when missing.
    pub(crate) fn prepare_url(self, url: &str) -> Result<String> {
        match self {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                Ok(format!("{url}{sep}mode=rwc"))
            }
            _ => Ok(url.to_string()),
        }
    }

    /// SQLite has one writer at a time; a few readers are enough. PostgreSQL serves many.
    pub(crate) fn max_connections(self) -> u32 {
        match self {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        }
    }

    /// Per-connection settings: WAL, foreign keys and a busy timeout for SQLite. A writer waits
    /// up to 30 s for another's transaction: an import of 100,000 devices holds the write lock
    /// for about 10 s (2 vCPU, session 12), and a clerk's save that waits is better than one that
    /// fails with "database is locked". (PostgreSQL waits for the audit head's row lock anyway.)
    pub(crate) async fn configure_connection(
        self,
        conn: &mut AnyConnection,
    ) -> std::result::Result<(), sqlx::Error> {
        if self == Backend::Sqlite {
            conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;")
                .await?;
        }
        Ok(())
    }

    /// The text of `object.key` inside a JSON TEXT column; `object` and `key` must be known names
    /// (letters, digits and underscores), which the caller checks.
    pub fn json_text(self, column: &str, object: &str, key: &str) -> String {
        debug_assert!(format!("{object}{key}")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        match self {
            Backend::Sqlite => format!("json_extract({column}, '$.{object}.{key}')"),
            Backend::Postgres => format!("(({column})::jsonb -> '{object}' ->> '{key}')"),
        }
    }

    /// A statement selecting, as the one text `rows`, every row of `from` (a table or subquery
    /// with its conditions) as a JSON array of its comma-separated `columns`, in `order`:
    /// `[[1,"a",null],…]`, `[]` when there is none. Read with [`crate::json_rows`].
    ///
    /// For reads of tens of thousands of rows. sqlx hands every row over from SQLite's worker
    /// thread (a channel send and a wake-up each) and `Any` converts every value (type, copy,
    /// column list) on the reading task; one text for all the rows leaves SQLite only its own
    /// work and the reading task one serde parse. SQLite orders inside the aggregate (3.44+);
    /// PostgreSQL 15 would sort again inside `json_agg` even when an index gives the order (~2×
    /// the time for 60,000 accounts), so it aggregates a sorted subquery, whose order a plain
    /// aggregate over one scan keeps.
    pub fn json_rows(self, columns: &str, from: &str, order: &str) -> String {
        match self {
            Backend::Sqlite => format!(
                "SELECT '[' || COALESCE(group_concat(json_array({columns}), ',' ORDER BY {order}), '') || ']' AS rows FROM {from}"
            ),
            Backend::Postgres => format!(
                "SELECT COALESCE(json_agg(r)::text, '[]') AS rows FROM (SELECT json_build_array({columns}) AS r FROM {from} ORDER BY {order}) ordered"
            ),
        }
    }

    /// `column` is one of the ids in the JSON array `[1,2,3]` bound as parameter `param` (see
    /// [`json_ids`]): one statement text for any number of ids, so it is prepared once per
    /// connection instead of parsed and planned for every list of ids.
    pub fn in_json_ids(self, column: &str, param: &str) -> String {
        match self {
            Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
            Backend::Postgres => format!(
                "{column} = ANY(ARRAY(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST({param} AS JSON)) AS ids(value)))"
            ),
        }
    }

    /// `column` is one of the texts in the JSON array `["a","b"]` bound as parameter `param`
    /// (see [`Backend::in_json_ids`]).
    pub fn in_json_texts(self, column: &str, param: &str) -> String {
        match self {
            Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
            Backend::Postgres => format!(
                "{column} = ANY(ARRAY(SELECT json_array_elements_text(CAST({param} AS JSON))))"
            ),
        }
    }

    /// Case-insensitive LIKE.
    pub fn ilike(self) -> &'static str {
        match self {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        }
    }
}

/// Removes a password from a URL for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// `%term%` with LIKE's wildcards escaped (used with `ESCAPE '\\'`).
pub(crate) fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The LIKE pattern of a search box's text in search form (NFKC, lower case), or None when
/// there is nothing to search for.
pub(crate) fn search_pattern(q: Option<&str>) -> Option<String> {
    q.map(mimamori_domain::validation::search_key)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|t| like_pattern(&t))
}

/// PostgreSQL: moves the pending entries of every GIN index of the schema into the index proper
/// (see `Store::analyze`). Allowed inside a transaction.
pub(crate) const CLEAN_GIN_PENDING_LISTS: &str =
    "SELECT gin_clean_pending_list(c.oid::regclass) AS cleaned FROM pg_class c
       JOIN pg_am a ON a.oid = c.relam
      WHERE a.amname = 'gin' AND c.relkind = 'i'
        AND c.relnamespace = current_schema()::regnamespace";

/// Ids as the JSON array [`Backend::in_json_ids`] reads (`[1,2,3]`).
pub fn json_ids(ids: &[i64]) -> String {
    let mut text = String::with_capacity(ids.len() * 8 + 2);
    text.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&id.to_string());
    }
    text.push(']');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:secret@db/mimamori"),
            "postgres://app:***@db/mimamori"
        );
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }

    #[test]
    fn ids_are_a_json_array() {
        assert_eq!(json_ids(&[]), "[]");
        assert_eq!(json_ids(&[7, -1, 123456789012]), "[7,-1,123456789012]");
    }
}
