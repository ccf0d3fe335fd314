//! Access reviews (アカウント棚卸し): a snapshot of a system's accounts that a reviewer goes
//! through, keeping, changing or disabling each; completed reviews are checklist evidence.

use chrono::NaiveDate;
use mimamori_domain::accounts::workflow::ReviewDecision;
use mimamori_domain::accounts::AccountStatus;
use mimamori_domain::validation::search_key;
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;

use super::{date, iso};
use crate::{col, flag, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: i64,
    pub system: String,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub created_at: String,
    pub created_by: String,
    pub completed_at: Option<String>,
    pub completed_by: Option<String>,
    pub total: i64,
    pub decided: i64,
}

impl Review {
    pub fn is_complete(&self) -> bool {
        self.completed_at.is_some()
    }

    /// Percentage of accounts decided.
    pub fn percent(&self) -> i64 {
        if self.total == 0 {
            100
        } else {
            self.decided * 100 / self.total
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub id: i64,
    pub account_id: Option<i64>,
    pub login_id: String,
    pub display_name: String,
    pub owners: String,
    /// Privileges in stored code form.
    pub privileges: String,
    pub privileged: bool,
    pub status: String,
    pub last_sign_in_on: Option<NaiveDate>,
    pub decision: Option<String>,
    pub note: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
}

const REVIEW_COLUMNS: &str = "r.id, r.system, r.title, r.due_on, r.created_at, r.created_by, r.completed_at, r.completed_by,
    (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id) AS total,
    (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision IS NOT NULL) AS decided";

fn review_row(row: &AnyRow) -> Result<Review> {
    Ok(Review {
        id: col(row, "id")?,
        system: col(row, "system")?,
        title: col(row, "title")?,
        due_on: date(row, "due_on")?,
        created_at: col(row, "created_at")?,
        created_by: col(row, "created_by")?,
        completed_at: col(row, "completed_at")?,
        completed_by: col(row, "completed_by")?,
        total: col(row, "total")?,
        decided: col(row, "decided")?,
    })
}

fn item_row(row: &AnyRow) -> Result<ReviewItem> {
    Ok(ReviewItem {
        id: col(row, "id")?,
        account_id: col(row, "account_id")?,
        login_id: col(row, "login_id")?,
        display_name: col(row, "display_name")?,
        owners: col(row, "owners")?,
        privileges: col(row, "privileges")?,
        privileged: flag(row, "privileged")?,
        status: col(row, "status")?,
        last_sign_in_on: date(row, "last_sign_in_on")?,
        decision: col(row, "decision")?,
        note: col(row, "note")?,
        decided_at: col(row, "decided_at")?,
        decided_by: col(row, "decided_by")?,
    })
}

impl Store {
    pub async fn reviews(&self, facility_id: i64) -> Result<Vec<Review>> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM access_reviews r WHERE r.facility_id = $1 ORDER BY r.created_at DESC, r.id DESC");
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(review_row).collect()
    }

    pub async fn review(&self, facility_id: i64, id: i64) -> Result<Review> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM access_reviews r WHERE r.id = $1 AND r.facility_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        review_row(&row)
    }

    pub async fn review_items(&self, review_id: i64) -> Result<Vec<ReviewItem>> {
        let rows = sqlx::query(
            "SELECT * FROM access_review_items WHERE review_id = $1 ORDER BY login_id, id",
        )
        .bind(review_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_row).collect()
    }
}

