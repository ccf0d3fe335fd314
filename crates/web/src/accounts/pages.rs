//! Account pages: the overview of systems and account findings, a system's account list, an
//! account with its owner (confirm a guessed owner), the access policy grid and the
//! unused-days setting.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use mimamori_domain::access::Action;
use mimamori_domain::accounts::matching::Roster;
use mimamori_domain::accounts::{
    choice_label, distinct_choices, AccountStatus, Level, Person, INFO_CATEGORIES, JOB_TYPES,
};
use mimamori_domain::findings::{Finding, RecordRef};
use mimamori_store::accounts::{AccountFilter, PolicyCell, StoredAccount, SystemAccounts};
use mimamori_store::facilities::Facility;
use serde::Deserialize;

use super::{system, systems, SystemRef};
use crate::auth::{FacilityCtx, SignedIn};
use crate::checklist::{facility_findings, record_link};
use crate::error::{AppError, AppResult};
use crate::view::{render, PageCtx};
use crate::AppState;

const PER_PAGE: i64 = 50;

/// The menu's 「アカウント」.
pub async fn entry() -> axum::response::Response {
    crate::facilities::choose::area_entry("accounts")
}

/// The findings of the account rules.
pub fn account_findings(findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| f.rule.starts_with("accounts."))
        .collect()
}

pub struct SystemRow {
    pub system: SystemRef,
    pub counts: Option<SystemAccounts>,
}

#[derive(Template)]
#[template(path = "accounts/overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    facility: Facility,
    rows: Vec<SystemRow>,
    findings: Vec<Finding>,
    people: usize,
    unused_days: i64,
    can_edit: bool,
}

