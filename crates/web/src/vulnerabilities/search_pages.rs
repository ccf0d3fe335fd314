//! `/vulnerabilities/search`: which facilities run a product line, or are affected by a CVE,
//! over the facilities the user may see (page and API).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use mimamori_app::vulnerabilities::search::{search, SearchError, SearchQuery, SearchReport};
use mimamori_domain::access::Action;
use mimamori_store::facilities::Facility;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Principal, SignedIn};
use crate::error::{bilingual, AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A CVE id, e.g. CVE-2024-21762.
    #[serde(default)]
    pub cve: String,
    /// A product line as a ledger writes it, e.g. "FortiOS 7.0".
    #[serde(default)]
    pub runs: String,
}

impl SearchParams {
    fn query(&self) -> SearchQuery {
        SearchQuery {
            cve: Some(self.cve.clone()),
            runs: Some(self.runs.clone()),
        }
    }

    fn is_blank(&self) -> bool {
        self.cve.trim().is_empty() && self.runs.trim().is_empty()
    }
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::Store(e) => e.into(),
            other => {
                let text = other.to_string();
                let (ja, en) = bilingual(&text);
                AppError::bad_request(ja.to_string(), en.to_string())
            }
        }
    }
}

/// The facilities `principal` may view.
async fn visible(state: &AppState, principal: &Principal) -> AppResult<Vec<Facility>> {
    let today = state.store.clock().today_jst().to_string();
    Ok(state
        .store
        .facilities_of_user(principal.user.id, &today)
        .await?
        .into_iter()
        .filter(|f| principal.can(f, Action::ViewFacility))
        .collect())
}

#[derive(Template)]
#[template(path = "vulnerabilities/search.html")]
struct SearchPage {
    ctx: PageCtx,
    params: SearchParams,
    report: Option<SearchReport>,
    error: Option<String>,
}

impl SearchPage {
    fn status_label(&self, status: &str) -> &'static str {
        match status {
            "affected" => "該当",
            "version_unknown" => "版不明・要確認",
            _ => "稼働",
        }
    }
}

/// `GET /vulnerabilities/search?cve=&runs=`.
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Query(params): Query<SearchParams>,
) -> AppResult<Response> {
    let (report, error) = if params.is_blank() {
        (None, None)
    } else {
        let facilities = visible(&state, &principal).await?;
        let today = state.store.clock().today_jst();
        match search(&state.store, &facilities, &params.query(), today).await {
            Ok(report) => (Some(report), None),
            Err(SearchError::Store(e)) => return Err(e.into()),
            Err(other) => {
                let text = other.to_string();
                let (ja, en) = bilingual(&text);
                (None, Some(ctx.t(ja, en).to_string()))
            }
        }
    };
    Ok(render(&SearchPage {
        ctx,
        params,
        report,
        error,
    }))
}

/// Which devices of the facilities the caller may view run a product line or are affected by
/// a CVE (give either or both).
#[utoipa::path(get, path = "/api/v1/vulnerabilities/search", tag = "vulnerabilities",
    params(SearchParams), responses((status = 200, body = SearchReport)))]
pub async fn api(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Query(params): Query<SearchParams>,
) -> AppResult<Json<SearchReport>> {
    let facilities = visible(&state, &principal).await?;
    let today = state.store.clock().today_jst();
    Ok(Json(
        search(&state.store, &facilities, &params.query(), today).await?,
    ))
}
