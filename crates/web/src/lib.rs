//! Mimamori's web server: server-rendered pages, the JSON API under /api/v1, sign-in and
//! sessions. It calls the domain and the store; nothing below it knows HTTP.

pub mod accounts;
pub mod api;
mod audit;
pub mod auth;
pub mod bcp;
pub mod checklist;
pub mod config;
pub mod contacts;
mod cookies;
mod csrf;
pub mod devices;
pub mod error;
mod facilities;
mod governance;
pub mod incidents;
mod members;
pub mod metrics;
mod middleware;
pub mod overview;
mod pages;
pub mod preparedness;
pub mod registers;
pub mod routes;
pub mod secrets;
pub mod transfer;
mod view;
mod vulnerabilities;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use mimamori_store::Store;

pub use config::WebConfig;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<auth::throttle::AddressThrottle>,
    pub auth_cache: Arc<auth::cache::AuthCache>,
    rules: routes::RuleMap,
    /// The key CSRF tokens are made with (kept in the settings table, read once).
    csrf_key: Arc<tokio::sync::OnceCell<String>>,
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        let rules: HashMap<_, _> = routes::rules()
            .into_iter()
            .map(|r| ((r.method, r.path), r.permission))
            .collect();
        let throttle = auth::throttle::AddressThrottle::new(
            config.address_failures_per_window,
            config.address_window_minutes,
        );
        Self {
            store,
            config: Arc::new(config),
            throttle: Arc::new(throttle),
            auth_cache: Default::default(),
            rules: Arc::new(rules),
            csrf_key: Default::default(),
            metrics: Default::default(),
        }
    }

    /// The installation's CSRF key, made at the first request that needs it.
    pub async fn csrf_key(&self) -> Result<&str, mimamori_store::StoreError> {
        self.csrf_key
            .get_or_try_init(|| async {
                let key = secrets::random_token();
                self.store.setting_or_put("csrf_key", &key).await
            })
            .await
            .map(String::as_str)
    }
}

/// The production router with every middleware.
pub fn router(state: AppState) -> Router {
    let (routes, _) = routes::table().into_parts();
    let max_body = state.config.max_upload_bytes;
    routes
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::protect,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::refuse_nul,
        ))
        .layer(axum::middleware::from_fn(middleware::render_errors))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The overview's summaries catch up with writes in the background while the server runs.
    let refresher = tokio::spawn(overview::refresh_loop(
        state.store.clone(),
        std::time::Duration::from_secs(2),
    ));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    refresher.abort();
    served
}
