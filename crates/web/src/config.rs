//! Settings of the web layer: sign-in, sessions, throttling, limits. Defaults follow the MHLW
//! guideline's spirit; operators change them in mimamori.toml or MIMAMORI_* variables.

use mimamori_domain::password::PasswordPolicy;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WebConfig {
    pub password: PasswordPolicy,
    /// Every user must enrol a TOTP second factor before using the product.
    pub require_second_factor: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Failed sign-ins of an account before each further attempt waits (1 s, then twice as
    /// long after each failure, up to `max_delay_seconds`): an attacker slows the account but
    /// never locks its owner out for longer than that.
    pub max_failed_logins: i64,
    pub max_delay_seconds: i64,
    /// Failed sign-ins with e-mails no account has, allowed from one address within the window
    /// (further ones from it are refused; known accounts are governed by their own delay).
    pub address_failures_per_window: usize,
    pub address_window_minutes: i64,
    /// Reverse proxies (IP addresses) whose `X-Forwarded-For` names the client; from any other
    /// peer the header is ignored. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mark cookies Secure; turn on when serving (or proxied) over HTTPS.
    pub secure_cookies: bool,
    /// Limit of urlencoded form bodies.
    pub max_body_bytes: usize,
    /// Limit of uploads and API bodies (ledger imports).
    pub max_upload_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            password: PasswordPolicy::default(),
            require_second_factor: true,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            max_failed_logins: 5,
            max_delay_seconds: 30,
            address_failures_per_window: 30,
            address_window_minutes: 15,
            trusted_proxies: Vec::new(),
            secure_cookies: false,
            max_body_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
        }
    }
}
