//! Writing generated facilities (`mimamori generate`) in bulk: every table a facility's data
//! lives in, with multi-row INSERTs, and one audit entry per facility that says it was generated
//! and how much it holds (a per-record trail of synthetic data would only bury real changes).

use chrono::NaiveDate;
use mimamori_domain::accounts::Account;
use mimamori_domain::checklist::{Answer, Form};
use mimamori_domain::facility::FacilityProfile;
use mimamori_domain::governance::Appointment;
use mimamori_domain::incidents::Incident;
use mimamori_domain::ledger::device::Device;
use mimamori_domain::ledger::register::{Record, RegisterSpec};
use serde_json::json;

use crate::bulk::Rows;
use crate::ledger::device_writes::DeviceRows;
use crate::ledger::registers::{data, record_key};
use crate::{AuditRecord, Result, WriteTx};

/// One checklist answer of the facility's own form.
#[derive(Debug, Clone)]
pub struct GeneratedAnswer {
    pub item_key: String,
    pub answer: Answer,
    pub first_checked_on: NaiveDate,
    pub target_on: Option<NaiveDate>,
}

/// Everything generated for one facility.
#[derive(Debug, Clone)]
pub struct GeneratedFacility {
    pub profile: FacilityProfile,
    pub appointments: Vec<Appointment>,
    pub devices: Vec<Device>,
    pub records: Vec<(&'static RegisterSpec, Record)>,
    pub accounts: Vec<Account>,
    /// When management last confirmed the device ledger (UTC timestamp text).
    pub ledger_confirmed_at: Option<String>,
    /// The facility form (or pharmacy form) of `fiscal_year`, when one was started.
    pub fiscal_year: i32,
    pub answers: Option<Vec<GeneratedAnswer>>,
    /// Incidents, numbered INC-1, INC-2 … in this order.
    pub incidents: Vec<Incident>,
}

fn day(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

impl WriteTx {
    /// Inserts generated facilities of `organisation_id`; returns their ids.
    pub async fn insert_generated(
        &mut self,
        organisation_id: i64,
        facilities: &[GeneratedFacility],
    ) -> Result<Vec<i64>> {
        let (now, by) = (self.now.clone(), self.actor().display.clone());
        let device_count = facilities.iter().map(|f| f.devices.len()).sum();
        let assessment_count = facilities.iter().filter(|f| f.answers.is_some()).count();
        let first_facility = self.reserve_ids("facilities", facilities.len()).await?;
        let mut first_device = self.reserve_ids("devices", device_count).await?;
        let mut first_assessment = self
            .reserve_ids("checklist_assessments", assessment_count)
            .await?;
        let mut facility_rows = Rows::new(
            "facilities",
            &[
                "id",
                "organisation_id",
                "code",
                "name",
                "kind",
                "beds",
                "institution_code",
                "prefecture",
                "address",
                "created_at",
                "updated_at",
            ],
        );
        let mut summary_rows = Rows::new(
            "facility_summaries",
            &[
                "facility_id",
                "organisation_id",
                "code",
                "name",
                "kind",
                "prefecture",
            ],
        );
        let mut appointment_rows = Rows::new(
            "appointments",
            &[
                "facility_id",
                "role",
                "person_name",
                "position",
                "department",
                "tenure",
                "from_on",
                "until_on",
                "note",
                "created_at",
                "updated_at",
            ],
        );
        let mut device_rows = DeviceRows::new();
        let mut record_rows = Rows::new(
            "register_records",
            &[
                "facility_id",
                "register",
                "record_key",
                "data",
                "search_text",
                "created_at",
                "updated_at",
                "updated_by",
            ],
        );
        let mut confirmation_rows = Rows::new(
            "ledger_confirmations",
            &[
                "facility_id",
                "ledger",
                "confirmed_by_id",
                "confirmed_by",
                "confirmed_at",
                "note",
            ],
        );
        let mut assessment_rows = Rows::new(
            "checklist_assessments",
            &[
                "id",
                "facility_id",
                "fiscal_year",
                "form",
                "vendor",
                "system",
                "vendor_key",
                "system_key",
                "created_at",
                "created_by",
            ],
        );
        let mut answer_rows = Rows::new(
            "checklist_answers",
            &[
                "assessment_id",
                "item_key",
                "answer",
                "first_checked_on",
                "target_on",
                "recheck",
                "updated_at",
                "updated_by",
            ],
        );
        let mut incident_rows = Rows::new(
            "incidents",
            &[
                "facility_id",
                "number",
                "title",
                "status",
                "discovered_at",
                "data",
                "created_at",
                "created_by",
                "updated_at",
                "updated_by",
            ],
        );
        let mut ids = Vec::with_capacity(facilities.len());
        let mut audit = Vec::with_capacity(facilities.len());
        for (n, f) in facilities.iter().enumerate() {
            let id = first_facility + n as i64;
            ids.push(id);
            let p = &f.profile;
            facility_rows.push([
                id.into(),
                organisation_id.into(),
                p.code.clone().into(),
                p.name.clone().into(),
                p.kind.code().into(),
                p.beds.into(),
                p.institution_code.clone().into(),
                p.prefecture.clone().into(),
                p.address.clone().into(),
                now.clone().into(),
                now.clone().into(),
            ]);
            summary_rows.push([
                id.into(),
                organisation_id.into(),
                p.code.clone().into(),
                p.name.clone().into(),
                p.kind.code().into(),
                p.prefecture.clone().unwrap_or_default().into(),
            ]);
            for a in &f.appointments {
                appointment_rows.push([
                    id.into(),
                    a.role.code().into(),
                    a.person_name.clone().into(),
                    a.position.clone().into(),
                    a.department.clone().into(),
                    a.tenure.map(|t| t.code()).into(),
                    day(a.from_on).into(),
                    day(a.until_on).into(),
                    a.note.clone().into(),
                    now.clone().into(),
                    now.clone().into(),
                ]);
            }
            for device in &f.devices {
                device_rows.push(first_device, id, device, &now, &by);
                first_device += 1;
            }
            for (spec, record) in &f.records {
                record_rows.push([
                    id.into(),
                    spec.slug.into(),
                    record_key(spec, record).into(),
                    data(record).into(),
                    spec.search_text(record).into(),
                    now.clone().into(),
                    now.clone().into(),
                    by.clone().into(),
                ]);
            }
            if let Some(at) = &f.ledger_confirmed_at {
                confirmation_rows.push([
                    id.into(),
                    "devices".into(),
                    None::<i64>.into(),
                    by.clone().into(),
                    at.clone().into(),
                    None::<String>.into(),
                ]);
            }
            if let Some(answers) = &f.answers {
                let assessment = first_assessment;
                first_assessment += 1;
                assessment_rows.push([
                    assessment.into(),
                    id.into(),
                    i64::from(f.fiscal_year).into(),
                    Form::own(p.kind).code().into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    now.clone().into(),
                    by.clone().into(),
                ]);
                for a in answers {
                    answer_rows.push([
                        assessment.into(),
                        a.item_key.clone().into(),
                        a.answer.code().into(),
                        a.first_checked_on.to_string().into(),
                        day(a.target_on).into(),
                        false.into(),
                        now.clone().into(),
                        by.clone().into(),
                    ]);
                }
            }
            for (number, incident) in f.incidents.iter().enumerate() {
                incident_rows.push([
                    id.into(),
                    (number as i64 + 1).into(),
                    incident.title.clone().into(),
                    incident.status.clone().into(),
                    incident
                        .discovered_at
                        .format("%Y-%m-%dT%H:%M")
                        .to_string()
                        .into(),
                    serde_json::to_string(incident).unwrap_or_default().into(),
                    now.clone().into(),
                    by.clone().into(),
                    now.clone().into(),
                    by.clone().into(),
                ]);
            }
            audit.push(
                AuditRecord::new("generate", "facility")
                    .facility(Some(id))
                    .id(id)
                    .after(&json!({
                        "profile": p,
                        "devices": f.devices.len(),
                        "records": f.records.len(),
                        "accounts": f.accounts.len(),
                        "answers": f.answers.as_ref().map_or(0, Vec::len),
                        "incidents": f.incidents.len(),
                    })),
            );
        }
        self.insert_rows(&facility_rows).await?;
        self.insert_rows(&summary_rows).await?;
        self.insert_rows(&appointment_rows).await?;
        self.insert_device_rows(&device_rows).await?;
        self.insert_rows(&record_rows).await?;
        self.insert_rows(&confirmation_rows).await?;
        self.insert_rows(&assessment_rows).await?;
        self.insert_rows(&answer_rows).await?;
        self.insert_rows(&incident_rows).await?;
        for (id, f) in ids.iter().zip(facilities) {
            let mut systems: Vec<&str> = Vec::new();
            for account in &f.accounts {
                if !systems.contains(&account.system.as_str()) {
                    systems.push(&account.system);
                }
            }
            for system in systems {
                let accounts: Vec<&Account> =
                    f.accounts.iter().filter(|a| a.system == system).collect();
                for chunk in accounts.chunks(400) {
                    self.insert_accounts(*id, system, chunk.iter().copied())
                        .await?;
                }
            }
        }
        self.audit_many(audit).await?;
        Ok(ids)
    }
}