impl OverviewPage {
    fn link(&self, record: &RecordRef) -> String {
        record_link(&self.facility.profile.code, record)
    }
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
) -> AppResult<Response> {
    let facility_id = fctx.facility.id;
    let counts = state.store.account_systems(facility_id).await?;
    let rows = systems(&state.store, facility_id)
        .await?
        .into_iter()
        .map(|system| {
            let key = mimamori_domain::validation::search_key(&system.name);
            let counts = counts
                .iter()
                .find(|c| mimamori_domain::validation::search_key(&c.system) == key)
                .cloned();
            SystemRow { system, counts }
        })
        .collect();
    let (_, findings) = facility_findings(&state.store, &fctx.facility).await?;
    Ok(render(&OverviewPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        rows,
        findings: account_findings(findings),
        people: state.store.people(facility_id).await?.len(),
        unused_days: state.store.unused_days(facility_id).await?,
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub unmatched: String,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub imported: String,
}

impl ListQuery {
    pub fn filter(&self, system: Option<String>) -> AccountFilter {
        AccountFilter {
            system,
            q: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            status: AccountStatus::parse(&self.status),
            unmatched: self.unmatched == "1",
            page: self.page.unwrap_or(1),
            per_page: PER_PAGE,
        }
    }
}

/// An account row with its owner's name from the roster.
pub struct AccountRow {
    pub stored: StoredAccount,
    pub owner_names: String,
}

fn owner_names(roster: &Roster, owners: &[String]) -> String {
    owners
        .iter()
        .map(|n| match roster.person(n) {
            Some(p) => format!("{}（{}）", p.name, n),
            None => format!("{n}（名簿にありません）"),
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Template)]
#[template(path = "accounts/system.html")]
struct SystemPage {
    ctx: PageCtx,
    facility: Facility,
    system: SystemRef,
    rows: Vec<AccountRow>,
    total: i64,
    query: ListQuery,
    pages: i64,
    can_edit: bool,
}

impl SystemPage {
    fn base(&self) -> String {
        format!(
            "/facilities/{}/accounts/systems/{}",
            self.facility.profile.code, self.system.id
        )
    }

    fn statuses(&self) -> Vec<(&'static str, String)> {
        AccountStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(self.ctx.lang)))
            .collect()
    }

    fn page_no(&self) -> i64 {
        self.query.page.unwrap_or(1)
    }

    fn imported(&self) -> Vec<&str> {
        self.query.imported.split('-').collect()
    }
}

pub async fn system_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    let page = state
        .store
        .accounts(fctx.facility.id, &query.filter(Some(system.name.clone())))
        .await?;
    let people = state.store.people(fctx.facility.id).await?;
    let roster = Roster::new(&people);
    let rows = page
        .accounts
        .into_iter()
        .map(|stored| AccountRow {
            owner_names: owner_names(&roster, &stored.account.owners),
            stored,
        })
        .collect();
    Ok(render(&SystemPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        pages: (page.total + PER_PAGE - 1) / PER_PAGE,
        total: page.total,
        rows,
        query,
        system,
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    ctx: PageCtx,
    facility: Facility,
    system: Option<SystemRef>,
    row: AccountRow,
    candidates: Vec<Person>,
    findings: Vec<Finding>,
    can_edit: bool,
}

impl AccountPage {
    fn status_label(&self) -> String {
        self.row.stored.account.status.label(self.ctx.lang)
    }

    fn statuses(&self) -> Vec<(&'static str, String)> {
        AccountStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(self.ctx.lang)))
            .collect()
    }

    fn job_label(&self, code: &str) -> String {
        choice_label(JOB_TYPES, code, self.ctx.lang)
    }

    fn date(&self, date: &Option<chrono::NaiveDate>) -> String {
        date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
) -> AppResult<Response> {
    let stored = state.store.account(fctx.facility.id, path.1).await?;
    let people = state.store.people(fctx.facility.id).await?;
    let roster = Roster::new(&people);
    // People a person may pick as owner: the guessed one first, then same-name people.
    let name = mimamori_domain::accounts::matching::name_key(&stored.account.display_name);
    let candidates: Vec<Person> = people
        .iter()
        .filter(|p| {
            stored.account.owners.contains(&p.staff_number)
                || (!name.is_empty()
                    && (mimamori_domain::accounts::matching::name_key(&p.name) == name
                        || mimamori_domain::accounts::matching::name_key(&p.kana) == name))
        })
        .cloned()
        .collect();
    let (_, findings) = facility_findings(&state.store, &fctx.facility).await?;
    let id = stored.account.id;
    let findings = account_findings(findings)
        .into_iter()
        .filter(|f| f.records.iter().any(|r| r.id == Some(id)))
        .collect();
    let system = systems(&state.store, fctx.facility.id)
        .await?
        .into_iter()
        .find(|s| {
            mimamori_domain::validation::search_key(&s.name)
                == mimamori_domain::validation::search_key(&stored.account.system)
        });
    Ok(render(&AccountPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        row: AccountRow {
            owner_names: owner_names(&roster, &stored.account.owners),
            stored,
        },
        candidates,
        findings,
        system,
        facility: fctx.facility,
        ctx,
    }))
}

#[derive(Debug, Deserialize)]
pub struct OwnerForm {
    /// Staff numbers, separated by commas (empty: no owner).
    #[serde(default)]
    pub owners: String,
}

pub async fn set_owner(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(form): Form<OwnerForm>,
) -> AppResult<Response> {
    let stored = state.store.account(fctx.facility.id, path.1).await?;
    let owners: Vec<String> = mimamori_domain::validation::nfkc(&form.owners)
        .split([',', '、', ' '])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let people = state.store.people(fctx.facility.id).await?;
    let roster = Roster::new(&people);
    if let Some(unknown) = owners.iter().find(|n| roster.person(n).is_none()) {
        return Err(AppError::bad_request(
            format!("職員番号「{unknown}」は職員名簿にありません。"),
            format!("Staff number \"{unknown}\" is not on the staff roster."),
        ));
    }
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.confirm_owner(fctx.facility.id, &stored, owners).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/{}",
        fctx.facility.profile.code, path.1
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    pub status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let stored = state.store.account(fctx.facility.id, path.1).await?;
    let status = AccountStatus::parse(&form.status)
        .ok_or_else(|| AppError::bad_request("状態を選んでください。", "Choose a status."))?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.set_account_status(fctx.facility.id, &stored, status)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/{}",
        fctx.facility.profile.code, path.1
    ))
    .into_response())
}

