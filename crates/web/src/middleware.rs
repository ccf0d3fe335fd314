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
    let Some(body) = response.extensions().get::<ErrorBody>().cloned() else {
        return response;
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
