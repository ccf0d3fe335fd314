//! Persistence for Mimamori on SQLite (embedded default) and PostgreSQL, with one SQL text for
//! both wherever possible. The store knows no HTTP.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod bcp;
pub mod bulk;
mod cache;
pub mod checklist;
pub mod contacts;
mod dialect;
mod error;
pub mod facilities;
pub mod generated;
pub mod governance;
pub mod incidents;
pub mod ledger;
mod migrate;
pub mod overview;
pub mod sessions;
pub mod users;
pub mod vulnerabilities;
mod write;

use std::sync::Arc;

use mimamori_domain::clock::{format_timestamp, SharedClock};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use cache::FacilityCache;

pub use dialect::Backend;
pub use error::StoreError;
pub use write::{Actor, AuditRecord, WriteTx};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Facilities whose device-list facets and ledger status are kept (a few hundred bytes each).
const LIST_CONTEXTS_CACHED: usize = 4_096;
/// Facilities whose findings facts are kept: a 10,000-device, 60,000-account hospital's are
/// ~10 MB, a clinic's a few kB; the most recently used few are the ones people are looking at.
const FACTS_CACHED: usize = 8;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    clock: SharedClock,
    url: Arc<str>,
    ledger_cache: Arc<FacilityCache<ledger::confirmations::ListContext>>,
    facts_cache: Arc<FacilityCache<checklist::KeptFacts>>,
    findings_cache: Arc<FacilityCache<checklist::Evaluated>>,
    global_changes: Arc<cache::Counter>,
    writes: Arc<cache::Counter>,
    facts_reads: Arc<checklist::FactsCounters>,
    lifecycle_cache: Arc<vulnerabilities::LifecycleCache>,
    cve_cache: Arc<vulnerabilities::CveCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str, clock: SharedClock) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.prepare_url(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(backend.max_connections())
            .after_connect(move |conn, _| {
                Box::pin(async move { backend.configure_connection(conn).await })
            })
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                url: dialect::redact(&url),
                source,
            })?;
        let store = Store {
            pool,
            backend,
            clock,
            url: url.into(),
            ledger_cache: Arc::new(FacilityCache::new(LIST_CONTEXTS_CACHED)),
            facts_cache: Arc::new(FacilityCache::new(FACTS_CACHED)),
            findings_cache: Arc::new(FacilityCache::new(FACTS_CACHED)),
            global_changes: Default::default(),
            writes: Default::default(),
            facts_reads: Default::default(),
            lifecycle_cache: Default::default(),
            cve_cache: Default::default(),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// How many writes (audited transactions and session changes) this process has committed:
    /// what callers keep derived from users, sessions or facilities is current while it stays.
    pub fn write_count(&self) -> u64 {
        self.writes.current()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The connection URL with any password removed, for messages.
    pub fn display_url(&self) -> String {
        dialect::redact(&self.url)
    }

    pub(crate) fn now_text(&self) -> String {
        format_timestamp(self.clock.now())
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Refreshes the planner's statistics after a bulk load (without them PostgreSQL plans
    /// per-facility joins as full scans of the software and interface tables). On PostgreSQL it
    /// also moves the GIN indexes' pending entries into the index proper: a bulk load leaves them
    /// in a list that every search reads through (the device search's trigram scan took 2.6 ms
    /// after a 100,000-device import, 0.7 ms once cleaned) until autovacuum gets to it.
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        if self.backend == Backend::Postgres {
            sqlx::query(dialect::CLEAN_GIN_PENDING_LISTS)
                .fetch_all(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Checks that the database answers; for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Reads a column, naming it in the error.
pub(crate) fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(name).map_err(StoreError::from)
}

/// The number of matches when one page shows them all — a first page that is not full — so
/// that no count query runs (a register's or an account list's whole read, a small facility).
pub(crate) fn total_on_page(page: i64, per_page: i64, rows: usize) -> Option<i64> {
    let rows = i64::try_from(rows).ok()?;
    (page <= 1 && rows < per_page).then_some(rows)
}

/// The rows a query selected as one JSON text named `rows` (see [`Backend::json_rows`]), each
/// into a tuple (struct) of the columns' types, in their order.
pub(crate) fn json_rows<T: serde::de::DeserializeOwned>(row: &AnyRow) -> Result<Vec<T>> {
    let text: &str = row.try_get("rows").map_err(StoreError::from)?;
    serde_json::from_str(text).map_err(|e| StoreError::Unsupported(format!("JSON rows: {e}")))
}

/// Which of a facility's rows a read takes: all of them, or only some ids (the rows an audited
/// change named, when kept facts are brought up to date).
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    All,
    Ids(Vec<i64>),
    /// The accounts of one system, by its search key.
    System(String),
}

impl Scope {
    /// The condition to append to a `WHERE` on the id `column` (binding the ids or the system
    /// key as `$2`).
    pub(crate) fn condition(&self, backend: Backend, column: &str) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Ids(_) => format!(" AND {}", backend.in_json_ids(column, "$2")),
            Scope::System(_) => " AND system_key = $2".to_string(),
        }
    }
}

impl Store {
    /// [`json_rows`] of `sql`, which binds the facility as `$1` (and a scope's ids as `$2`, see
    /// [`Scope::condition`]).
    pub(crate) async fn facility_json_rows<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        facility_id: i64,
        scope: &Scope,
    ) -> Result<Vec<T>> {
        let mut query = sqlx::query(sql).bind(facility_id);
        match scope {
            Scope::All => {}
            Scope::Ids(ids) => query = query.bind(dialect::json_ids(ids)),
            Scope::System(key) => query = query.bind(key.as_str()),
        }
        json_rows(&query.fetch_one(&self.pool).await?)
    }
}

/// Flags are stored as 0/1 integers on both backends.
pub(crate) fn flag(row: &AnyRow, name: &str) -> Result<bool> {
    Ok(col::<i64>(row, name)? != 0)
}
