//! Writing accounts: imports of a system's user export (diffed against the ledger, owners
//! matched against the roster), edits, owner confirmation and status changes — each audited.

use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::matching::Roster;
use mimamori_domain::accounts::{Account, AccountChanges, AccountStatus, Person};
use mimamori_domain::validation::search_key;
use serde_json::json;

use super::{iso, StoredAccount};
use crate::bulk::Rows;
use crate::{col, AuditRecord, Result, StoreError, WriteTx};

/// What an import did (or, in a preview, would do): the changes, and how many owners matching
/// found.
#[derive(Debug, Clone, Default)]
pub struct AccountImport {
    pub changes: AccountChanges,
    pub matched: usize,
    pub suggested: usize,
}

impl AccountImport {
    /// The changes [`AccountChanges::between`] decides, with the owners of the written accounts
    /// matched against the roster. Nothing is read or written: a preview is this alone.
    pub fn plan(existing: &[Account], incoming: &[Account], people: &[Person]) -> Self {
        let mut changes = AccountChanges::between(existing, incoming);
        let roster = Roster::new(people);
        let mut accounts: Vec<Account> = changes.writes.iter().map(|(_, a)| a.clone()).collect();
        let (matched, suggested) = roster.match_accounts(&mut accounts);
        for ((_, write), matched) in changes.writes.iter_mut().zip(accounts) {
            *write = matched;
        }
        AccountImport {
            changes,
            matched,
            suggested,
        }
    }
}

fn search_text(account: &Account) -> String {
    search_key(&format!(
        "{} {} {} {}",
        account.login_id,
        account.display_name,
        account.owners.join(" "),
        account.role
    ))
}

/// Rows inserted per statement when an import creates many accounts.
const BATCH: usize = 400;

impl WriteTx {
    /// Applies a full user export of `system`: creates, changes and disables accounts as
    /// [`AccountChanges::between`] decides, matches owners of the accounts that have none, and
    /// records one audit entry listing every change.
    pub async fn import_accounts(
        &mut self,
        facility_id: i64,
        system: &str,
        existing: &[Account],
        incoming: &[Account],
        people: &[Person],
    ) -> Result<AccountImport> {
        let plan = AccountImport::plan(existing, incoming, people);
        let changes = &plan.changes;
        let (new, updates): (Vec<_>, Vec<_>) = changes.writes.iter().partition(|(id, _)| *id == 0);
        for chunk in new.chunks(BATCH) {
            self.insert_accounts(facility_id, system, chunk.iter().map(|(_, a)| a))
                .await?;
        }
        for (id, account) in &updates {
            self.update_account_row(*id, account).await?;
        }
        let before: Vec<serde_json::Value> = updates
            .iter()
            .filter_map(|(id, _)| existing.iter().find(|a| a.id == *id))
            .filter(|a| !changes.sign_ins.contains(&a.login_id))
            .map(|a| json!({"login_id": a.login_id, "record": a.to_record().values}))
            .collect();
        self.audit(
            AuditRecord::new("import", "accounts")
                .facility(Some(facility_id))
                .id(system)
                .before(&before)
                .after(&json!({
                    "system": system,
                    "created": changes.created,
                    "changed": changes.changed,
                    "disabled": changes.disabled,
                    "sign_ins_updated": changes.sign_ins.len(),
                })),
        )
        .await?;
        Ok(plan)
    }

