//! Users, their credentials (password hash, TOTP, recovery codes), memberships and API tokens.
//! Hashing and verification happen in the caller; the store keeps only hashes.

use mimamori_domain::access::Role;
use mimamori_domain::clock::{format_timestamp, parse_timestamp};
use mimamori_domain::i18n::Lang;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, flag, AuditRecord, Result, Store, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub lang: Lang,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub totp_last_step: i64,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub active: bool,
}

const USER_COLUMNS: &str =
    "id, email, name, password_hash, lang, totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until, active";

fn user_from_row(row: &AnyRow) -> Result<User> {
    let lang: String = col(row, "lang")?;
    Ok(User {
        id: col(row, "id")?,
        email: col(row, "email")?,
        name: col(row, "name")?,
        password_hash: col(row, "password_hash")?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        totp_secret: col(row, "totp_secret")?,
        totp_enabled: flag(row, "totp_enabled")?,
        totp_last_step: col(row, "totp_last_step")?,
        failed_logins: col(row, "failed_logins")?,
        locked_until: col(row, "locked_until")?,
        active: flag(row, "active")?,
    })
}

/// The audited view of a user: never a hash or a secret.
#[derive(Serialize)]
struct UserAudit<'a> {
    email: &'a str,
    name: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub id: i64,
    pub user_id: i64,
    pub organisation_id: i64,
    /// `None`: organisation-wide.
    pub facility_id: Option<i64>,
    pub role: Role,
    pub expires_on: Option<String>,
}

fn membership_from_row(row: &AnyRow) -> Result<Membership> {
    let role: String = col(row, "role")?;
    Ok(Membership {
        id: col(row, "id")?,
        user_id: col(row, "user_id")?,
        organisation_id: col(row, "organisation_id")?,
        facility_id: col(row, "facility_id")?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        expires_on: col(row, "expires_on")?,
    })
}

/// A member of a facility as listed on its members page.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub membership_id: i64,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_wide: bool,
    pub expires_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// When it stops working (a token made before expiries existed: 90 days after it was made).
    pub expires_at: String,
    /// Refused for every request that writes.
    pub read_only: bool,
}

/// Days a token works when made without an expiry of its own.
pub const TOKEN_DAYS: i64 = 90;

/// A token's end: its own, or [`TOKEN_DAYS`] after it was made.
fn token_expiry(created_at: &str, expires_at: Option<String>) -> String {
    expires_at.unwrap_or_else(|| {
        parse_timestamp(created_at)
            .map(|at| format_timestamp(at + chrono::Duration::days(TOKEN_DAYS)))
            .unwrap_or_default()
    })
}

/// The user of a valid API token, and whether the token only reads.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub user: User,
    pub read_only: bool,
}

/// Why a user's sessions and tokens end (the audit entry says it).
#[derive(Debug, Clone, Copy)]
pub enum AccessEnd {
    PasswordChanged,
    PasswordReset,
    RoleRemoved,
    SignedOutEverywhere,
}

impl AccessEnd {
    fn code(self) -> &'static str {
        match self {
            AccessEnd::PasswordChanged => "password_changed",
            AccessEnd::PasswordReset => "password_reset",
            AccessEnd::RoleRemoved => "role_removed",
            AccessEnd::SignedOutEverywhere => "signed_out_everywhere",
        }
    }
}

