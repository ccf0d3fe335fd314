//! First-run setup: on a database without users, `serve` prints a one-time URL where the first
//! administrator, the organisation and the first facility are created together.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use mimamori_domain::access::Role;
use mimamori_domain::facility::{FacilityInput, FacilityKind};
use mimamori_domain::validation::{required_text, Issue, Issues};
use mimamori_store::{Actor, Store};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::view::{render, FormErrors, PageCtx};
use crate::{auth, secrets, AppState};

const SETUP_KEY: &str = "setup_token_hash";

/// When no user exists, creates (or replaces) the one-time setup token and returns it.
pub async fn prepare(store: &Store) -> Result<Option<String>, mimamori_store::StoreError> {
    if store.count_users().await? > 0 {
        store.delete_setting(SETUP_KEY).await?;
        return Ok(None);
    }
    let token = secrets::random_token();
    store
        .put_setting(SETUP_KEY, &secrets::sha256_hex(&token))
        .await?;
    Ok(Some(token))
}

async fn token_valid(store: &Store, token: &str) -> AppResult<bool> {
    let expected = store.setting(SETUP_KEY).await?;
    Ok(expected.is_some_and(|hash| secrets::same(&hash, &secrets::sha256_hex(token))))
}

#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(flatten)]
    pub facility: FacilityInput,
    #[serde(default)]
    pub admin_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    ctx: PageCtx,
    form: SetupForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    min_length: usize,
}

fn page(ctx: PageCtx, form: SetupForm, errors: FormErrors, state: &AppState) -> Response {
    let kinds = FacilityKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(ctx.lang)))
        .collect();
    let min_length = if state.config.require_second_factor {
        state.config.password.min_length_with_second_factor
    } else {
        state.config.password.min_length_without_second_factor
    };
    render(&SetupPage {
        ctx,
        form,
        errors,
        kinds,
        min_length,
    })
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

fn invalid_token() -> AppError {
    AppError::new(
        axum::http::StatusCode::FORBIDDEN,
        "setup_token_invalid",
        "セットアップ用 URL が無効です。サーバーを起動したときに表示された URL をそのまま開いてください（サーバーを再起動すると新しい URL が表示されます）。",
        "The setup link is not valid. Open the URL printed when the server started (restarting the server prints a new one).",
    )
}

pub async fn form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    if state.store.count_users().await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    if !token_valid(&state.store, &query.token).await? {
        return Err(invalid_token());
    }
    let form = SetupForm {
        token: query.token,
        facility: FacilityInput {
            kind: "hospital".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(page(ctx, form, FormErrors::default(), &state))
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    if state.store.count_users().await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    if !token_valid(&state.store, &form.token).await? {
        return Err(invalid_token());
    }
    let mut issues = Issues::default();
    let organisation = required_text(&mut issues, "organisation", &form.organisation, 200);
    let admin_name = required_text(&mut issues, "admin_name", &form.admin_name, 100);
    let email = normalise_email(&mut issues, &form.email);
    if let Err(found) =
        state
            .config
            .password
            .check(&form.password, &email, state.config.require_second_factor)
    {
        issues.0.extend(found.0);
    }
    if form.password != form.password_confirm {
        issues.push(Issue::new("password_confirm", "password_mismatch"));
    }
    let profile = form
        .facility
        .validate()
        .map_err(|found| issues.0.extend(found.0.clone()))
        .ok();
    let Some(profile) = profile.filter(|_| issues.is_empty()) else {
        let errors = FormErrors::new(ctx.lang, issues);
        let mut response = page(ctx, form, errors, &state);
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let hash = auth::password::hash(&form.password).map_err(AppError::internal)?;
    let mut tx = state
        .store
        .write(&Actor::system(format!("setup:{email}")))
        .await?;
    if tx.user_count().await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    let organisation = tx.create_organisation(&organisation).await?;
    tx.create_facility(organisation.id, &profile).await?;
    let user_id = tx.create_user(&email, &admin_name, &hash, ctx.lang).await?;
    tx.add_membership(user_id, organisation.id, None, Role::Administrator, None)
        .await?;
    tx.commit().await?;
    state.store.delete_setting(SETUP_KEY).await?;
    let user = state.store.user(user_id).await?;
    let cookie = auth::start_session(&state, &user, false, &headers).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/account/totp"),
    )
        .into_response())
}

/// Trims, lower-cases and checks an e-mail address.
pub fn normalise_email(issues: &mut Issues, text: &str) -> String {
    let email = mimamori_domain::validation::to_half_width(text.trim()).to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace);
    if !valid {
        issues.push(Issue::new("email", "invalid_email"));
    }
    email
}
