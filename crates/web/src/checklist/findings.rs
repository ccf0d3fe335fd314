//! The findings page (filter by severity and checklist item) and the inspection-readiness page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use mimamori_domain::checklist::{Form, Gap};
use mimamori_domain::clock::fiscal_year;
use mimamori_domain::findings::{Finding, RecordRef, Severity};
use mimamori_store::checklist::AssessmentKey;
use mimamori_store::facilities::Facility;
use serde::Deserialize;

use super::{facility_findings, load_view, own_key, record_link, AssessmentView};
use crate::auth::FacilityCtx;
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct FindingsQuery {
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub item: String,
}

impl FindingsQuery {
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let severity = Severity::parse(&self.severity);
        findings
            .into_iter()
            .filter(|f| severity.is_none_or(|s| f.severity == s))
            .filter(|f| self.item.is_empty() || f.items.contains(&self.item))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "checklist/findings.html")]
struct FindingsPage {
    ctx: PageCtx,
    facility: Facility,
    findings: Vec<Finding>,
    total: usize,
    query: FindingsQuery,
    /// (key, "number text") of the current edition's items, for the filter.
    items: Vec<(String, String)>,
}

impl FindingsPage {
    fn link(&self, record: &RecordRef) -> String {
        record_link(&self.facility.profile.code, record)
    }

    fn severities(&self) -> Vec<(&'static str, &'static str)> {
        Severity::ALL
            .iter()
            .map(|s| (s.code(), s.label(self.ctx.lang)))
            .collect()
    }

    fn item_label(&self, key: &str) -> String {
        self.items
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| key.to_string())
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Query(query): Query<FindingsQuery>,
) -> AppResult<Response> {
    let (facts, findings) = facility_findings(&state.store, &fctx.facility).await?;
    let total = findings.len();
    let edition = state
        .store
        .edition_for(facts.fiscal_year, super::own_form(&fctx.facility))
        .await?;
    let items = edition
        .map(|e| {
            e.edition
                .items
                .iter()
                .map(|i| {
                    (
                        i.key.clone(),
                        format!(
                            "{} {}",
                            i.display_number(ctx.lang),
                            i.display_text(ctx.lang)
                                .chars()
                                .take(30)
                                .collect::<String>()
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render(&FindingsPage {
        findings: query.apply(findings),
        total,
        query,
        items,
        facility: fctx.facility,
        ctx,
    }))
}

/// One row of the readiness page.
pub struct ReadinessRow {
    pub label: String,
    pub number: String,
    pub link: String,
    pub gaps: Vec<Gap>,
}

#[derive(Template)]
#[template(path = "checklist/readiness.html")]
struct ReadinessPage {
    ctx: PageCtx,
    facility: Facility,
    year: i32,
    year_label: String,
    own: Option<AssessmentView>,
    rows: Vec<ReadinessRow>,
    /// Vendor and system without a vendor form, or with open gaps.
    vendors: Vec<(String, String, Option<String>, usize)>,
}

impl ReadinessPage {
    fn gap_text(&self, gap: &Gap) -> &'static str {
        gap.message(self.ctx.lang)
    }

    fn all_ready(&self) -> bool {
        self.own.is_some()
            && self.rows.iter().all(|r| r.gaps.is_empty())
            && self.vendors.iter().all(|v| v.2.is_some() && v.3 == 0)
    }
}

pub async fn readiness(
    State(state): State<AppState>,
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Query(q): Query<super::pages::YearQuery>,
) -> AppResult<Response> {
    let year = q
        .year
        .unwrap_or_else(|| fiscal_year(state.store.clock().today_jst()));
    let facility = fctx.facility;
    let code = facility.profile.code.clone();
    let own = match state
        .store
        .find_assessment(&own_key(&facility, year))
        .await?
    {
        Some(a) => Some(load_view(&state.store, a, None, None).await?),
        None => None,
    };
    let rows = own
        .as_ref()
        .map(|v| {
            v.items
                .iter()
                .map(|iv| ReadinessRow {
                    label: iv.item.display_text(ctx.lang),
                    number: iv.item.display_number(ctx.lang),
                    link: format!(
                        "/facilities/{code}/checklist/{}#item-{}",
                        v.assessment.id, iv.item.key
                    ),
                    gaps: iv.gaps.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut vendors = Vec::new();
    for r in state
        .store
        .all_records(facility.id, &mimamori_domain::ledger::registers::SYSTEMS)
        .await?
    {
        let (Some(vendor), Some(system)) = (r.record.get("vendor"), r.record.get("name")) else {
            continue;
        };
        let key = AssessmentKey {
            facility_id: facility.id,
            fiscal_year: year,
            form: Form::Vendor,
            vendor: vendor.into(),
            system: system.into(),
        };
        let (link, open) = match state.store.find_assessment(&key).await? {
            Some(a) => {
                let view = load_view(&state.store, a, None, None).await?;
                (
                    Some(format!(
                        "/facilities/{code}/checklist/{}",
                        view.assessment.id
                    )),
                    view.items.len() - view.ready_count(),
                )
            }
            None => (None, 0),
        };
        vendors.push((vendor.to_string(), system.to_string(), link, open));
    }
    Ok(render(&ReadinessPage {
        year_label: super::pages::year_label(year),
        year,
        facility,
        own,
        rows,
        vendors,
        ctx,
    }))
}