// ---- Access policy grid ----

#[derive(Template)]
#[template(path = "accounts/policy.html")]
struct PolicyPage {
    ctx: PageCtx,
    facility: Facility,
    system: SystemRef,
    cells: Vec<PolicyCell>,
    can_edit: bool,
    saved: bool,
}

impl PolicyPage {
    fn jobs(&self) -> Vec<&'static (&'static str, &'static str, &'static str)> {
        distinct_choices(JOB_TYPES)
    }

    fn categories(&self) -> Vec<&'static (&'static str, &'static str, &'static str)> {
        distinct_choices(INFO_CATEGORIES)
    }

    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        Level::ALL
            .iter()
            .map(|l| (l.code(), l.label(self.ctx.lang)))
            .collect()
    }

    fn level(&self, job: &str, category: &str) -> &str {
        self.cells
            .iter()
            .find(|c| c.job_type == job && c.category == category)
            .map(|c| c.level.as_str())
            .unwrap_or("none")
    }

    fn pick<'a>(&self, choice: &'a (&'a str, &'a str, &'a str)) -> &'a str {
        self.ctx.t(choice.1, choice.2)
    }
}

pub async fn policy(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    let cells = state
        .store
        .policies(fctx.facility.id, Some(&system.name))
        .await?
        .into_iter()
        .map(|p| PolicyCell {
            job_type: p.job_type,
            category: p.category,
            level: p.level.code().to_string(),
        })
        .collect();
    Ok(render(&PolicyPage {
        can_edit: principal.can(&fctx.facility, Action::EditFacility),
        saved: query.contains_key("saved"),
        cells,
        system,
        facility: fctx.facility,
        ctx,
    }))
}

/// The grid's form: `p_{job}_{category}` = none / read / write.
pub fn policy_cells(
    fields: &std::collections::HashMap<String, String>,
) -> AppResult<Vec<PolicyCell>> {
    let mut cells = Vec::new();
    for (job, _, _) in distinct_choices(JOB_TYPES) {
        for (category, _, _) in distinct_choices(INFO_CATEGORIES) {
            let Some(level) = fields.get(&format!("p_{job}_{category}")) else {
                continue;
            };
            if !Level::ALL.iter().any(|l| l.code() == level) {
                return Err(AppError::bad_request(
                    "権限は なし・参照・更新 から選んでください。",
                    "Choose none, read or write.",
                ));
            }
            cells.push(PolicyCell {
                job_type: job.to_string(),
                category: category.to_string(),
                level: level.clone(),
            });
        }
    }
    Ok(cells)
}

pub async fn save_policy(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path(path): Path<(String, i64)>,
    Form(fields): Form<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let system = system(&state.store, fctx.facility.id, path.1).await?;
    let cells = policy_cells(&fields)?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.save_policy(fctx.facility.id, &system.name, &cells)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts/systems/{}/policy?saved",
        fctx.facility.profile.code, system.id
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    pub unused_days: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let days: i64 = mimamori_domain::validation::nfkc(&form.unused_days)
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| {
            AppError::bad_request(
                "日数は 1〜3650 の整数で入力してください。",
                "Enter a whole number of days from 1 to 3650.",
            )
        })?;
    let mut tx = state.store.write(&principal.actor()).await?;
    tx.set_unused_days(fctx.facility.id, days).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/facilities/{}/accounts",
        fctx.facility.profile.code
    ))
    .into_response())
}
