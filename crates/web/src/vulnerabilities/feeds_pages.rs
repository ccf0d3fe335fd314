//! `/feeds`: what each vulnerability and lifecycle feed holds and how old it is, and, for an
//! administrator, the upload of a downloaded feed file (the same import as `mimamori feeds
//! import`).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use mimamori_app::feeds::{self, FeedFileReport, FeedState, STALE_DAYS};

use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "vulnerabilities/feeds.html")]
struct FeedsPage {
    ctx: PageCtx,
    feeds: Vec<FeedState>,
    result: Option<FeedFileReport>,
    stale_days: i64,
    notice: &'static str,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    result: Option<FeedFileReport>,
) -> AppResult<Response> {
    let today = state.store.clock().today_jst();
    let view = FeedsPage {
        feeds: feeds::status(&state.store, today).await?,
        result,
        stale_days: STALE_DAYS,
        notice: mimamori_app::vulnerabilities::NVD_NOTICE,
        ctx,
    };
    Ok(render(&view))
}

/// `GET /feeds`.
pub async fn show(State(state): State<AppState>, ctx: PageCtx) -> AppResult<Response> {
    page(&state, ctx, None).await
}

/// `POST /feeds` (multipart `file`): imports one feed file; a file with a fault imports
/// nothing and the page says why.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (name, bytes) = crate::transfer::uploaded_file(&mut multipart).await?;
    let today = state.store.clock().today_jst();
    let name: String = name.chars().take(200).collect();
    let report = feeds::import(&state.store, &principal.actor(), &name, today, move || {
        Ok(std::io::Cursor::new(bytes))
    })
    .await?;
    page(&state, ctx, Some(report)).await
}
