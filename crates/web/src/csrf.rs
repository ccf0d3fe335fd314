//! CSRF protection for every state-changing request: a token bound to the session — the HMAC of
//! the session cookie under the installation's key (before sign-in, of a random `mimamori_csrf`
//! cookie) — must come back in the form field `csrf` or the `X-CSRF-Token` header. A cookie an
//! attacker plants is of no use: the token for it cannot be made without the key. Pages get the
//! token in their forms, scripts and API clients in the `X-CSRF-Token` header of any response.
//! Requests authenticated by a Bearer token carry no cookies and are exempt.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::{auth, cookies, secrets, AppState};

/// The request's CSRF token, for forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies;
    let csrf_cookie = cookies::name(cookies::CSRF, secure);
    let headers = request.headers();
    let nonce = cookies::get(headers, &csrf_cookie).filter(|t| t.len() >= 32);
    let session = cookies::get(headers, &cookies::name(cookies::SESSION, secure));
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let key = match state.csrf_key().await {
        Ok(key) => key.to_string(),
        Err(error) => return AppError::from(error).into_response(),
    };
    let bound = |nonce: &str| match &session {
        Some(session) => secrets::hmac_sha256_hex(key.as_bytes(), &format!("session|{session}")),
        None => secrets::hmac_sha256_hex(key.as_bytes(), &format!("nonce|{nonce}")),
    };
    // An API request with neither a token nor a session carries no credential a forged request
    // could ride on: it goes on to be refused as unauthenticated (401), not as forged.
    let anonymous_api = session.is_none() && request.uri().path().starts_with("/api/");
    let mut request = request;
    if !safe && !anonymous_api && !auth::has_bearer(request.headers()) {
        let expected = match (&session, &nonce) {
            (None, None) => return AppError::csrf().into_response(),
            (_, nonce) => bound(nonce.as_deref().unwrap_or("")),
        };
        match submitted_token(request, state.config.max_body_bytes).await {
            Ok((rebuilt, Some(token))) if secrets::same(&token, &expected) => request = rebuilt,
            Ok(_) => return AppError::csrf().into_response(),
            Err(response) => return response,
        }
    }
    let fresh = nonce.is_none();
    let nonce = nonce.unwrap_or_else(secrets::random_token);
    let token = bound(&nonce);
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if fresh {
        let cookie = cookies::set(&csrf_cookie, &nonce, secure, None);
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    if let Ok(value) = header::HeaderValue::from_str(&token) {
        response.headers_mut().insert("x-csrf-token", value);
    }
    response
}

/// Finds the token in the header or, for a urlencoded form, in its `csrf` field; the body is
/// read and put back for the handler.
async fn submitted_token(
    request: Request,
    limit: usize,
) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let token = value.to_string();
        return Ok((request, Some(token)));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        // File uploads carry the token in the form's action URL, as the body is not buffered here.
        let token = request
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        return Ok((request, token));
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        AppError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "送信データが大きすぎます。",
            "The request is too large.",
        )
        .into_response()
    })?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}
