//! Password policy in the spirit of the MHLW safety-management guideline: with a second factor,
//! at least 8 characters mixing letters, digits and symbols; without, at least 13 characters.

use serde::{Deserialize, Serialize};

use crate::validation::{Issue, Issues};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    pub min_length_with_second_factor: usize,
    pub min_length_without_second_factor: usize,
    pub require_mix_with_second_factor: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length_with_second_factor: 8,
            min_length_without_second_factor: 13,
            require_mix_with_second_factor: true,
        }
    }
}

impl PasswordPolicy {
    /// Checks a new password. `second_factor` is true when the account will sign in with TOTP.
    pub fn check(&self, password: &str, email: &str, second_factor: bool) -> Result<(), Issues> {
        let mut issues = Issues::default();
        let length = password.chars().count();
        let min = if second_factor {
            self.min_length_with_second_factor
        } else {
            self.min_length_without_second_factor
        };
        if length < min {
            issues.push(Issue::new("password", "password_too_short").with("min", min));
        }
        if second_factor && self.require_mix_with_second_factor {
            let letter = password.chars().any(|c| c.is_alphabetic());
            let digit = password
                .chars()
                .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
            let symbol = password
                .chars()
                .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
            if !(letter && digit && symbol) {
                issues.push(Issue::new("password", "password_needs_mix"));
            }
        }
        let local = email.split('@').next().unwrap_or("").to_lowercase();
        if local.len() >= 4 && password.to_lowercase().contains(&local) {
            issues.push(Issue::new("password", "password_contains_email"));
        }
        issues.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_factor_allows_short_mixed_passwords() {
        let policy = PasswordPolicy::default();
        assert!(policy.check("a1!bcdef", "x@example.jp", true).is_ok());
        assert!(policy.check("abcdefgh", "x@example.jp", true).is_err());
        assert!(policy.check("a1!bcdef", "x@example.jp", false).is_err());
        assert!(policy
            .check("correct horse battery", "x@example.jp", false)
            .is_ok());
    }

    #[test]
    fn password_must_not_contain_the_mail_name() {
        let policy = PasswordPolicy::default();
        let issues = policy
            .check("tanaka-2025!xyz", "tanaka@example.jp", true)
            .unwrap_err();
        assert_eq!(issues.0[0].code, "password_contains_email");
    }
}
