//! Seeding the contact chart with what every facility needs, as entries to complete.

use mimamori_domain::contacts::{required_contacts, standard_escalation, CONTACTS, ESCALATION};
use mimamori_domain::ledger::register::Record;
use mimamori_domain::ledger::registers::VENDORS;

use crate::{col, Result, WriteTx};

/// What seeding added: (escalation steps, external contacts).
pub type Seeded = (usize, usize);

impl WriteTx {
    /// Adds the required external contacts (MHLW, police, prefecture, 保健所, PPC, each vendor of
    /// the vendor register …) that are missing, and the standard escalation when the facility has
    /// none. Existing entries are never changed, so it is safe to run again after adding vendors.
    pub async fn seed_contact_chart(
        &mut self,
        facility_id: i64,
        prefecture: Option<&str>,
    ) -> Result<Seeded> {
        let vendor_rows = sqlx::query(
            "SELECT data FROM register_records WHERE facility_id = $1 AND register = $2 ORDER BY record_key",
        )
        .bind(facility_id)
        .bind(VENDORS.slug)
        .fetch_all(&mut *self.tx)
        .await?;
        let vendors: Vec<Record> = vendor_rows
            .iter()
            .filter_map(|r| serde_json::from_str(&col::<String>(r, "data").ok()?).ok())
            .collect();
        let has_escalation = sqlx::query(
            "SELECT COUNT(*) AS n FROM register_records WHERE facility_id = $1 AND register = $2",
        )
        .bind(facility_id)
        .bind(ESCALATION.slug)
        .fetch_one(&mut *self.tx)
        .await?;
        let steps = if col::<i64>(&has_escalation, "n")? == 0 {
            self.add_missing_records(facility_id, &ESCALATION, &standard_escalation())
                .await?
        } else {
            0
        };
        let contacts = self
            .add_missing_records(
                facility_id,
                &CONTACTS,
                &required_contacts(prefecture, &vendors),
            )
            .await?;
        Ok((steps, contacts))
    }
}