impl WriteTx {
    pub async fn create_user(
        &mut self,
        email: &str,
        name: &str,
        password_hash: &str,
        lang: Lang,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO users (email, name, password_hash, lang, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(lang.code())
        .bind(&self.now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(
            AuditRecord::new("create", "user")
                .id(id)
                .after(&UserAudit { email, name }),
        )
        .await?;
        Ok(id)
    }

    pub async fn add_membership(
        &mut self,
        user_id: i64,
        organisation_id: i64,
        facility_id: Option<i64>,
        role: Role,
        expires_on: Option<&str>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO memberships (user_id, organisation_id, facility_id, role, expires_on, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(organisation_id)
        .bind(facility_id)
        .bind(role.code())
        .bind(expires_on)
        .bind(&self.now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        let after = serde_json::json!({"user_id": user_id, "organisation_id": organisation_id, "facility_id": facility_id, "role": role, "expires_on": expires_on});
        self.audit(
            AuditRecord::new("create", "membership")
                .facility(facility_id)
                .id(id)
                .after(&after),
        )
        .await?;
        Ok(id)
    }

    /// Removes a role; the user's sessions and tokens end with it (a session holds the roles it
    /// was signed in with only until it is read again, but a token would outlive the reason it
    /// was made for).
    pub async fn remove_membership(&mut self, membership: &Membership) -> Result<()> {
        sqlx::query("DELETE FROM memberships WHERE id = $1")
            .bind(membership.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("delete", "membership")
                .facility(membership.facility_id)
                .id(membership.id)
                .before(membership),
        )
        .await?;
        self.end_access(membership.user_id, None, AccessEnd::RoleRemoved)
            .await
            .map(drop)
    }

    /// Counts a failed sign-in; `not_before` (when given) is when the account may be tried next.
    /// Both are audited.
    pub async fn record_failed_login(
        &mut self,
        user: &User,
        not_before: Option<&str>,
    ) -> Result<()> {
        let failures = user.failed_logins + 1;
        sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(failures)
            .bind(not_before)
            .bind(user.id)
            .execute(&mut *self.tx)
            .await?;
        let detail = serde_json::json!({"email": user.email, "failures": failures, "not_before": not_before});
        self.audit(
            AuditRecord::new("sign_in_failed", "user")
                .id(user.id)
                .after(&detail),
        )
        .await
    }

    pub async fn record_sign_in(&mut self, user: &User, method: &str) -> Result<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id)
            .execute(&mut *self.tx)
            .await?;
        let detail = serde_json::json!({"email": user.email, "method": method});
        self.audit(
            AuditRecord::new("sign_in", "user")
                .id(user.id)
                .after(&detail),
        )
        .await
    }

    /// Stores a TOTP secret awaiting confirmation (not yet enabled).
    pub async fn set_pending_totp(&mut self, user_id: i64, secret: &str) -> Result<()> {
        sqlx::query(
            "UPDATE users SET totp_secret = $1, totp_enabled = 0, updated_at = $2 WHERE id = $3",
        )
        .bind(secret)
        .bind(&self.now)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Enables TOTP and replaces the recovery codes (given as hashes).
    pub async fn enable_totp(
        &mut self,
        user_id: i64,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET totp_enabled = 1, totp_last_step = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(step)
        .bind(&self.now)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit(AuditRecord::new("enable_totp", "user").id(user_id))
            .await
    }

    /// Remembers the last accepted TOTP time step so a code cannot be replayed.
    pub async fn set_totp_step(&mut self, user_id: i64, step: i64) -> Result<()> {
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2")
            .bind(step)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Marks a recovery code used; false when no unused code has that hash.
    pub async fn use_recovery_code(&mut self, user_id: i64, code_hash: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(&self.now)
            .bind(user_id)
            .bind(code_hash)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() > 0 {
            self.audit(AuditRecord::new("use_recovery_code", "user").id(user_id))
                .await?;
        }
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_lang(&mut self, user_id: i64, lang: Lang) -> Result<()> {
        sqlx::query("UPDATE users SET lang = $1, updated_at = $2 WHERE id = $3")
            .bind(lang.code())
            .bind(&self.now)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("update", "user")
                .id(user_id)
                .after(&serde_json::json!({"lang": lang})),
        )
        .await
    }

    pub async fn set_password(&mut self, user_id: i64, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(&self.now)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(AuditRecord::new("change_password", "user").id(user_id))
            .await
    }

    /// Makes an API token that works for `days` days, for reading only when `read_only`.
    pub async fn create_api_token(
        &mut self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        days: i64,
        read_only: bool,
    ) -> Result<i64> {
        let expires_at = parse_timestamp(&self.now)
            .map(|at| format_timestamp(at + chrono::Duration::days(days)))
            .unwrap_or_default();
        let row = sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at, read_only) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(&self.now)
            .bind(&expires_at)
            .bind(i64::from(read_only))
            .fetch_one(&mut *self.tx)
            .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(AuditRecord::new("create", "api_token").id(id).after(
            &serde_json::json!({"user_id": user_id, "name": name, "expires_at": expires_at, "read_only": read_only}),
        ))
        .await?;
        Ok(id)
    }

    /// Ends every session of the user but `keep` (the session that changed its own password)
    /// and revokes every API token of theirs, with an audit entry saying why and how many.
    pub async fn end_access(
        &mut self,
        user_id: i64,
        keep: Option<&str>,
        why: AccessEnd,
    ) -> Result<(u64, u64)> {
        let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        let tokens = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(&self.now)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        self.audit(AuditRecord::new("end_access", "user").id(user_id).after(
            &serde_json::json!({"reason": why.code(), "sessions": sessions, "tokens": tokens}),
        ))
        .await?;
        Ok((sessions, tokens))
    }

    pub async fn revoke_api_token(&mut self, user_id: i64, token_id: i64) -> Result<()> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(&self.now)
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        self.audit(AuditRecord::new("revoke", "api_token").id(token_id))
            .await
    }
}

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?;
        col(&row, "n")
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row = sqlx::query(&sql).bind(email).fetch_one(&self.pool).await?;
        user_from_row(&row)
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?;
        user_from_row(&row)
    }

