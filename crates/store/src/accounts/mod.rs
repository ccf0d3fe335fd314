//! The account ledgers of a facility's information systems, their policies, column mappings,
//! access reviews and ID applications. The staff roster is the `staff` register.

mod applications;
mod policies;
mod reviews;
mod writes;

pub use applications::{Application, NewApplication};
pub use policies::PolicyCell;
pub use reviews::{Review, ReviewItem};
pub use writes::AccountImport;

use chrono::NaiveDate;
use mimamori_domain::accounts::account::{split_list, OwnerState};
use mimamori_domain::accounts::{Account, AccountStatus, Person, Privileges, STAFF};
use mimamori_domain::validation::search_key;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, Result, Scope, Store, StoreError};

/// The columns of an [`Account`]; [`COLUMNS`] adds when and by whom it was last written.
macro_rules! account_columns {
    () => {
        "id, system, login_id, display_name, owners, owner_state, role, privileges, privileged, status, created_on, last_sign_in_on, expires_on"
    };
}
const ACCOUNT_COLUMNS: &str = account_columns!();
const COLUMNS: &str = concat!(account_columns!(), ", updated_at, updated_by");

pub(crate) fn date(row: &AnyRow, name: &str) -> Result<Option<NaiveDate>> {
    Ok(day(col(row, name)?))
}

/// A stored `YYYY-MM-DD` date.
fn day(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

pub(crate) fn iso(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// An account with when and by whom it was last written.
#[derive(Debug, Clone)]
pub struct StoredAccount {
    pub account: Account,
    pub updated_at: String,
    pub updated_by: String,
}

fn from_row(row: &AnyRow) -> Result<StoredAccount> {
    Ok(StoredAccount {
        account: account_from_row(row)?,
        updated_at: col(row, "updated_at")?,
        updated_by: col(row, "updated_by")?,
    })
}

/// An account's columns in [`ACCOUNT_COLUMNS`] order.
#[derive(serde::Deserialize)]
struct AccountColumns(
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn account_from_row(row: &AnyRow) -> Result<Account> {
    account_from_columns(AccountColumns(
        col(row, "id")?,
        col(row, "system")?,
        col(row, "login_id")?,
        col(row, "display_name")?,
        col(row, "owners")?,
        col(row, "owner_state")?,
        col(row, "role")?,
        col(row, "privileges")?,
        col(row, "privileged")?,
        col(row, "status")?,
        col(row, "created_on")?,
        col(row, "last_sign_in_on")?,
        col(row, "expires_on")?,
    ))
}

fn account_from_columns(c: AccountColumns) -> Result<Account> {
    Ok(Account {
        id: c.0,
        system: c.1,
        login_id: c.2,
        display_name: c.3,
        owners: split_list(&c.4),
        owner_state: OwnerState::parse(&c.5),
        role: c.6,
        privileges: Privileges::from_code(&c.7),
        privileged: c.8 != 0,
        status: AccountStatus::parse(&c.9)
            .ok_or_else(|| StoreError::Unsupported(format!("account status {}", c.9)))?,
        created_on: day(c.10),
        last_sign_in_on: day(c.11),
        expires_on: day(c.12),
    })
}

/// One account of the facility (another facility's is not found), through a pool or inside a
/// write transaction.
pub(crate) async fn fetch_account<'e, E>(
    executor: E,
    facility_id: i64,
    id: i64,
) -> Result<StoredAccount>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1 AND facility_id = $2");
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(facility_id)
        .fetch_optional(executor)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// The filter of an account list, shared by the page, the API and the export.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// A system's name; None for every system.
    pub system: Option<String>,
    pub q: Option<String>,
    pub status: Option<AccountStatus>,
    /// Only accounts whose owner is unknown or awaits confirmation.
    pub unmatched: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone)]
pub struct AccountPage {
    pub accounts: Vec<StoredAccount>,
    pub total: i64,
}

/// Accounts per system, for the overview.
#[derive(Debug, Clone, Serialize)]
pub struct SystemAccounts {
    pub system: String,
    pub active: i64,
    pub inactive: i64,
    pub unmatched: i64,
}