impl WriteTx {
    /// Starts a review of every account of `system` that is not deleted.
    pub async fn start_review(
        &mut self,
        facility_id: i64,
        system: &str,
        title: &str,
        due_on: Option<NaiveDate>,
    ) -> Result<i64> {
        let row = sqlx::query("INSERT INTO access_reviews (facility_id, system, system_key, title, due_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(facility_id)
            .bind(system.to_string())
            .bind(search_key(system))
            .bind(title.to_string())
            .bind(iso(due_on))
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        let id: i64 = col(&row, "id")?;
        let copied = sqlx::query(
            "INSERT INTO access_review_items (review_id, account_id, login_id, display_name, owners, privileges, privileged, status, last_sign_in_on)
             SELECT $1, id, login_id, display_name, owners, privileges, privileged, status, last_sign_in_on
             FROM accounts WHERE facility_id = $2 AND system_key = $3 AND status <> 'deleted'",
        )
        .bind(id)
        .bind(facility_id)
        .bind(search_key(system))
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        self.audit(
            AuditRecord::new("create", "access_review")
                .facility(Some(facility_id))
                .id(id)
                .after(&json!({"system": system, "title": title, "due_on": iso(due_on), "accounts": copied})),
        )
        .await?;
        Ok(id)
    }

    /// Records a decision on one account; disabling suspends the account in the ledger in the
    /// same transaction. A change needs a note saying what changes.
    pub async fn decide_review_item(
        &mut self,
        facility_id: i64,
        review: &Review,
        item: &ReviewItem,
        decision: ReviewDecision,
        note: &str,
    ) -> Result<()> {
        self.ensure_review_open(review).await?;
        if decision == ReviewDecision::Change && note.trim().is_empty() {
            return Err(StoreError::Refused(
                "「変更」にはどう変えるかをメモに書いてください / a change needs a note saying what changes".into(),
            ));
        }
        sqlx::query("UPDATE access_review_items SET decision = $1, note = $2, decided_at = $3, decided_by = $4 WHERE id = $5 AND review_id = $6")
            .bind(decision.code())
            .bind(Some(note.trim().to_string()).filter(|n| !n.is_empty()))
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .bind(item.id)
            .bind(review.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("decide", "access_review_item")
                .facility(Some(facility_id))
                .id(item.id)
                .before(&json!({"decision": item.decision}))
                .after(&json!({"review": review.id, "login_id": item.login_id, "decision": decision.code(), "note": note})),
        )
        .await?;
        if decision == ReviewDecision::Disable {
            if let Some(account_id) = item.account_id {
                let store_row =
                    sqlx::query("SELECT status FROM accounts WHERE id = $1 AND facility_id = $2")
                        .bind(account_id)
                        .bind(facility_id)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                if let Some(row) = store_row {
                    if col::<String>(&row, "status")? == AccountStatus::Active.code() {
                        sqlx::query("UPDATE accounts SET status = $1, updated_at = $2, updated_by = $3 WHERE id = $4")
                            .bind(AccountStatus::Suspended.code())
                            .bind(self.now.clone())
                            .bind(self.actor().display.clone())
                            .bind(account_id)
                            .execute(&mut *self.tx)
                            .await?;
                        self.audit(
                            AuditRecord::new("update", "account")
                                .facility(Some(facility_id))
                                .id(account_id)
                                .before(&json!({"status": "active"}))
                                .after(&json!({"status": "suspended", "review": review.id})),
                        )
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Completes a review once every account is decided.
    pub async fn complete_review(&mut self, facility_id: i64, review: &Review) -> Result<()> {
        self.ensure_review_open(review).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM access_review_items WHERE review_id = $1 AND decision IS NULL")
            .bind(review.id)
            .fetch_one(&mut *self.tx)
            .await?;
        let open: i64 = col(&row, "n")?;
        if open > 0 {
            return Err(StoreError::Refused(format!(
                "未判定のアカウントが {open} 件あります。すべて判定してから完了してください / {open} accounts are not decided yet"
            )));
        }
        sqlx::query("UPDATE access_reviews SET completed_at = $1, completed_by = $2 WHERE id = $3")
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .bind(review.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("complete", "access_review")
                .facility(Some(facility_id))
                .id(review.id),
        )
        .await
    }

    /// Re-reads the review inside the transaction so that two reviewers cannot decide on a
    /// review another has just completed.
    async fn ensure_review_open(&mut self, review: &Review) -> Result<()> {
        let row = sqlx::query("SELECT completed_at FROM access_reviews WHERE id = $1")
            .bind(review.id)
            .fetch_one(&mut *self.tx)
            .await?;
        if col::<Option<String>>(&row, "completed_at")?.is_some() {
            return Err(StoreError::Refused(
                "この棚卸しは完了しているため変更できません / the review is complete".into(),
            ));
        }
        Ok(())
    }
}
