//! Sign-in (password, then TOTP or a recovery code), sign-out and sign-out everywhere.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Duration;
use mimamori_domain::clock::{format_timestamp, parse_timestamp};
use mimamori_store::users::AccessEnd;
use mimamori_store::users::User;
use mimamori_store::{Actor, AuditRecord, StoreError};
use serde::Deserialize;

use crate::auth::{self, totp, Principal, Stage};
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::{cookies, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageCtx,
    email: String,
    next: String,
    message: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/dashboard".to_string()
    }
}

pub async fn login_form(ctx: PageCtx, Query(query): Query<NextQuery>) -> Response {
    render(&LoginPage {
        ctx,
        email: String::new(),
        next: query.next,
        message: None,
    })
}

fn refused(ctx: PageCtx, form: &LoginForm, status: StatusCode, ja: &str, en: &str) -> Response {
    let message = Some(ctx.t(ja, en).to_string());
    let mut response = render(&LoginPage {
        ctx,
        email: form.email.clone(),
        next: form.next.clone(),
        message,
    });
    *response.status_mut() = status;
    response
}

const WRONG: (&str, &str) = (
    "メールアドレスまたはパスワードが正しくありません。",
    "The e-mail address or password is not correct.",
);

fn is_locked(state: &AppState, user: &User) -> bool {
    let now = state.store.clock().now();
    user.locked_until
        .as_deref()
        .and_then(parse_timestamp)
        .is_some_and(|until| until > now)
}

fn locked_message(state: &AppState) -> (String, String) {
    let minutes = state.config.lockout_minutes;
    (
        format!("サインインの失敗が続いたため、このアカウントは一時的にロックされています。{minutes}分ほど待ってから再度お試しください。急ぐ場合は管理者に連絡してください。"),
        format!("This account is locked for a while after repeated failed sign-ins. Try again in about {minutes} minutes, or ask an administrator."),
    )
}

