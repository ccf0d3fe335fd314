//! ID applications (seed 004 Art. 12): applied → approved or rejected by the system manager →
//! carried out in the ledger (a new account issued, rights changed, or the ID revoked). Every
//! step keeps who and when.

use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::workflow::{ApplicationKind, ApplicationStatus, ApplicationStep};
use mimamori_domain::accounts::{Account, AccountStatus, Privileges};
use mimamori_domain::validation::search_key;
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;

use crate::{col, flag, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub id: i64,
    pub kind: String,
    pub system: String,
    pub account_id: Option<i64>,
    pub applicant: String,
    pub staff_number: String,
    pub job_type: String,
    /// Requested privileges in stored code form.
    pub privileges: String,
    pub privileged: bool,
    pub reason: String,
    pub login_id: String,
    pub status: String,
    pub applied_at: String,
    pub applied_by: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
}

impl Application {
    pub fn kind(&self) -> ApplicationKind {
        ApplicationKind::parse(&self.kind).unwrap_or(ApplicationKind::New)
    }

    pub fn status(&self) -> ApplicationStatus {
        ApplicationStatus::parse(&self.status).unwrap_or(ApplicationStatus::Applied)
    }
}

/// A validated application as filed.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub kind: ApplicationKind,
    pub system: String,
    /// The account concerned (change and revoke).
    pub account_id: Option<i64>,
    pub applicant: String,
    pub staff_number: String,
    pub job_type: String,
    pub privileges: Privileges,
    pub privileged: bool,
    pub reason: String,
    /// The ID wished for (new) or concerned (change, revoke).
    pub login_id: String,
}

fn from_row(row: &AnyRow) -> Result<Application> {
    Ok(Application {
        id: col(row, "id")?,
        kind: col(row, "kind")?,
        system: col(row, "system")?,
        account_id: col(row, "account_id")?,
        applicant: col(row, "applicant")?,
        staff_number: col(row, "staff_number")?,
        job_type: col(row, "job_type")?,
        privileges: col(row, "privileges")?,
        privileged: flag(row, "privileged")?,
        reason: col(row, "reason")?,
        login_id: col(row, "login_id")?,
        status: col(row, "status")?,
        applied_at: col(row, "applied_at")?,
        applied_by: col(row, "applied_by")?,
        decided_at: col(row, "decided_at")?,
        decided_by: col(row, "decided_by")?,
        decision_note: col(row, "decision_note")?,
        done_at: col(row, "done_at")?,
        done_by: col(row, "done_by")?,
    })
}

