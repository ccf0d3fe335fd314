//! `GET /overview`: the organisation overview page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use mimamori_domain::clock::fiscal_year_label_ja;
use mimamori_domain::facility::FacilityKind;
use mimamori_domain::overview::SummaryStatus;
use mimamori_store::overview::{FacilitySummary, OverviewSort};

use super::{organisation_of, OverviewParams};
use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::AppState;

#[derive(Template)]
#[template(path = "overview/page.html")]
struct OverviewPage {
    ctx: PageCtx,
    params: OverviewParams,
    rows: Vec<FacilitySummary>,
    total: i64,
    by_status: Vec<(SummaryStatus, i64)>,
    prefectures: Vec<String>,
    page: i64,
    pages: i64,
    fiscal_year: String,
}

impl OverviewPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        FacilityKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(self.ctx.l())))
            .collect()
    }

    fn kind_label(&self, kind: &FacilityKind) -> &'static str {
        kind.label(self.ctx.l())
    }

    fn status_label(&self, status: &SummaryStatus) -> &'static str {
        status.label(self.ctx.l())
    }

    fn sorts(&self) -> Vec<(&'static str, &'static str)> {
        let l = self.ctx.l();
        OverviewSort::ALL
            .iter()
            .map(|s| {
                let label = match s {
                    OverviewSort::Findings => l.pick("指摘の多い順", "Most findings"),
                    OverviewSort::Code => l.pick("施設コード", "Code"),
                    OverviewSort::Name => l.pick("名称", "Name"),
                    OverviewSort::Checklist => l.pick("チェックリストの進捗", "Checklist progress"),
                    OverviewSort::Confirmed => l.pick("台帳の最終確認", "Ledger confirmation"),
                };
                (s.code(), label)
            })
            .collect()
    }

    fn status_link(&self, status: &SummaryStatus) -> String {
        let mut params = self.params.clone();
        params.status = status.code().to_string();
        format!(
            "?{}&sort={}&desc={}",
            params.filter_string(),
            self.params.sort,
            self.params.desc
        )
    }

    fn sort_link(&self, column: &str) -> String {
        let current = OverviewSort::parse(&self.params.sort)
            .unwrap_or_default()
            .code();
        let desc = if current == column && self.params.desc != "1" {
            "1"
        } else {
            "0"
        };
        format!("?{}&sort={column}&desc={desc}", self.params.filter_string())
    }

    fn page_link(&self, page: i64) -> String {
        format!(
            "?{}&sort={}&desc={}&page={page}",
            self.params.filter_string(),
            self.params.sort,
            self.params.desc
        )
    }

    fn progress(&self, row: &FacilitySummary) -> String {
        if row.checklist_total == 0 {
            self.ctx.t("版なし", "no edition").to_string()
        } else {
            format!(
                "{} / {}（{}%）",
                row.checklist_answered,
                row.checklist_total,
                row.checklist_answered * 100 / row.checklist_total
            )
        }
    }

    fn export_link(&self, format: &str) -> String {
        format!(
            "/overview/export?{}&sort={}&desc={}&format={format}",
            self.params.filter_string(),
            self.params.sort,
            self.params.desc
        )
    }

    fn next_page(&self) -> i64 {
        self.page.saturating_add(1)
    }

    fn previous_page(&self) -> i64 {
        self.page - 1
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Query(params): Query<OverviewParams>,
) -> AppResult<Response> {
    let organisation_id = organisation_of(&principal)?;
    let query = params.query(organisation_id)?;
    let result = state.store.overview(&query).await?;
    let year = mimamori_domain::clock::fiscal_year(state.store.clock().today_jst());
    let pages = ((result.total + query.per_page - 1) / query.per_page).max(1);
    Ok(render(&OverviewPage {
        fiscal_year: ctx
            .l()
            .pick(&fiscal_year_label_ja(year), &format!("FY{year}"))
            .to_string(),
        params,
        rows: result.rows,
        total: result.total,
        by_status: result.by_status,
        // All 47: a DISTINCT over 200,000 summaries cost ~40 ms per page.
        prefectures: mimamori_domain::prefecture::PREFECTURES
            .iter()
            .map(|p| p.to_string())
            .collect(),
        page: query.page,
        pages,
        ctx,
    }))
}

/// `GET /overview/export`: the facilities matching the page's filters as XLSX or CSV.
pub async fn export(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Query(params): Query<OverviewParams>,
    Query(file): Query<crate::devices::export::FormatQuery>,
) -> AppResult<Response> {
    use crate::devices::export::Attachment;
    let organisation_id = organisation_of(&principal)?;
    let query = params.query(organisation_id)?;
    let format = file.export_format()?;
    let exported = mimamori_app::overview::export(&state.store, &query, format).await?;
    Ok(exported.attachment("overview"))
}
