//! The signed-in user's own account: language, password, second factor, API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use mimamori_domain::i18n::Lang;
use mimamori_domain::validation::{required_text, Issue, Issues};
use mimamori_store::users::ApiToken;
use mimamori_store::users::{AccessEnd, TOKEN_DAYS};
use serde::Deserialize;

use crate::auth::{self, Principal, SignedIn};
use crate::error::{AppError, AppResult};
use crate::view::{render, FormErrors, PageCtx};
use crate::{secrets, AppState};

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    ctx: PageCtx,
    email: String,
    totp_enabled: bool,
    recovery_left: i64,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn account_page(
    state: &AppState,
    ctx: PageCtx,
    principal: &Principal,
    new_token: Option<String>,
    errors: FormErrors,
    notice: Option<String>,
) -> AppResult<Response> {
    let user = &principal.user;
    let page = AccountPage {
        ctx,
        email: user.email.clone(),
        totp_enabled: user.totp_enabled,
        recovery_left: state.store.unused_recovery_codes(user.id).await?,
        tokens: state.store.api_tokens(user.id).await?,
        new_token,
        errors,
        notice,
    };
    Ok(render(&page))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
) -> AppResult<Response> {
    account_page(&state, ctx, &principal, None, FormErrors::default(), None).await
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

pub async fn set_lang(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Form(form): Form<LangForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang).ok_or_else(|| {
        AppError::bad_request("言語は ja か en です。", "Language must be ja or en.")
    })?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.set_lang(principal.user.id, lang).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let user = &principal.user;
    let mut issues = Issues::default();
    if !auth::password::verify(&user.password_hash, &form.current) {
        issues.push(Issue::new("current", "password_wrong"));
    }
    let second_factor = user.totp_enabled || state.config.require_second_factor;
    if let Err(found) = state
        .config
        .password
        .check(&form.password, &user.email, second_factor)
    {
        issues.0.extend(found.0);
    }
    if form.password != form.password_confirm {
        issues.push(Issue::new("password_confirm", "password_mismatch"));
    }
    if !issues.is_empty() {
        let errors = FormErrors::new(ctx.lang, issues);
        let mut response = account_page(&state, ctx, &principal, None, errors, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let hash = auth::password::hash(&form.password).map_err(AppError::internal)?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.set_password(user.id, &hash).await?;
    // Whoever else holds a session or token of this user (the reason to change a password)
    // is out; this session stays.
    tx.end_access(
        user.id,
        principal.session.as_deref(),
        AccessEnd::PasswordChanged,
    )
    .await?;
    tx.commit().await?;
    let notice = Some(
        ctx.t(
            "パスワードを変更しました。",
            "Your password has been changed.",
        )
        .to_string(),
    );
    account_page(&state, ctx, &principal, None, FormErrors::default(), notice).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    /// Days the token works (1–365; 90 when not given).
    #[serde(default)]
    days: String,
    /// `yes`: the token only reads.
    #[serde(default)]
    read_only: String,
}

/// The longest a token may work.
const MAX_TOKEN_DAYS: i64 = 365;

pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let mut issues = Issues::default();
    let name = required_text(&mut issues, "name", &form.name, 100);
    let days = match form.days.trim() {
        "" => TOKEN_DAYS,
        text => match mimamori_domain::validation::nfkc(text).parse::<i64>() {
            Ok(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => days,
            _ => {
                issues.push(
                    Issue::new("days", "out_of_range")
                        .with("min", 1)
                        .with("max", MAX_TOKEN_DAYS),
                );
                TOKEN_DAYS
            }
        },
    };
    if !issues.is_empty() {
        let errors = FormErrors::new(ctx.lang, issues);
        return account_page(&state, ctx, &principal, None, errors, None).await;
    }
    let token = format!("mmr_{}", secrets::random_token());
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.create_api_token(
        principal.user.id,
        &name,
        &secrets::sha256_hex(&token),
        days,
        form.read_only == "yes",
    )
    .await?;
    tx.commit().await?;
    account_page(
        &state,
        ctx,
        &principal,
        Some(token),
        FormErrors::default(),
        None,
    )
    .await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.revoke_api_token(principal.user.id, id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account").into_response())
}
