//! Setting a vulnerability aside (risk accepted, not applicable, mitigated) and lifting it:
//! checked, kept and audited by the store; the findings and the report follow at once.

use chrono::NaiveDate;
use mimamori_domain::vulnerabilities::suppression::SuppressionInput;
use mimamori_store::{Actor, Store, StoreError};

use super::SuppressionView;

/// Keeps the suppression `input` asks for, checked on `today`.
pub async fn suppress(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    input: &SuppressionInput,
    today: NaiveDate,
) -> Result<SuppressionView, StoreError> {
    let new = input.validate(today).map_err(StoreError::Invalid)?;
    let kept = store.add_suppression(actor, facility_id, &new).await?;
    Ok(SuppressionView::of(&kept))
}

/// Lifts suppression `id`: the vulnerability counts again.
pub async fn lift(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    id: i64,
) -> Result<(), StoreError> {
    store.lift_suppression(actor, facility_id, id).await
}
