//! Browsing the audit log: the organisation's log for administrators, a facility's for its
//! security officer. Verification is `mimamori audit verify`.

pub mod api;
pub mod pages;

use mimamori_domain::audit::AuditEntry;
use mimamori_domain::jdate::parse_date;
use mimamori_store::audit::AuditFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const PAGE_SIZE: i64 = 100;

/// The filter of the audit list, shared by the page and the API.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// create, update, delete, sign_in, sign_in_failed, lockout, export, …
    #[serde(default)]
    pub action: String,
    /// facility, appointment, user, membership, …
    #[serde(default)]
    pub entity: String,
    /// Part of the actor's e-mail address.
    #[serde(default)]
    pub actor: String,
    /// First day (2025-04-01, R7.4.1, …).
    #[serde(default)]
    pub from: String,
    /// Last day, inclusive.
    #[serde(default)]
    pub until: String,
    /// Entries older than this sequence number (paging).
    pub before: Option<i64>,
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl AuditQuery {
    pub fn filter(&self, facility_id: Option<i64>, organisation_id: Option<i64>) -> AuditFilter {
        AuditFilter {
            facility_id,
            organisation_id,
            action: non_empty(&self.action),
            entity: non_empty(&self.entity),
            actor: non_empty(&self.actor),
            from: parse_date(&self.from).map(|d| d.to_string()),
            until: parse_date(&self.until).map(|d| d.to_string()),
            before_seq: self.before,
            limit: PAGE_SIZE,
        }
    }

    /// The query string for the next page.
    pub fn next_page(&self, before: i64) -> String {
        format!(
            "action={}&entity={}&actor={}&from={}&until={}&before={before}",
            urlencoding::encode(&self.action),
            urlencoding::encode(&self.entity),
            urlencoding::encode(&self.actor),
            urlencoding::encode(&self.from),
            urlencoding::encode(&self.until)
        )
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub facility_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON text of the record before the change.
    pub before: Option<String>,
    /// JSON text of the record after the change.
    pub after: Option<String>,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor,
            facility_id: e.facility_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            hash: e.hash,
        }
    }
}
