//! Pages that belong to no single feature: start, dashboard, health, assets, not found.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use mimamori_domain::clock::{fiscal_year, fiscal_year_label_ja};

use crate::auth::{Principal, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Assets are compiled into the binary; nothing is fetched from elsewhere.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (include_str!("../assets/app.css"), "text/css; charset=utf-8"),
        _ => return AppError::not_found().into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub async fn home(
    State(state): State<AppState>,
    Extension(principal): Extension<Option<Principal>>,
) -> AppResult<Response> {
    if principal.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    if state.store.count_users().await? == 0 {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "setup_required",
            "初期設定がまだです。サーバーを起動した端末に表示されたセットアップ用 URL（/setup?token=…）を開いてください。",
            "Setup is not done yet. Open the setup URL (/setup?token=…) printed where the server was started.",
        ));
    }
    Ok(Redirect::to("/login").into_response())
}

/// The navigation's 台帳: the device ledger of the user's facility (chosen when several).
pub async fn ledgers() -> Response {
    crate::facilities::choose::area_entry("devices")
}

pub async fn not_found() -> AppError {
    AppError::not_found()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    fiscal_year: String,
    facilities: Vec<crate::facilities::status::FacilityStatus>,
    /// Facilities not shown as cards (see the overview).
    more: usize,
}

/// Cards on the dashboard; an organisation with more facilities uses the overview.
const DASHBOARD_CARDS: usize = 12;

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
) -> AppResult<Response> {
    let today = state.store.clock().today_jst();
    let mut facilities = Vec::new();
    let visible: Vec<_> = state
        .store
        .facilities_of_user(principal.user.id, &today.to_string())
        .await?
        .into_iter()
        .filter(|f| principal.can(f, mimamori_domain::access::Action::ViewFacility))
        .collect();
    let more = visible.len().saturating_sub(DASHBOARD_CARDS);
    for facility in visible.into_iter().take(DASHBOARD_CARDS) {
        facilities.push(
            crate::facilities::status::facility_status(&state.store, &facility, ctx.lang).await?,
        );
    }
    let year = fiscal_year(today);
    let fiscal_year = ctx
        .t(
            &format!("{}（{year}年度）", fiscal_year_label_ja(year)),
            &format!("FY{year}"),
        )
        .to_string();
    Ok(render(&DashboardPage {
        ctx,
        fiscal_year,
        facilities,
        more,
    }))
}
