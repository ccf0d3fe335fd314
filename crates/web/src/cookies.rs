//! Reading and writing the few cookies Mimamori uses.

use axum::http::{header, HeaderMap, HeaderValue};

pub const SESSION: &str = "mimamori_session";
pub const CSRF: &str = "mimamori_csrf";

/// A cookie's name as sent: with the `__Host-` prefix behind TLS, which browsers accept only
/// from a secure origin, with `Path=/` and no `Domain` — a sibling subdomain or a plain-HTTP
/// page can then neither set nor overwrite it.
pub fn name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, and Secure behind TLS.
pub fn set(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        text.push_str("; Secure");
    }
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", secure, Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; mimamori_session=xyz; b=2"),
        );
        assert_eq!(get(&headers, SESSION).as_deref(), Some("xyz"));
        assert_eq!(get(&headers, "c"), None);
    }

    #[test]
    fn secure_cookies_carry_the_host_prefix() {
        assert_eq!(name(SESSION, true), "__Host-mimamori_session");
        assert_eq!(name(CSRF, false), "mimamori_csrf");
    }

    #[test]
    fn cookies_are_strict_and_http_only() {
        let value = set(SESSION, "v", true, None);
        let text = value.to_str().unwrap();
        assert!(
            text.contains("HttpOnly")
                && text.contains("SameSite=Strict")
                && text.contains("Secure")
        );
    }
}
