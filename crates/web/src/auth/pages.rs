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

/// The seconds the account must still wait before it may be tried again (0: now).
fn wait_seconds(state: &AppState, user: &User) -> i64 {
    let now = state.store.clock().now();
    user.locked_until
        .as_deref()
        .and_then(parse_timestamp)
        .map_or(0, |until| {
            // Whole seconds, rounded up: a wait of 0.2 s is "1 s", never "0".
            ((until - now).num_milliseconds().max(0) + 999) / 1000
        })
        .min(state.config.max_delay_seconds.max(1))
}

fn wait_message(seconds: i64) -> (String, String) {
    (
        format!("サインインの失敗が続いたため、このアカウントは {seconds} 秒待ってから試せます。パスワードがわからない場合は管理者に連絡してください。"),
        format!("After repeated failed sign-ins this account can be tried again in {seconds} s. If you do not know the password, ask an administrator."),
    )
}

/// The wait after the `failures`-th failure in a row: none up to the free failures, then 1 s,
/// doubling, up to the configured most.
fn delay_after(state: &AppState, failures: i64) -> Option<i64> {
    let over = failures - state.config.max_failed_logins;
    (over >= 0).then(|| {
        let doubled = 1i64.checked_shl(over.min(30) as u32).unwrap_or(i64::MAX);
        doubled.min(state.config.max_delay_seconds.max(1))
    })
}

/// Counts a failure against the account, with the wait it now asks for.
async fn count_failure(state: &AppState, user: &User) -> AppResult<()> {
    let not_before = delay_after(state, user.failed_logins + 1)
        .map(|seconds| format_timestamp(state.store.clock().now() + Duration::seconds(seconds)));
    let mut tx = state
        .store
        .write(&Actor::user(user.id, user.email.clone()))
        .await?;
    tx.record_failed_login(user, not_before.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}

/// The client's address: the TCP peer, or, when the peer is a trusted reverse proxy, the last
/// address in `X-Forwarded-For` that is not one of the trusted proxies (what a client writes
/// there itself comes before it and is not believed).
pub fn client_address(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|part| part.trim().parse::<std::net::IpAddr>().ok())
        .rev()
        .find(|address| !trusted.contains(address))
        .unwrap_or(peer)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: PageCtx,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let address = client_address(peer.ip(), &headers, &state.config.trusted_proxies);
    let email = form.email.trim().to_lowercase();
    let user = match state.store.user_by_email(&email).await {
        Ok(user) if user.active => user,
        Ok(_) | Err(StoreError::NotFound) => {
            // Only attempts with unknown e-mails are throttled by address: behind a reverse
            // proxy every user shares one, and a stranger's guesses must not stop them.
            if state.throttle.is_blocked(address) {
                return Ok(refused(
                    ctx,
                    &form,
                    StatusCode::TOO_MANY_REQUESTS,
                    "この端末からのサインイン失敗が多すぎます。しばらく待ってから再度お試しください。",
                    "Too many failed sign-ins from this address. Wait a while and try again.",
                ));
            }
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
    let wait = wait_seconds(&state, &user);
    if wait > 0 {
        // Not counted and not written: waiting out the delay is all it takes.
        let (ja, en) = wait_message(wait);
        let mut response = refused(ctx, &form, StatusCode::TOO_MANY_REQUESTS, &ja, &en);
        if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    if !auth::password::verify(&user.password_hash, &form.password) {
        count_failure(&state, &user).await?;
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
    let wait = wait_seconds(&state, user);
    if wait > 0 {
        // Codes are guessed as passwords are: the same growing wait, never a lockout.
        let (ja, en) = wait_message(wait);
        let message = Some(ctx.t(&ja, &en).to_string());
        let mut response = render(&SecondFactorPage {
            ctx,
            next: form.next,
            message,
        });
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(response);
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
        count_failure(&state, user).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let peer = |p: &str| p.parse::<std::net::IpAddr>().unwrap();
        // From the proxy: the last address it added (what the client wrote before is not believed).
        assert_eq!(
            client_address(proxy, &headers, &[proxy]),
            peer("198.51.100.7")
        );
        // From anyone else, or with no proxy configured: the peer itself.
        assert_eq!(
            client_address(peer("192.0.2.1"), &headers, &[proxy]),
            peer("192.0.2.1")
        );
        assert_eq!(client_address(proxy, &headers, &[]), proxy);
        assert_eq!(client_address(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }
}
