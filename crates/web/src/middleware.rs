//! Response shaping shared by every route: error rendering and security headers.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Json, Response};
use mimamori_domain::i18n::Lang;

use crate::auth::request_lang;
use crate::error::ErrorBody;
use crate::view::ErrorPage;

/// Turns an [`ErrorBody`] left on a response into JSON (API) or an error page.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let fallback_lang = request_lang(request.headers(), None);
    let response = next.run(request).await;
    let (response, body) = match response.extensions().get::<ErrorBody>().cloned() {
        Some(body) => (response, body),
        None if response.status().is_client_error() || response.status().is_server_error() => {
            match framework_error(response).await {
                Ok((response, body)) => (response, body),
                Err(response) => return response,
            }
        }
        None => return response,
    };
    let lang = response
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or(fallback_lang);
    let status = response.status();
    let mut rendered = if api {
        (status, Json(&body)).into_response()
    } else {
        let page = ErrorPage::new(lang, status.as_u16(), &body);
        (status, Html(page.render_html())).into_response()
    };
    // Keep cookies set on the way (e.g. the CSRF cookie on a first visit).
    for cookie in response.headers().get_all(header::SET_COOKIE) {
        rendered
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    if let Some(location) = response.headers().get(header::WWW_AUTHENTICATE) {
        rendered
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, location.clone());
    }
    rendered
}

/// An error axum itself answered (a body that is not JSON, a query or path that does not parse,
/// an unsupported media type, an unknown route or method) in the product's own error format
/// instead of English plain text. Errors with a body of another kind are left as they are.
async fn framework_error(response: Response) -> Result<(Response, ErrorBody), Response> {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !plain {
        return Err(response);
    }
    let status = response.status();
    let (parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, ja, en) = match status.as_u16() {
        404 => ("not_found", "ページまたはデータが見つかりません。", "Not found."),
        405 => ("method_not_allowed", "この操作はこのアドレスでは使えません。", "This method is not allowed here."),
        413 => ("too_large", "送信データが大きすぎます。", "The request is too large."),
        415 => ("unsupported_media_type", "送信データの形式（Content-Type）が正しくありません。JSON は application/json で送ってください。", "Unsupported content type: send JSON as application/json."),
        422 => ("invalid_body", "送信データの内容が正しくありません。", "The request body is not valid."),
        _ => ("bad_request", "リクエストの形式が正しくありません。", "The request is malformed."),
    };
    let detail = mimamori_domain::validation::cut(&detail, 300);
    let en = if detail.is_empty() {
        en.to_string()
    } else {
        format!("{en} ({detail})")
    };
    let body = ErrorBody {
        code,
        message_ja: ja.to_string(),
        message_en: en,
        fields: Vec::new(),
    };
    Ok((Response::from_parts(parts, axum::body::Body::empty()), body))
}

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a NUL character (0x00) in the address, a form or a JSON body with a 400 that says so:
/// PostgreSQL cannot store it in text (a search `q` with `%00` was a 500 there) and no record
/// holds it. Files are not looked at here: the import reader refuses NUL with its row and column.
pub async fn refuse_nul(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let refused = || {
        crate::error::AppError::bad_request(
            "NUL 文字（0x00）は入力できません。入力内容を確認してください。",
            "A NUL character (0x00) cannot be entered; check the input.",
        )
        .into_response()
    };
    let uri = request.uri().to_string();
    if contains_ignore_case(uri.as_bytes(), b"%00") {
        return refused();
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_upload_bytes).await else {
        return crate::error::AppError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "送信された内容が大きすぎます。",
            "The request body is too large.",
        )
        .into_response();
    };
    let escaped: &[u8] = if form { b"%00" } else { b"\\u0000" };
    if bytes.contains(&0) || contains_ignore_case(&bytes, escaped) {
        return refused();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}
