//! `/metrics` in the Prometheus text format (0.0.4): what a hospital's monitoring scrapes —
//! requests by method and status class, sign-in failures, the server's memory and uptime, and
//! whether the database answers. Aggregate numbers only: no facility, person or path is named.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// The counters, shared by every request of the process.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    requests: [[AtomicU64; 5]; 6],
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            requests: Default::default(),
        }
    }
}

impl Metrics {
    fn count(&self, method: &str, status: StatusCode) {
        let m = METHODS
            .iter()
            .position(|known| *known == method)
            .unwrap_or(METHODS.len() - 1);
        let c = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.requests[m][c].fetch_add(1, Ordering::Relaxed);
    }

    /// The text Prometheus reads.
    fn render(&self, database_up: bool, sign_in_failures: u64) -> String {
        let mut text = String::from(
            "# HELP mimamori_http_requests_total Requests answered, by method and status class.\n# TYPE mimamori_http_requests_total counter\n",
        );
        for (m, method) in METHODS.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let n = self.requests[m][c].load(Ordering::Relaxed);
                if n > 0 {
                    text.push_str(&format!(
                        "mimamori_http_requests_total{{method=\"{method}\",status=\"{class}\"}} {n}\n"
                    ));
                }
            }
        }
        text.push_str(&format!(
            "# HELP mimamori_database_up Whether the database answered this scrape.\n# TYPE mimamori_database_up gauge\nmimamori_database_up {}\n",
            u8::from(database_up)
        ));
        text.push_str(&format!(
            "# HELP mimamori_sign_in_failures Failed sign-ins with unknown e-mails counted by the address throttle now.\n# TYPE mimamori_sign_in_failures gauge\nmimamori_sign_in_failures {sign_in_failures}\n"
        ));
        text.push_str(&format!(
            "# HELP process_uptime_seconds Seconds since the server started.\n# TYPE process_uptime_seconds gauge\nprocess_uptime_seconds {}\n",
            self.started.elapsed().as_secs()
        ));
        if let Some(bytes) = resident_bytes() {
            text.push_str(&format!(
                "# HELP process_resident_memory_bytes Resident memory of the server.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {bytes}\n"
            ));
        }
        text
    }
}

/// VmRSS of this process (Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Counts every request by its method and the status it got.
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    state.metrics.count(&method, response.status());
    response
}

pub async fn page(State(state): State<AppState>) -> Response {
    let up = state.store.ping().await.is_ok();
    let text = state.metrics.render(up, state.throttle.failures() as u64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
