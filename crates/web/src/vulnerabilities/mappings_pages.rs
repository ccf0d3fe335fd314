//! `/vulnerabilities/mappings`: the ledger texts no rule identifies across the organisation,
//! and the administrator's confirmation of what each means (page and API).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use mimamori_app::vulnerabilities::mappings::{self, MappingError, UnknownText};
use mimamori_domain::access::Action;
use mimamori_domain::vulnerabilities::mapping::{ProductMapping, KNOWN_PRODUCTS};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, SignedIn};
use crate::error::{bilingual, AppError, AppResult};
use crate::view::{render_form, PageCtx};
use crate::AppState;

impl From<MappingError> for AppError {
    fn from(error: MappingError) -> Self {
        match error {
            MappingError::Store(e) => e.into(),
            other => {
                let text = other.to_string();
                let (ja, en) = bilingual(&text);
                AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_mapping",
                    ja.to_string(),
                    en.to_string(),
                )
            }
        }
    }
}

fn organisation(principal: &Principal) -> AppResult<i64> {
    principal
        .organisation_for(Action::AdministerOrganisation)
        .ok_or_else(AppError::forbidden)
}

#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
pub struct MappingForm {
    /// The ledger's text (OS name and version as written).
    #[serde(default)]
    pub text: String,
    /// What it means, as a product and version ("Windows 10 IoT Enterprise LTSC 2019").
    #[serde(default)]
    pub means: String,
}

#[derive(Template)]
#[template(path = "vulnerabilities/mappings.html")]
struct MappingsPage {
    ctx: PageCtx,
    unknown: Vec<UnknownText>,
    confirmed: Vec<ProductMapping>,
    known: &'static [&'static str],
    error: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    error: Option<String>,
) -> AppResult<Response> {
    let organisation = organisation(principal)?;
    let facilities = state.store.facilities(Some(organisation)).await?;
    let today = state.store.clock().today_jst();
    let invalid = error.is_some();
    let view = MappingsPage {
        unknown: mappings::unknown_texts(&state.store, &facilities, today).await?,
        confirmed: state.store.product_mappings(organisation).await?,
        known: KNOWN_PRODUCTS,
        error,
        ctx,
    };
    Ok(render_form(&view, invalid))
}

/// `GET /vulnerabilities/mappings`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
) -> AppResult<Response> {
    page(&state, ctx, &principal, None).await
}

/// `POST /vulnerabilities/mappings`: confirms a meaning; a refused one comes back with the reason.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Form(form): Form<MappingForm>,
) -> AppResult<Response> {
    let organisation = organisation(&principal)?;
    match mappings::confirm(
        &state.store,
        &principal.actor(),
        organisation,
        &form.text,
        &form.means,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/vulnerabilities/mappings").into_response()),
        Err(MappingError::Store(e)) => Err(e.into()),
        Err(other) => {
            let text = other.to_string();
            let (ja, en) = bilingual(&text);
            let shown = ctx.t(ja, en).to_string();
            page(&state, ctx, &principal, Some(shown)).await
        }
    }
}

/// `POST /vulnerabilities/mappings/delete`.
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Form(form): Form<MappingForm>,
) -> AppResult<Response> {
    let organisation = organisation(&principal)?;
    mappings::forget(&state.store, &principal.actor(), organisation, &form.text).await?;
    Ok(Redirect::to("/vulnerabilities/mappings").into_response())
}

/// The organisation's confirmed mappings of ledger text to products.
#[utoipa::path(get, path = "/api/v1/product-mappings", tag = "vulnerabilities",
    responses((status = 200, body = [Object])))]
pub async fn api_list(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> AppResult<Json<Vec<ProductMapping>>> {
    let organisation = organisation(&principal)?;
    Ok(Json(state.store.product_mappings(organisation).await?))
}

/// Confirms what a ledger text means for every facility of the organisation (`text`,
/// `means`); 422 when the text is already identified or the meaning names no known product.
#[utoipa::path(post, path = "/api/v1/product-mappings", tag = "vulnerabilities",
    request_body = MappingForm, responses((status = 201, body = Object), (status = 422)))]
pub async fn api_save(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Json(form): Json<MappingForm>,
) -> AppResult<(StatusCode, Json<ProductMapping>)> {
    let organisation = organisation(&principal)?;
    let kept = mappings::confirm(
        &state.store,
        &principal.actor(),
        organisation,
        &form.text,
        &form.means,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

/// Withdraws the mapping of `text`.
#[utoipa::path(delete, path = "/api/v1/product-mappings", tag = "vulnerabilities",
    params(MappingForm), responses((status = 204), (status = 404)))]
pub async fn api_delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Query(form): Query<MappingForm>,
) -> AppResult<StatusCode> {
    let organisation = organisation(&principal)?;
    mappings::forget(&state.store, &principal.actor(), organisation, &form.text).await?;
    Ok(StatusCode::NO_CONTENT)
}
