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
    /// Failed sign-ins before an account is locked, and for how long.
    pub max_failed_logins: i64,
    pub lockout_minutes: i64,
    /// Failed sign-ins allowed from one address within the window before it is refused.
    pub address_failures_per_window: usize,
    pub address_window_minutes: i64,
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
            lockout_minutes: 15,
            address_failures_per_window: 30,
            address_window_minutes: 15,
            secure_cookies: false,
            max_body_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
        }
    }
}