/// Counts a failure against the account (and locks it when the limit is reached).
async fn count_failure(state: &AppState, user: &User) -> AppResult<bool> {
    let until = format_timestamp(
        state.store.clock().now() + Duration::minutes(state.config.lockout_minutes),
    );
    let mut tx = state
        .store
        .write(&Actor::user(user.id, user.email.clone()))
        .await?;
    let locked = tx
        .record_failed_login(user, state.config.max_failed_logins, &until)
        .await?;
    tx.commit().await?;
    Ok(locked)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: PageCtx,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let address = peer.ip();
    if state.throttle.is_blocked(address) {
        return Ok(refused(
            ctx,
            &form,
            StatusCode::TOO_MANY_REQUESTS,
            "この端末からのサインイン失敗が多すぎます。しばらく待ってから再度お試しください。",
            "Too many failed sign-ins from this address. Wait a while and try again.",
        ));
    }
    let email = form.email.trim().to_lowercase();
    let user = match state.store.user_by_email(&email).await {
        Ok(user) if user.active => user,
        Ok(_) | Err(StoreError::NotFound) => {
            auth::password::verify_dummy(&form.password);
            state.throttle.record_failure(address);
            let detail = serde_json::json!({"email": email, "reason": "unknown_user", "address": address.to_string()});
            state
                .store
                .record_event(
                    &Actor::system("anonymous"),
                    AuditRecord::new("sign_in_failed", "user").after(&detail),
                )
                .await?;
            return Ok(refused(
                ctx,
                &form,
                StatusCode::UNAUTHORIZED,
                WRONG.0,
                WRONG.1,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if is_locked(&state, &user) {
        state.throttle.record_failure(address);
        let (ja, en) = locked_message(&state);
        return Ok(refused(ctx, &form, StatusCode::TOO_MANY_REQUESTS, &ja, &en));
    }
    if !auth::password::verify(&user.password_hash, &form.password) {
        state.throttle.record_failure(address);
        if count_failure(&state, &user).await? {
            let (ja, en) = locked_message(&state);
            return Ok(refused(ctx, &form, StatusCode::TOO_MANY_REQUESTS, &ja, &en));
        }
        return Ok(refused(
            ctx,
            &form,
            StatusCode::UNAUTHORIZED,
            WRONG.0,
            WRONG.1,
        ));
    }
    let cookie = auth::start_session(&state, &user, false, &headers).await?;
    let next = safe_next(&form.next);
    let target = if user.totp_enabled {
        format!("/login/totp?next={}", urlencoding::encode(&next))
    } else {
        let mut tx = state
            .store
            .write(&Actor::user(user.id, user.email.clone()))
            .await?;
        tx.record_sign_in(&user, "password").await?;
        tx.commit().await?;
        next
    };
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

#[derive(Template)]
#[template(path = "auth/second_factor.html")]
struct SecondFactorPage {
    ctx: PageCtx,
    next: String,
    message: Option<String>,
}

fn pending(principal: &Option<Principal>) -> Option<&Principal> {
    principal
        .as_ref()
        .filter(|p| p.stage == Stage::NeedsSecondFactor)
}

pub async fn second_factor_form(
    ctx: PageCtx,
    Extension(principal): Extension<Option<Principal>>,
    Query(query): Query<NextQuery>,
) -> Response {
    if pending(&principal).is_none() {
        return Redirect::to("/login").into_response();
    }
    render(&SecondFactorPage {
        ctx,
        next: query.next,
        message: None,
    })
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn second_factor(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(principal): Extension<Option<Principal>>,
    Form(form): Form<SecondFactorForm>,
) -> AppResult<Response> {
    let Some(principal) = pending(&principal) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let user = &principal.user;
    let session = principal.session.clone().unwrap_or_default();
    if is_locked(&state, user) {
        state.store.delete_session(&session).await?;
        let (ja, en) = locked_message(&state);
        let form = LoginForm {
            email: user.email.clone(),
            ..Default::default()
        };
        return Ok(refused(ctx, &form, StatusCode::TOO_MANY_REQUESTS, &ja, &en));
    }
    let unix = state.store.clock().now().timestamp().max(0) as u64;
    let secret = user.totp_secret.clone().unwrap_or_default();
    let mut tx = state
        .store
        .write(&Actor::user(user.id, user.email.clone()))
        .await?;
    let method = if let Some(step) = totp::verify(&secret, &form.code, unix, user.totp_last_step) {
        tx.set_totp_step(user.id, step).await?;
        Some("totp")
    } else if form.code.trim().len() > 8
        && tx
            .use_recovery_code(user.id, &totp::recovery_hash(&form.code))
            .await?
    {
        Some("recovery_code")
    } else {
        None
    };
    let Some(method) = method else {
        drop(tx);
        let locked = count_failure(&state, user).await?;
        if locked {
            state.store.delete_session(&session).await?;
            return Ok(Redirect::to("/login").into_response());
        }
        let message = Some(
            ctx.t(
                "確認コードが正しくありません。認証アプリの最新の6桁を入力してください。",
                "The code is not correct. Enter the current 6 digits from your authenticator app.",
            )
            .to_string(),
        );
        let mut response = render(&SecondFactorPage {
            ctx,
            next: form.next,
            message,
        });
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(response);
    };
    tx.record_sign_in(user, method).await?;
    tx.commit().await?;
    state.store.complete_second_factor(&session).await?;
    Ok(Redirect::to(&safe_next(&form.next)).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(principal): Extension<Option<Principal>>,
) -> AppResult<Response> {
    if let Some(session) = principal.as_ref().and_then(|p| p.session.clone()) {
        state.store.delete_session(&session).await?;
    }
    let secure = state.config.secure_cookies;
    let cookie = cookies::clear(&cookies::name(cookies::SESSION, secure), secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(principal): Extension<Option<Principal>>,
) -> AppResult<Response> {
    if let Some(principal) = principal {
        // Every session and every API token of the user ends (a token is a way in too).
        let mut tx = state.store.write(&principal.actor()).await?;
        tx.end_access(principal.user.id, None, AccessEnd::SignedOutEverywhere)
            .await?;
        tx.commit().await?;
    }
    let secure = state.config.secure_cookies;
    let cookie = cookies::clear(&cookies::name(cookies::SESSION, secure), secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}
