//! The incident register in the web UI and the API: list with reporting clocks, registration,
//! the incident page (facts, clocks, first-response checklist, timeline), exports.

pub mod api;
pub mod pages;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use mimamori_domain::incidents::reporting::{validate_record, ReportKind};
use mimamori_domain::incidents::{parse_datetime, Incident};
use mimamori_domain::{Issue, Issues};
use mimamori_store::incidents::{IncidentDetail, StoredIncident};
use mimamori_store::{Actor, Store};

use crate::devices::export::Exported;
use crate::error::{AppError, AppResult};

/// Now in Japan, to the minute: what "discovered now" and timeline entries default to.
pub fn now_jst(store: &Store) -> NaiveDateTime {
    let now = store.clock().now() + chrono::Duration::hours(9);
    let naive = now.naive_utc();
    naive
        .date()
        .and_hms_opt(
            chrono::Timelike::hour(&naive),
            chrono::Timelike::minute(&naive),
            0,
        )
        .unwrap_or(naive)
}

/// Validates an incident as of now in Japan.
pub fn validate(store: &Store, raw: &BTreeMap<String, String>) -> Result<Incident, Issues> {
    Incident::validate(raw, now_jst(store))
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    incident: &Incident,
) -> AppResult<i64> {
    let mut tx = store.write(actor).await?;
    let id = tx.create_incident(facility_id, incident).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    stored: &StoredIncident,
    incident: &Incident,
) -> AppResult<()> {
    let mut tx = store.write(actor).await?;
    tx.update_incident(stored, incident).await?;
    tx.commit().await?;
    Ok(())
}

/// A timeline entry: when (default now) and what.
pub async fn add_entry(
    store: &Store,
    actor: &Actor,
    stored: &StoredIncident,
    at: &str,
    entry: &str,
) -> AppResult<()> {
    let mut issues = Issues::default();
    let at = match at.trim() {
        "" => Some(now_jst(store)),
        text => parse_datetime(text).or_else(|| {
            issues.push(Issue::new("happened_at", "invalid_datetime").with("value", text));
            None
        }),
    };
    if entry.trim().is_empty() {
        issues.push(Issue::new("entry", "required"));
    }
    let at = issues.into_result(at)?.unwrap_or_default();
    let mut tx = store.write(actor).await?;
    tx.add_timeline(stored, &at, entry.trim()).await?;
    tx.commit().await?;
    Ok(())
}

/// A first-response step as a form or the API states it.
pub struct StepInput<'a> {
    pub done: bool,
    /// Japan time; now when blank.
    pub at: &'a str,
    /// Who did it; the signed-in user when blank.
    pub by: &'a str,
    pub note: &'a str,
}

/// Marks a first-response step done (by whom, when) or not done.
pub async fn set_step(
    store: &Store,
    actor: &Actor,
    stored: &StoredIncident,
    key: &str,
    input: StepInput<'_>,
) -> AppResult<()> {
    let StepInput { done, at, by, note } = input;
    if mimamori_domain::incidents::first_response::step(key).is_none() {
        return Err(AppError::not_found());
    }
    let at = match at.trim() {
        "" => now_jst(store),
        text => parse_datetime(text).ok_or_else(|| {
            AppError::invalid(&Issues(vec![
                Issue::new("done_at", "invalid_datetime").with("value", text)
            ]))
        })?,
    };
    let by = if by.trim().is_empty() {
        actor.display.clone()
    } else {
        by.trim().to_string()
    };
    let mut tx = store.write(actor).await?;
    tx.set_incident_step(stored, key, done.then_some((&at, by.as_str(), note.trim())))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a report as done (with its date), not needed (with the reason), or due again.
pub async fn record_report(
    store: &Store,
    actor: &Actor,
    stored: &StoredIncident,
    key: &str,
    state: &str,
    on: &str,
    note: &str,
) -> AppResult<()> {
    let kind = ReportKind::parse(key).ok_or_else(AppError::not_found)?;
    let on = match on.trim() {
        "" => None,
        text => Some(mimamori_domain::jdate::parse_date(text).ok_or_else(|| {
            AppError::invalid(&Issues(vec![
                Issue::new("on", "invalid_date").with("value", text)
            ]))
        })?),
    };
    let recorded = validate_record(kind, state, on, note, &actor.display)?;
    let mut tx = store.write(actor).await?;
    tx.record_incident_report(stored, &recorded).await?;
    tx.commit().await?;
    Ok(())
}

/// The incident report workbook.
pub fn report_xlsx(
    facility: &str,
    detail: &IncidentDetail,
    today: chrono::NaiveDate,
) -> AppResult<Exported> {
    let clocks = detail.clocks(today);
    let label = detail.stored.label();
    let report = mimamori_formats::preparedness::IncidentReport {
        facility,
        label: &label,
        incident: &detail.stored.incident,
        clocks: &clocks,
        steps: detail
            .steps
            .iter()
            .map(|s| {
                (
                    s.step_key.as_str(),
                    s.done_at.as_str(),
                    s.done_by.as_str(),
                    s.note.as_str(),
                )
            })
            .collect(),
        timeline: detail
            .timeline
            .iter()
            .map(|e| (e.happened_at.as_str(), e.entry.as_str(), e.author.as_str()))
            .collect(),
    };
    let bytes = mimamori_formats::write::workbook(
        &mimamori_formats::preparedness::incident_tables(&report),
    )
    .map_err(AppError::internal)?;
    Ok(Exported::xlsx(
        bytes,
        format!("インシデント報告書_{label}.xlsx"),
    ))
}