impl Store {
    pub async fn applications(&self, facility_id: i64) -> Result<Vec<Application>> {
        let rows = sqlx::query("SELECT * FROM account_applications WHERE facility_id = $1 ORDER BY applied_at DESC, id DESC")
            .bind(facility_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn application(&self, facility_id: i64, id: i64) -> Result<Application> {
        let row =
            sqlx::query("SELECT * FROM account_applications WHERE id = $1 AND facility_id = $2")
                .bind(id)
                .bind(facility_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }
}

impl WriteTx {
    pub async fn file_application(&mut self, facility_id: i64, a: &NewApplication) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO account_applications (facility_id, kind, system, system_key, account_id, applicant, staff_number, job_type, privileges, privileged, reason, login_id, status, applied_at, applied_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'applied', $13, $14) RETURNING id",
        )
        .bind(facility_id)
        .bind(a.kind.code())
        .bind(a.system.clone())
        .bind(search_key(&a.system))
        .bind(a.account_id)
        .bind(a.applicant.clone())
        .bind(a.staff_number.clone())
        .bind(a.job_type.clone())
        .bind(a.privileges.to_code())
        .bind(i64::from(a.privileged))
        .bind(a.reason.clone())
        .bind(a.login_id.clone())
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(
            AuditRecord::new("apply", "account_application")
                .facility(Some(facility_id))
                .id(id)
                .after(&json!({
                    "kind": a.kind.code(), "system": a.system, "applicant": a.applicant,
                    "staff_number": a.staff_number, "job_type": a.job_type,
                    "privileges": a.privileges.to_code(), "privileged": a.privileged,
                    "reason": a.reason, "login_id": a.login_id,
                })),
        )
        .await?;
        Ok(id)
    }

    /// Approves or rejects an application; the applicant cannot decide their own.
    pub async fn decide_application(
        &mut self,
        facility_id: i64,
        application: &Application,
        approve: bool,
        note: &str,
    ) -> Result<()> {
        let current = self.current_status(application.id).await?;
        let step = if approve {
            ApplicationStep::Approve
        } else {
            ApplicationStep::Reject
        };
        let own = application.applied_by == self.actor().display;
        let next = current
            .after(step, own)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        sqlx::query("UPDATE account_applications SET status = $1, decided_at = $2, decided_by = $3, decision_note = $4 WHERE id = $5")
            .bind(next.code())
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .bind(Some(note.trim().to_string()).filter(|n| !n.is_empty()))
            .bind(application.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new(
                if approve { "approve" } else { "reject" },
                "account_application",
            )
            .facility(Some(facility_id))
            .id(application.id)
            .after(&json!({"status": next.code(), "note": note})),
        )
        .await
    }

    /// Carries out an approved application in the ledger: issues the account (with `login_id`
    /// when the issuer sets one), changes its rights, or revokes it. Returns the account id.
    pub async fn carry_out_application(
        &mut self,
        facility_id: i64,
        application: &Application,
        login_id: &str,
    ) -> Result<i64> {
        let current = self.current_status(application.id).await?;
        let next = current
            .after(ApplicationStep::CarryOut, false)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let privileges = Privileges::parse(&application.privileges).unwrap_or_default();
        let login_id = Some(login_id.trim())
            .filter(|l| !l.is_empty())
            .unwrap_or(application.login_id.trim())
            .to_string();
        let account_id = match application.kind() {
            ApplicationKind::New => {
                if login_id.is_empty() {
                    return Err(StoreError::Refused(
                        "発行する利用者IDを入力してください / enter the login ID to issue".into(),
                    ));
                }
                let owners: Vec<String> = Some(application.staff_number.clone())
                    .filter(|s| !s.is_empty())
                    .into_iter()
                    .collect();
                let account = Account {
                    id: 0,
                    system: application.system.clone(),
                    login_id: login_id.clone(),
                    display_name: application.applicant.clone(),
                    owner_state: if owners.is_empty() {
                        OwnerState::Unknown
                    } else {
                        OwnerState::Confirmed
                    },
                    owners,
                    role: String::new(),
                    privileges,
                    privileged: application.privileged,
                    status: AccountStatus::Active,
                    created_on: Some(self.today()),
                    last_sign_in_on: None,
                    expires_on: None,
                };
                self.create_account(facility_id, &account).await?
            }
            ApplicationKind::Change | ApplicationKind::Revoke => {
                let id = application.account_id.ok_or_else(|| {
                    StoreError::Refused(
                        "対象のアカウントがありません / the application names no account".into(),
                    )
                })?;
                let before = super::fetch_account(&mut *self.tx, facility_id, id).await?;
                let mut after = before.account.clone();
                if application.kind() == ApplicationKind::Change {
                    after.privileges = privileges;
                    after.privileged = application.privileged;
                } else {
                    after.status = AccountStatus::Deleted;
                }
                self.update_account(facility_id, &before, &after).await?;
                id
            }
        };
        sqlx::query("UPDATE account_applications SET status = $1, done_at = $2, done_by = $3, account_id = $4, login_id = $5 WHERE id = $6")
            .bind(next.code())
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .bind(account_id)
            .bind(login_id)
            .bind(application.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("carry_out", "account_application")
                .facility(Some(facility_id))
                .id(application.id)
                .after(&json!({"status": next.code(), "account": account_id})),
        )
        .await?;
        Ok(account_id)
    }

    async fn current_status(&mut self, id: i64) -> Result<ApplicationStatus> {
        let row = sqlx::query("SELECT status FROM account_applications WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(ApplicationStatus::parse(&col::<String>(&row, "status")?)
            .unwrap_or(ApplicationStatus::Applied))
    }

    /// Today in Japan, from the transaction's timestamp.
    fn today(&self) -> chrono::NaiveDate {
        mimamori_domain::clock::jst_date(&self.now).unwrap_or_default()
    }
}
