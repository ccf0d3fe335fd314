//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s) with replay protection, the enrolment
//! QR code as an SVG data URI, and one-time recovery codes.

use base64::Engine;
use qrcode::render::svg;
use qrcode::QrCode;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::secrets;

pub const STEP_SECONDS: u64 = 30;

/// A new random 160-bit secret, base32-encoded.
pub fn new_secret() -> String {
    Secret::Raw(secrets::random_bytes::<20>().to_vec())
        .to_encoded()
        .to_string()
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS, bytes).ok()
}

/// The code for a Unix time; used by tests and by nothing else in production.
pub fn code_at(secret: &str, unix: u64) -> Option<String> {
    totp(secret).map(|t| t.generate(unix))
}

/// Checks a code against the previous, current and next time step; returns the matching step
/// when it is later than `last_step` (a code is accepted once).
pub fn verify(secret: &str, code: &str, unix: u64, last_step: i64) -> Option<i64> {
    let code: String = mimamori_domain::validation::to_half_width(code)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    if code.len() != 6 {
        return None;
    }
    let totp = totp(secret)?;
    let step = (unix / STEP_SECONDS) as i64;
    (step - 1..=step + 1)
        .filter(|s| *s > last_step && *s >= 0)
        .find(|s| secrets::same(&totp.generate(*s as u64 * STEP_SECONDS), &code))
}

/// The otpauth:// URL authenticator apps read from the QR code.
pub fn otpauth_url(secret: &str, email: &str) -> String {
    format!(
        "otpauth://totp/Mimamori:{}?secret={secret}&issuer=Mimamori&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        urlencoding::encode(email)
    )
}

/// The QR code as an SVG data URI for an `<img>`, drawn here (no external service).
pub fn qr_data_uri(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// Ten recovery codes like `k7wq-m3xp-9d`, shown once; only their hashes are stored.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let bytes = secrets::random_bytes::<10>();
            let chars: String = bytes
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..10])
        })
        .collect()
}

/// Recovery codes are compared without hyphens, spaces or case.
pub fn recovery_hash(code: &str) -> String {
    let normalised: String = mimamori_domain::validation::to_half_width(code)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    secrets::sha256_hex(&normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_once_per_step() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        let step = verify(&secret, &code, now, 0).unwrap();
        assert_eq!(step, (now / STEP_SECONDS) as i64);
        assert_eq!(verify(&secret, &code, now, step), None, "replay must fail");
        assert_eq!(verify(&secret, "000000x", now, 0), None);
    }

    #[test]
    fn qr_is_an_svg_data_uri() {
        let uri = qr_data_uri(&otpauth_url(&new_secret(), "a@example.jp")).unwrap();
        assert!(uri.starts_with("data:image/svg+xml;base64,"));
    }

    #[test]
    fn recovery_codes_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(
            recovery_hash(&codes[0]),
            recovery_hash(&codes[0].to_uppercase().replace('-', " "))
        );
    }
}
