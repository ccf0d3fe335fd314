//! Test kit: fresh databases on both backends, the production router on a loopback port with a
//! cookie-keeping client, and sign-in helpers that carry the CSRF token and the TOTP code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod db;

pub use app::{app_password, facility_profile, TestApp, TestClient, TestUser};
pub use db::{fixed_clock, postgres_available, Backend, TestDb};

/// Runs each listed `async fn name(backend: Backend)` as `name::sqlite` and `name::postgres`.
/// Without PostgreSQL the postgres variant is skipped locally and fails under `CI=true`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::postgres_available().await {
                        super::$name($crate::Backend::Postgres).await
                    }
                }
            }
        )*
    };
}
