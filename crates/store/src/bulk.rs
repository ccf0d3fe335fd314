//! Writing many rows at once: multi-row INSERTs with numbered parameters (which both backends
//! accept), ids reserved up front so that children can be written without reading ids back, and
//! audit entries appended to the hash chain in the same multi-row way. Used by the device import
//! and the data generator; every call runs inside a [`WriteTx`], so a failure writes nothing.

use mimamori_domain::audit::ChainInput;

use crate::{col, AuditRecord, Backend, Result, WriteTx};

/// One value of a row.
#[derive(Debug, Clone)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(Some(i64::from(v)))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}

// NULLs keep their column's type: PostgreSQL refuses a text NULL for a BIGINT column.
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}

/// Rows for one table; `columns` are compile-time names, never user input.
#[derive(Debug)]
pub struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Value>,
}

impl Rows {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            values: Vec::new(),
        }
    }

    /// Appends a row; it must have one value per column.
    pub fn push(&mut self, row: impl IntoIterator<Item = Value>) {
        let before = self.values.len();
        self.values.extend(row);
        debug_assert_eq!(self.values.len() - before, self.columns.len());
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMETERS: usize = 30_000;
/// Rows per statement: larger statements stop paying off and cost memory.
const MAX_ROWS: usize = 1_000;

impl WriteTx {
    /// Inserts `rows` in multi-row statements.
    pub async fn insert_rows(&mut self, rows: &Rows) -> Result<()> {
        let width = rows.columns.len();
        if width == 0 || rows.values.is_empty() {
            return Ok(());
        }
        let per_statement = (MAX_PARAMETERS / width).clamp(1, MAX_ROWS);
        let mut cached: Option<(usize, String)> = None;
        for chunk in rows.values.chunks(per_statement * width) {
            let n = chunk.len() / width;
            if cached.as_ref().is_none_or(|(len, _)| *len != n) {
                cached = Some((n, insert_sql(self.backend, rows.table, rows.columns, n)));
            }
            let sql = cached.as_ref().map(|(_, s)| s.as_str()).unwrap_or_default();
            let mut query = sqlx::query(sql);
            for value in chunk {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.as_deref()),
                };
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Reserves `count` ids of `table` (whose key is `id`) and returns the first. On SQLite the
    /// next ids after the largest, as its own rowids are (writers are serialised by the audit
    /// chain's head row, so no other transaction takes them); on PostgreSQL from the identity
    /// sequence, moved past them at once, so ids of deleted rows are never handed out again and
    /// rows inserted later in the transaction with a default id do not collide.
    pub async fn reserve_ids(&mut self, table: &'static str, count: usize) -> Result<i64> {
        if self.backend == Backend::Sqlite {
            let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 AS id FROM {table}");
            let row = sqlx::query(&sql).fetch_one(&mut *self.tx).await?;
            return col(&row, "id");
        }
        let sequence = format!("pg_get_serial_sequence('{table}', 'id')");
        let row = sqlx::query(&format!("SELECT nextval({sequence}) AS id"))
            .fetch_one(&mut *self.tx)
            .await?;
        let first: i64 = col(&row, "id")?;
        if count > 1 {
            sqlx::query(&format!("SELECT setval({sequence}, $1)"))
                .bind(first + count as i64 - 1)
                .fetch_one(&mut *self.tx)
                .await?;
        }
        Ok(first)
    }

    /// Refreshes the planner's statistics of `tables` after a bulk write, and on PostgreSQL
    /// cleans the GIN indexes' pending lists (see `Store::analyze`); inside the transaction:
    /// both backends allow it.
    pub async fn analyze(&mut self, tables: &[&'static str]) -> Result<()> {
        for table in tables {
            sqlx::query(&format!("ANALYZE {table}"))
                .execute(&mut *self.tx)
                .await?;
        }
        if self.backend == crate::Backend::Postgres {
            sqlx::query(crate::dialect::CLEAN_GIN_PENDING_LISTS)
                .fetch_all(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Appends many audit entries to the hash chain with multi-row INSERTs.
    pub async fn audit_many(&mut self, records: Vec<AuditRecord<'_>>) -> Result<()> {
        let rows = self.audit_rows(records);
        self.insert_rows(&rows).await
    }

    /// The rows of many audit entries, chained onto the transaction's last entry; the caller
    /// writes them (with [`WriteTx::insert_rows`]) before anything else is audited.
    pub(crate) fn audit_rows(&mut self, records: Vec<AuditRecord<'_>>) -> Rows {
        const COLUMNS: &[&str] = &[
            "seq",
            "at",
            "actor_id",
            "actor",
            "facility_id",
            "action",
            "entity",
            "entity_id",
            "before_json",
            "after_json",
            "prev_hash",
            "hash",
        ];
        let mut rows = Rows::new("audit_log", COLUMNS);
        for record in records {
            self.note_touched(&record);
            let seq = self.seq + 1;
            let hash = ChainInput {
                seq,
                at: &self.now,
                actor_id: self.actor().user_id,
                actor: &self.actor().display,
                facility_id: record.facility_id,
                action: record.action,
                entity: record.entity,
                entity_id: record.entity_id.as_deref(),
                before: record.before.as_deref(),
                after: record.after.as_deref(),
                prev_hash: &self.hash,
            }
            .hash();
            rows.push([
                seq.into(),
                self.now.clone().into(),
                self.actor().user_id.into(),
                self.actor().display.clone().into(),
                record.facility_id.into(),
                record.action.into(),
                record.entity.into(),
                record.entity_id.into(),
                record.before.into(),
                record.after.into(),
                std::mem::take(&mut self.hash).into(),
                hash.clone().into(),
            ]);
            self.seq = seq;
            self.hash = hash;
            self.appended = true;
        }
        rows
    }
}

/// A multi-row INSERT. SQLite gets anonymous `?` parameters: it looks each `$n` name up in a
/// list, which makes a statement of 20,000 numbered parameters quadratic (over a second to
/// prepare); PostgreSQL needs `$n`.
fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(r * width + c + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parameters_row_by_row() {
        assert_eq!(
            insert_sql(Backend::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(Backend::Sqlite, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
