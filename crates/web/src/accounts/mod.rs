//! Accounts and access rights: the account ledger of each information system, its import with a
//! column mapping, the access policy grid, access reviews and ID applications. The staff roster
//! is the `staff` register (its pages are the registers').

pub mod api;
pub mod applications;
pub mod pages;
pub mod reviews;
pub mod transfer;

use mimamori_domain::ledger::registers::SYSTEMS;
use mimamori_store::Store;

use crate::error::{AppError, AppResult};

pub use mimamori_app::import::accounts::SystemRef;

/// The systems of the facility's register, by name.
pub async fn systems(store: &Store, facility_id: i64) -> AppResult<Vec<SystemRef>> {
    Ok(store
        .all_records(facility_id, &SYSTEMS)
        .await?
        .into_iter()
        .map(|r| SystemRef {
            id: r.id,
            name: r.record.get("name").unwrap_or_default().to_string(),
        })
        .collect())
}

pub async fn system(store: &Store, facility_id: i64, id: i64) -> AppResult<SystemRef> {
    let record = store.record(facility_id, &SYSTEMS, id).await?;
    Ok(SystemRef {
        id,
        name: record.record.get("name").unwrap_or_default().to_string(),
    })
}

/// A system by name (as the CLI and API name it); a clear error when the register lacks it.
pub async fn system_named(store: &Store, facility_id: i64, name: &str) -> AppResult<SystemRef> {
    mimamori_app::import::accounts::registered_system(store, facility_id, name)
        .await?
        .ok_or_else(|| {
            AppError::bad_request(
                format!("システム「{name}」は医療情報システム台帳にありません。先に台帳に登録してください。"),
                format!("System \"{name}\" is not in the information-systems register: add it there first."),
            )
        })
}
