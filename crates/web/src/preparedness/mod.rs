//! The 「インシデント対応」 hub: how prepared the facility is (contact chart, backups evaluated per
//! system, BCP table, drills) and its open incidents, with the findings of those rules.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use mimamori_domain::backups::{by_system, evaluate, Evaluation, BACKUPS};
use mimamori_domain::bcp::{drill_recent, last_drill};
use mimamori_domain::findings::{Finding, RecordRef};
use mimamori_domain::ledger::registers::SYSTEMS;
use mimamori_store::facilities::Facility;
use mimamori_store::ledger::registers::StoredRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::FacilityCtx;
use crate::checklist::{facility_findings, record_link};
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::AppState;

/// One system's backups and their evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemBackups {
    pub system: String,
    /// Ids of the backup register's rows for this system.
    pub backups: Vec<i64>,
    #[schema(value_type = Object)]
    pub evaluation: Evaluation,
}

pub async fn backup_evaluation(
    state: &AppState,
    facility_id: i64,
) -> AppResult<Vec<SystemBackups>> {
    let today = state.store.clock().today_jst();
    let systems: Vec<String> = state
        .store
        .all_records(facility_id, &SYSTEMS)
        .await?
        .into_iter()
        .filter_map(|r| r.record.get("name").map(str::to_string))
        .collect();
    let backups = state.store.all_records(facility_id, &BACKUPS).await?;
    Ok(by_system(&systems, &backups, |r: &StoredRecord| &r.record)
        .into_iter()
        .map(|(system, rows)| {
            let records: Vec<_> = rows.iter().map(|r| &r.record).collect();
            SystemBackups {
                evaluation: evaluate(&records, today),
                backups: rows.iter().map(|r| r.id).collect(),
                system,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "preparedness/hub.html")]
struct HubPage {
    ctx: PageCtx,
    facility: Facility,
    backups: Vec<SystemBackups>,
    findings: Vec<Finding>,
    bcp: (usize, usize, usize),
    last_drill: Option<chrono::NaiveDate>,
    drill_recent: bool,
    open_incidents: usize,
    overdue: usize,
}

impl HubPage {
    fn link(&self, record: &RecordRef) -> String {
        record_link(&self.facility.profile.code, record)
    }
    fn mark(&self, ok: &bool) -> &'static str {
        if *ok {
            "✔"
        } else {
            "✘"
        }
    }
}

/// The rules this hub is about.
pub fn is_preparedness(rule: &str) -> bool {
    ["contacts.", "backups.", "bcp.", "incidents."]
        .iter()
        .any(|p| rule.starts_with(p))
}

pub async fn hub(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let (facts, findings) = facility_findings(&state.store, &fctx.facility).await?;
    let last = last_drill(facts.drills.iter().map(|d| &d.record), facts.today);
    let overdue = facts
        .incidents
        .iter()
        .filter(|i| {
            i.clocks
                .iter()
                .any(|c| c.state == mimamori_domain::incidents::reporting::ClockState::Overdue)
        })
        .count();
    Ok(render(&HubPage {
        backups: backup_evaluation(&state, fctx.facility.id).await?,
        findings: findings
            .into_iter()
            .filter(|f| is_preparedness(&f.rule))
            .collect(),
        bcp: facts.bcp_progress,
        last_drill: last,
        drill_recent: drill_recent(last, facts.today),
        open_incidents: facts.incidents.len(),
        overdue,
        facility: fctx.facility,
        ctx,
    }))
}

#[utoipa::path(get, path = "/api/v1/facilities/{code}/backup-evaluation", tag = "preparedness",
    params(("code" = String, Path)), responses((status = 200, body = Vec<SystemBackups>)))]
pub async fn api_backups(
    State(state): State<AppState>,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Json<Vec<SystemBackups>>> {
    Ok(Json(backup_evaluation(&state, fctx.facility.id).await?))
}
