//! TOTP enrolment: a QR code (and the secret as text) for the authenticator app, confirmed by a
//! first code; then ten one-time recovery codes are shown once.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_store::Actor;
use serde::Deserialize;

use crate::auth::{totp, Principal, Stage};
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "auth/enrol.html")]
struct EnrolPage {
    ctx: PageCtx,
    qr: String,
    secret: String,
    message: Option<String>,
    required: bool,
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage {
    ctx: PageCtx,
    codes: Vec<String>,
}

/// Enrolment is for a signed-in user who has no second factor yet.
fn enrolling(principal: &Option<Principal>) -> Result<&Principal, Redirect> {
    match principal {
        None => Err(Redirect::to("/login")),
        Some(p) if p.stage == Stage::NeedsSecondFactor => Err(Redirect::to("/login/totp")),
        Some(p) if p.user.totp_enabled => Err(Redirect::to("/account")),
        Some(p) => Ok(p),
    }
}

fn secret_page(
    ctx: PageCtx,
    principal: &Principal,
    secret: String,
    message: Option<String>,
    state: &AppState,
) -> Response {
    let qr =
        totp::qr_data_uri(&totp::otpauth_url(&secret, &principal.user.email)).unwrap_or_default();
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    render(&EnrolPage {
        ctx,
        qr,
        secret: grouped,
        message,
        required: state.config.require_second_factor,
    })
}

pub async fn form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(principal): Extension<Option<Principal>>,
) -> AppResult<Response> {
    let principal = match enrolling(&principal) {
        Ok(p) => p,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    // Keep a pending secret across reloads, so a code already scanned stays valid.
    let secret = match principal.user.totp_secret.clone() {
        Some(secret) => secret,
        None => {
            let secret = totp::new_secret();
            let mut tx = state
                .store
                .write(&Actor::user(
                    principal.user.id,
                    principal.user.email.clone(),
                ))
                .await?;
            tx.set_pending_totp(principal.user.id, &secret).await?;
            tx.commit().await?;
            secret
        }
    };
    Ok(secret_page(ctx, principal, secret, None, &state))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(principal): Extension<Option<Principal>>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let principal = match enrolling(&principal) {
        Ok(p) => p,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let Some(secret) = principal.user.totp_secret.clone() else {
        return Ok(Redirect::to("/account/totp").into_response());
    };
    let unix = state.store.clock().now().timestamp().max(0) as u64;
    let Some(step) = totp::verify(&secret, &form.code, unix, principal.user.totp_last_step) else {
        let message = Some(
            ctx.t(
                "確認コードが正しくありません。端末の時刻が正しいか確認し、表示中の6桁を入力してください。",
                "The code is not correct. Check your device's clock and enter the 6 digits shown now.",
            )
            .to_string(),
        );
        let mut response = secret_page(ctx, principal, secret, message, &state);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let mut tx = state
        .store
        .write(&Actor::user(
            principal.user.id,
            principal.user.email.clone(),
        ))
        .await?;
    tx.enable_totp(principal.user.id, step, &hashes).await?;
    tx.commit().await?;
    if let Some(session) = &principal.session {
        state.store.complete_second_factor(session).await?;
    }
    let mut ctx = ctx;
    ctx.user_name = Some(principal.user.name.clone());
    Ok(render(&RecoveryCodesPage { ctx, codes }))
}
