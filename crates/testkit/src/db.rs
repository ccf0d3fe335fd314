//! A fresh database per test: a temporary SQLite file (WAL), or a new PostgreSQL database.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use mimamori_domain::clock::SharedClock;
use mimamori_store::Store;
use sqlx::{Connection, Executor};
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server used for PostgreSQL tests; each test gets its own database on it.
pub fn postgres_admin_url() -> String {
    std::env::var("MIMAMORI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn base_url(admin: &str) -> &str {
    admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(admin)
}

static PG_READY: OnceCell<bool> = OnceCell::const_new();

/// Whether PostgreSQL can be reached. Under `CI=true` an unreachable server fails the test,
/// so CI never passes by skipping.
pub async fn postgres_available() -> bool {
    let ready = *PG_READY
        .get_or_init(|| async {
            sqlx::any::install_default_drivers();
            match sqlx::AnyConnection::connect(&postgres_admin_url()).await {
                Ok(mut conn) => {
                    drop_stale_databases(&mut conn).await;
                    true
                }
                Err(error) => {
                    eprintln!(
                        "PostgreSQL unavailable at {}: {error}",
                        postgres_admin_url()
                    );
                    false
                }
            }
        })
        .await;
    if !ready {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PostgreSQL is required under CI=true"
        );
        eprintln!(
            "skipping the PostgreSQL variant: set MIMAMORI_TEST_POSTGRES_URL or start PostgreSQL"
        );
    }
    ready
}

/// Drops test databases left by processes that are gone (a panicking test cannot drop its own).
async fn drop_stale_databases(conn: &mut sqlx::AnyConnection) {
    use sqlx::Row;
    let rows = sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE 'mimamori_t_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.try_get("datname").unwrap_or_default();
        let mut parts = name.split('_').skip(2);
        let pid: Option<u32> = parts.next().and_then(|p| p.parse().ok());
        let run = parts.next().unwrap_or_default();
        // A PID is reused on a busy machine: a database named with our own PID but another
        // run's nonce belongs to a process that has gone.
        let gone = pid.is_some_and(|pid| {
            !std::path::Path::new(&format!("/proc/{pid}")).exists()
                || (pid == std::process::id() && run != run_nonce())
        });
        if gone {
            let _ = conn
                .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                .await;
        }
    }
}

pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Distinguishes this test process from an earlier one that had the same PID.
fn run_nonce() -> &'static str {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NONCE.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!("{:x}", nanos % (1 << 40))
    })
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("mimamori.db").display()),
            Backend::Postgres => {
                let name = format!(
                    "mimamori_t_{}_{}_{}",
                    std::process::id(),
                    run_nonce(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let admin = postgres_admin_url();
                let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
                conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                    .await
                    .unwrap();
                format!("{}/{name}", base_url(&admin))
            }
        };
        TestDb { backend, url, dir }
    }

    pub async fn store(&self, clock: SharedClock) -> Store {
        Store::connect(&self.url, clock).await.unwrap()
    }

    /// Runs raw SQL against the database, bypassing the store (to tamper in tests).
    pub async fn execute(&self, sql: &str) {
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        conn.execute(sql).await.unwrap();
    }

    /// The first column of the first row of a raw query, as text (`None` without a row), to
    /// look at what the store does not expose (e.g. the planner's statistics).
    pub async fn text(&self, sql: &str) -> Option<String> {
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        let row = sqlx::query(sql).fetch_optional(&mut conn).await.unwrap()?;
        sqlx::Row::try_get::<Option<String>, _>(&row, 0).unwrap()
    }
}

pub fn fixed_clock() -> Arc<mimamori_domain::clock::FixedClock> {
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-21T01:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    Arc::new(mimamori_domain::clock::FixedClock::new(start))
}