impl Store {
    pub async fn accounts(&self, facility_id: i64, filter: &AccountFilter) -> Result<AccountPage> {
        let term = crate::dialect::search_pattern(filter.q.as_deref());
        let conditions = "facility_id = $1 AND ($2 IS NULL OR system_key = $2) AND ($3 IS NULL OR search_text LIKE $3 ESCAPE '\\') AND ($4 IS NULL OR status = $4) AND ($5 = 0 OR owner_state IN ('unknown', 'suggested'))";
        let system = filter.system.as_deref().map(search_key);
        let status = filter.status.map(|s| s.code());
        let unmatched = i64::from(filter.unmatched);
        let per_page = filter.per_page.clamp(1, i64::MAX / 4);
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE {conditions} ORDER BY system_key, login_key LIMIT $6 OFFSET $7");
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .bind(system.clone())
            .bind(term.clone())
            .bind(status)
            .bind(unmatched)
            .bind(per_page)
            .bind(mimamori_domain::validation::page_offset(
                filter.page,
                per_page,
            ))
            .fetch_all(&self.pool)
            .await?;
        let total = match crate::total_on_page(filter.page, per_page, rows.len()) {
            Some(total) => total,
            None => {
                let count = sqlx::query(&format!(
                    "SELECT COUNT(*) AS n FROM accounts WHERE {conditions}"
                ))
                .bind(facility_id)
                .bind(system)
                .bind(term)
                .bind(status)
                .bind(unmatched)
                .fetch_one(&self.pool)
                .await?;
                col(&count, "n")?
            }
        };
        Ok(AccountPage {
            accounts: rows.iter().map(from_row).collect::<Result<_>>()?,
            total,
        })
    }

    /// Every account of the facility (of one system when named), deleted ones included.
    pub async fn all_accounts(
        &self,
        facility_id: i64,
        system: Option<&str>,
    ) -> Result<Vec<Account>> {
        let filter = AccountFilter {
            system: system.map(str::to_string),
            per_page: i64::MAX / 4,
            ..Default::default()
        };
        Ok(self
            .accounts(facility_id, &filter)
            .await?
            .accounts
            .into_iter()
            .map(|s| s.account)
            .collect())
    }

    /// The facility's accounts that are not deleted, as the rules engine reads them: in one
    /// round trip, without a count or the columns of who wrote them last (a large hospital has
    /// 60,000).
    pub async fn live_accounts(&self, facility_id: i64) -> Result<Vec<Account>> {
        self.live_accounts_in(facility_id, &Scope::All).await
    }

    /// The live accounts of `scope`, in the order of [`Store::live_accounts`].
    pub(crate) async fn live_accounts_in(
        &self,
        facility_id: i64,
        scope: &Scope,
    ) -> Result<Vec<Account>> {
        // All rows come as one JSON text (see `Backend::json_rows`); for the findings of a
        // 60,000-account facility that halved the time on both databases (docs/benchmarks.md,
        // session 8).
        let sql = self.backend.json_rows(
            ACCOUNT_COLUMNS,
            &format!(
                "accounts WHERE facility_id = $1 AND status <> 'deleted'{}",
                scope.condition(self.backend, "id")
            ),
            "system_key, login_key",
        );
        self.facility_json_rows(&sql, facility_id, scope)
            .await?
            .into_iter()
            .map(account_from_columns)
            .collect()
    }

    pub async fn account(&self, facility_id: i64, id: i64) -> Result<StoredAccount> {
        fetch_account(&self.pool, facility_id, id).await
    }

    pub async fn account_systems(&self, facility_id: i64) -> Result<Vec<SystemAccounts>> {
        let rows = sqlx::query(
            "SELECT MIN(system) AS system,
                    SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active,
                    SUM(CASE WHEN status = 'active' THEN 0 ELSE 1 END) AS inactive,
                    SUM(CASE WHEN owner_state IN ('unknown', 'suggested') AND status = 'active' THEN 1 ELSE 0 END) AS unmatched
             FROM accounts WHERE facility_id = $1 GROUP BY system_key ORDER BY system_key",
        )
        .bind(facility_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SystemAccounts {
                    system: col(r, "system")?,
                    active: col(r, "active")?,
                    inactive: col(r, "inactive")?,
                    unmatched: col(r, "unmatched")?,
                })
            })
            .collect()
    }

    /// The staff roster as people.
    pub async fn people(&self, facility_id: i64) -> Result<Vec<Person>> {
        Ok(self
            .all_records(facility_id, &STAFF)
            .await?
            .iter()
            .map(|r| Person::from_record(&r.record))
            .collect())
    }
}
