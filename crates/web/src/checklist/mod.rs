//! The checklist (チェックリスト): assessments with suggestions and evidence, findings, inspection
//! readiness, the catalogue, output, and the API. One loader builds the view every output uses.

pub mod api;
pub mod catalog;
pub mod evidence;
pub mod findings;
pub mod output;
pub mod pages;

use std::collections::HashMap;
use std::sync::Arc;

use mimamori_domain::checklist::{
    item_gaps, suggest, Answer, Edition, Form, Gap, Item, ItemAnswer, Suggestion,
};
use mimamori_domain::findings::{FacilityFacts, Finding, RecordKind, RecordRef};
use mimamori_store::checklist::{Assessment, AssessmentKey, Evidence, StoredAnswer};
use mimamori_store::facilities::Facility;
use mimamori_store::Store;
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// The facility's own form: 薬局確認用 for pharmacies, else 医療機関確認用.
pub fn own_form(facility: &Facility) -> Form {
    Form::own(facility.profile.kind)
}

pub fn own_key(facility: &Facility, fiscal_year: i32) -> AssessmentKey {
    AssessmentKey {
        facility_id: facility.id,
        fiscal_year,
        form: own_form(facility),
        vendor: String::new(),
        system: String::new(),
    }
}

/// One item with everything shown beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub item: Item,
    pub answer: Option<ItemAnswer>,
    pub updated: Option<(String, String)>,
    pub suggestion: Option<Suggestion>,
    pub gaps: Vec<Gap>,
    pub evidence: Vec<Evidence>,
}

impl ItemView {
    pub fn ready(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// An assessment with its edition, answers, suggestions, gaps and evidence.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub assessment: Assessment,
    pub edition: Edition,
    /// The edition is from an earlier year (no edition exists yet for this one).
    pub edition_is_older: bool,
    pub items: Vec<ItemView>,
}

impl AssessmentView {
    pub fn answer_of(&self, key: &str) -> Option<&ItemAnswer> {
        self.items
            .iter()
            .find(|i| i.item.key == key)
            .and_then(|i| i.answer.as_ref())
    }

    pub fn ready_count(&self) -> usize {
        self.items.iter().filter(|i| i.ready()).count()
    }
}

/// Loads an assessment's view. Suggestions are computed for the facility's own form only (a
/// vendor's form is answered by the vendor).
pub async fn load_view(
    store: &Store,
    assessment: Assessment,
    findings: Option<&[Finding]>,
    facts: Option<&FacilityFacts>,
) -> AppResult<AssessmentView> {
    let stored = store
        .edition_for(assessment.fiscal_year, assessment.form)
        .await?
        .ok_or_else(|| {
            AppError::bad_request(
                "この様式のチェックリスト版が登録されていません。カタログを確認してください。",
                "No catalogue edition exists for this form; check the catalogue.",
            )
        })?;
    let answers: HashMap<String, StoredAnswer> = store.answers(assessment.id).await?;
    let mut evidence: HashMap<String, Vec<Evidence>> = HashMap::new();
    for e in store.evidence(assessment.id).await? {
        evidence.entry(e.item_key.clone()).or_default().push(e);
    }
    let has_system = answers.get("has_system").and_then(|a| a.answer.answer);
    let own = assessment.form != Form::Vendor;
    let items = stored
        .edition
        .items
        .iter()
        .map(|item| {
            let answer = answers.get(&item.key);
            ItemView {
                item: item.clone(),
                answer: answer.map(|a| a.answer.clone()),
                updated: answer.map(|a| (a.updated_at.clone(), a.updated_by.clone())),
                suggestion: match (own, facts, findings) {
                    (true, Some(facts), Some(findings)) => suggest(item, facts, findings),
                    _ => None,
                },
                gaps: item_gaps(
                    item,
                    answer.map(|a| &a.answer),
                    assessment.fiscal_year,
                    has_system,
                ),
                evidence: evidence.remove(&item.key).unwrap_or_default(),
            }
        })
        .collect();
    Ok(AssessmentView {
        edition_is_older: stored.edition.fiscal_year != assessment.fiscal_year,
        edition: stored.edition,
        assessment,
        items,
    })
}

/// The item of the assessment's edition (404 when the key is not in it).
pub async fn edition_item(store: &Store, assessment: &Assessment, key: &str) -> AppResult<Item> {
    let edition = store
        .edition_for(assessment.fiscal_year, assessment.form)
        .await?
        .ok_or_else(AppError::not_found)?;
    edition
        .edition
        .item(key)
        .cloned()
        .ok_or_else(AppError::not_found)
}

/// Facts and findings of a facility today (kept by the store while its data is unchanged).
pub async fn facility_findings(
    store: &Store,
    facility: &Facility,
) -> AppResult<(Arc<FacilityFacts>, Vec<Finding>)> {
    let today = store.clock().today_jst();
    let evaluated = store.facility_findings(facility.id, today).await?;
    Ok((evaluated.facts.clone(), evaluated.findings.clone()))
}

/// Where a finding's record is fixed.
pub fn record_link(code: &str, record: &RecordRef) -> String {
    match (record.kind, record.id) {
        (RecordKind::Device, Some(id)) => format!("/facilities/{code}/devices/{id}"),
        (RecordKind::RemoteMaintenance, Some(id)) => {
            format!("/facilities/{code}/registers/remote-maintenance/{id}")
        }
        (RecordKind::RemoteMaintenance, None) => {
            format!("/facilities/{code}/registers/remote-maintenance")
        }
        (RecordKind::System, Some(id)) => format!("/facilities/{code}/registers/systems/{id}"),
        (RecordKind::System, None) => format!("/facilities/{code}/checklist"),
        (RecordKind::Appointment, _) => format!("/facilities/{code}/governance"),
        (RecordKind::Answer, Some(id)) => {
            format!("/facilities/{code}/checklist/{id}#item-{}", record.label)
        }
        (RecordKind::Answer, None) => format!("/facilities/{code}/checklist"),
        (RecordKind::Account, Some(id)) => format!("/facilities/{code}/accounts/{id}"),
        (RecordKind::Account, None) => format!("/facilities/{code}/accounts"),
        (RecordKind::ContactChart, _) => format!("/facilities/{code}/contact-chart"),
        (RecordKind::Backup, _) => format!("/facilities/{code}/preparedness#backups"),
        (RecordKind::Bcp, _) => format!("/facilities/{code}/bcp"),
        (RecordKind::Drill, _) => format!("/facilities/{code}/registers/drills"),
        (RecordKind::Incident, Some(id)) => format!("/facilities/{code}/incidents/{id}"),
        (RecordKind::Incident, None) => format!("/facilities/{code}/incidents"),
        (RecordKind::Feeds, _) => "/feeds".to_string(),
        (RecordKind::Ledger, _) | (RecordKind::Device, None) => {
            format!("/facilities/{code}/devices")
        }
    }
}

/// The answer's label for lists.
pub fn answer_label(answer: Option<Answer>, lang: mimamori_domain::i18n::Lang) -> &'static str {
    answer
        .map(|a| a.label(lang))
        .unwrap_or(lang.pick("未回答", "Not answered"))
}