    /// Memberships of a user still valid on `today` (YYYY-MM-DD).
    pub async fn memberships_of(&self, user_id: i64, today: &str) -> Result<Vec<Membership>> {
        let rows = sqlx::query(
            "SELECT id, user_id, organisation_id, facility_id, role, expires_on FROM memberships
             WHERE user_id = $1 AND (expires_on IS NULL OR expires_on >= $2) ORDER BY id",
        )
        .bind(user_id)
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(membership_from_row).collect()
    }

    pub async fn membership(&self, id: i64) -> Result<Membership> {
        let row = sqlx::query("SELECT id, user_id, organisation_id, facility_id, role, expires_on FROM memberships WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        membership_from_row(&row)
    }

    /// Everyone with access to a facility: its own members and the organisation-wide ones.
    pub async fn members_of_facility(
        &self,
        facility_id: i64,
        organisation_id: i64,
    ) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT m.id AS membership_id, u.id AS user_id, u.email, u.name, m.role, m.facility_id, m.expires_on
             FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.facility_id = $1 OR (m.facility_id IS NULL AND m.organisation_id = $2)
             ORDER BY u.name, m.id",
        )
        .bind(facility_id)
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = col(row, "role")?;
                Ok(Member {
                    membership_id: col(row, "membership_id")?,
                    user_id: col(row, "user_id")?,
                    email: col(row, "email")?,
                    name: col(row, "name")?,
                    role: Role::parse(&role).unwrap_or(Role::Viewer),
                    organisation_wide: col::<Option<i64>>(row, "facility_id")?.is_none(),
                    expires_on: col(row, "expires_on")?,
                })
            })
            .collect()
    }

    pub async fn unused_recovery_codes(&self, user_id: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        col(&row, "n")
    }

    /// The user an API token belongs to; revoked and expired tokens and inactive users find
    /// nothing.
    pub async fn user_by_token(&self, token_hash: &str) -> Result<TokenUser> {
        let sql = format!(
            "SELECT {}, t.last_used_at AS token_last_used_at, t.created_at AS token_created_at, t.expires_at AS token_expires_at, t.read_only AS token_read_only FROM users u JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_one(&self.pool)
            .await?;
        let now = self.clock.now();
        let ends = token_expiry(
            &col::<String>(&row, "token_created_at")?,
            col(&row, "token_expires_at")?,
        );
        if parse_timestamp(&ends).is_none_or(|at| at <= now) {
            return Err(crate::StoreError::NotFound);
        }
        // A write per API request would serialise an API client's reads on SQLite; the time of
        // last use is kept to the minute, as for sessions.
        let last_used = col::<Option<String>>(&row, "token_last_used_at")?
            .as_deref()
            .and_then(parse_timestamp);
        if last_used.is_none_or(|at| now - at > chrono::Duration::seconds(60)) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(format_timestamp(now))
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(TokenUser {
            user: user_from_row(&row)?,
            read_only: col::<i64>(&row, "token_read_only")? != 0,
        })
    }

    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, expires_at, read_only FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let created_at: String = col(row, "created_at")?;
                Ok(ApiToken {
                    id: col(row, "id")?,
                    name: col(row, "name")?,
                    expires_at: token_expiry(&created_at, col(row, "expires_at")?),
                    created_at,
                    last_used_at: col(row, "last_used_at")?,
                    read_only: col::<i64>(row, "read_only")? != 0,
                })
            })
            .collect()
    }
}