    pub(crate) async fn insert_accounts<'a>(
        &mut self,
        facility_id: i64,
        system: &str,
        accounts: impl Iterator<Item = &'a Account>,
    ) -> Result<()> {
        let mut rows = Rows::new(
            "accounts",
            &[
                "facility_id",
                "system",
                "system_key",
                "login_id",
                "login_key",
                "display_name",
                "owners",
                "owner_state",
                "role",
                "privileges",
                "privileged",
                "status",
                "created_on",
                "last_sign_in_on",
                "expires_on",
                "search_text",
                "updated_at",
                "updated_by",
            ],
        );
        let (now, by) = (self.now.clone(), self.actor().display.clone());
        for a in accounts {
            rows.push([
                facility_id.into(),
                system.into(),
                search_key(system).into(),
                a.login_id.clone().into(),
                a.key().into(),
                a.display_name.clone().into(),
                a.owners.join(",").into(),
                a.owner_state.code().into(),
                a.role.clone().into(),
                a.privileges.to_code().into(),
                a.privileged.into(),
                a.status.code().into(),
                iso(a.created_on).into(),
                iso(a.last_sign_in_on).into(),
                iso(a.expires_on).into(),
                search_text(a).into(),
                now.clone().into(),
                by.clone().into(),
            ]);
        }
        self.insert_rows(&rows).await
    }

    async fn update_account_row(&mut self, id: i64, a: &Account) -> Result<()> {
        sqlx::query(
            "UPDATE accounts SET login_id = $1, login_key = $2, display_name = $3, owners = $4, owner_state = $5, role = $6, privileges = $7, privileged = $8, status = $9, created_on = $10, last_sign_in_on = $11, expires_on = $12, search_text = $13, updated_at = $14, updated_by = $15 WHERE id = $16",
        )
        .bind(a.login_id.clone())
        .bind(a.key())
        .bind(a.display_name.clone())
        .bind(a.owners.join(","))
        .bind(a.owner_state.code())
        .bind(a.role.clone())
        .bind(a.privileges.to_code())
        .bind(i64::from(a.privileged))
        .bind(a.status.code())
        .bind(iso(a.created_on))
        .bind(iso(a.last_sign_in_on))
        .bind(iso(a.expires_on))
        .bind(search_text(a))
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Creates one account (from a form or an issued application); the login ID must be new
    /// within the system.
    pub async fn create_account(&mut self, facility_id: i64, account: &Account) -> Result<i64> {
        let taken = sqlx::query(
            "SELECT id FROM accounts WHERE facility_id = $1 AND system_key = $2 AND login_key = $3",
        )
        .bind(facility_id)
        .bind(search_key(&account.system))
        .bind(account.key())
        .fetch_optional(&mut *self.tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Refused(format!(
                "利用者ID「{}」は{}に既にあります / login ID {} already exists in {}",
                account.login_id, account.system, account.login_id, account.system
            )));
        }
        self.insert_accounts(facility_id, &account.system, std::iter::once(account))
            .await?;
        let row = sqlx::query(
            "SELECT id FROM accounts WHERE facility_id = $1 AND system_key = $2 AND login_key = $3",
        )
        .bind(facility_id)
        .bind(search_key(&account.system))
        .bind(account.key())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(
            AuditRecord::new("create", "account")
                .facility(Some(facility_id))
                .id(id)
                .after(&json!({"system": account.system, "record": account.to_record().values})),
        )
        .await?;
        Ok(id)
    }

    /// Writes a changed account (edit, owner confirmation, status change) with its audit entry.
    pub async fn update_account(
        &mut self,
        facility_id: i64,
        before: &StoredAccount,
        after: &Account,
    ) -> Result<()> {
        self.update_account_row(before.account.id, after).await?;
        self.audit(
            AuditRecord::new("update", "account")
                .facility(Some(facility_id))
                .id(before.account.id)
                .before(&json!({"record": before.account.to_record().values, "owner_state": before.account.owner_state.code()}))
                .after(&json!({"record": after.to_record().values, "owner_state": after.owner_state.code()})),
        )
        .await
    }

    /// Sets the owners of an account as confirmed by the acting person (empty = no owner).
    pub async fn confirm_owner(
        &mut self,
        facility_id: i64,
        before: &StoredAccount,
        owners: Vec<String>,
    ) -> Result<()> {
        let mut after = before.account.clone();
        after.owner_state = if owners.is_empty() {
            OwnerState::Unknown
        } else {
            OwnerState::Confirmed
        };
        after.owners = owners;
        self.update_account(facility_id, before, &after).await
    }

    pub async fn set_account_status(
        &mut self,
        facility_id: i64,
        before: &StoredAccount,
        status: AccountStatus,
    ) -> Result<()> {
        let mut after = before.account.clone();
        after.status = status;
        self.update_account(facility_id, before, &after).await
    }
}
