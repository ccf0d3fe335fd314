//! The organisation overview: one summary row per facility (`facility_summaries`), read by a
//! single indexed query per page however many facilities the organisation has.
//!
//! Every write transaction that audits a change to a facility bumps its `pending_changes` at
//! commit ([`mark_changed`]); [`Store::refresh_pending_summaries`] recomputes those rows with the
//! findings engine — the same facts and rules as the findings page — and subtracts the changes it
//! saw, so a write that lands during a refresh is not lost. Rows computed on an earlier day are
//! refreshed too, because findings depend on the date.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use mimamori_domain::checklist::Form;
use mimamori_domain::facility::{FacilityKind, FacilityProfile};
use mimamori_domain::overview::{SummaryCounts, SummaryStatus};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::facilities::Facility;
use crate::{col, Backend, Result, Store, StoreError};

/// One facility's row of the overview.
#[derive(Debug, Clone, Serialize)]
pub struct FacilitySummary {
    pub facility_id: i64,
    pub code: String,
    pub name: String,
    pub kind: FacilityKind,
    pub prefecture: String,
    pub status: SummaryStatus,
    pub findings_high: i64,
    pub findings_medium: i64,
    pub findings_low: i64,
    pub fiscal_year: Option<i64>,
    pub checklist_answered: i64,
    pub checklist_total: i64,
    /// YYYY-MM-DD; `None` when the ledger was never confirmed.
    pub ledger_confirmed_on: Option<String>,
    /// Changes not reflected yet (the row is being recomputed).
    pub pending_changes: i64,
    pub computed_at: Option<String>,
}

/// Columns the overview can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverviewSort {
    /// Most high, then medium, then low findings first.
    #[default]
    Findings,
    Code,
    Name,
    /// Least checklist progress first.
    Checklist,
    /// Longest unconfirmed ledger first.
    Confirmed,
}

impl OverviewSort {
    pub const ALL: [OverviewSort; 5] = [
        Self::Findings,
        Self::Code,
        Self::Name,
        Self::Checklist,
        Self::Confirmed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Findings => "findings",
            Self::Code => "code",
            Self::Name => "name",
            Self::Checklist => "checklist",
            Self::Confirmed => "confirmed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// ORDER BY columns in one direction, so that each sort walks its index
    /// (`reverse` flips every column).
    fn order_by(self, reverse: bool) -> String {
        let (columns, descending): (&[&str], bool) = match self {
            Self::Findings => (
                &["findings_high", "findings_medium", "findings_low", "code"],
                true,
            ),
            Self::Code => (&["code"], false),
            Self::Name => (&["name", "code"], false),
            Self::Checklist => (&["checklist_permille", "code"], false),
            Self::Confirmed => (&["ledger_confirmed_on", "code"], false),
        };
        let direction = if descending != reverse { "DESC" } else { "ASC" };
        columns
            .iter()
            .map(|c| format!("{c} {direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Filters, sort and page of an overview request.
#[derive(Debug, Clone, Default)]
pub struct OverviewQuery {
    pub organisation_id: i64,
    pub kind: Option<FacilityKind>,
    pub prefecture: Option<String>,
    pub status: Option<SummaryStatus>,
    /// Part of the code or name.
    pub q: Option<String>,
    pub sort: OverviewSort,
    pub reverse: bool,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

/// A page of the overview with the number of matching facilities per status.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewPage {
    pub rows: Vec<FacilitySummary>,
    /// Facilities matching every filter.
    pub total: i64,
    /// Facilities matching the filters other than status, per status.
    pub by_status: Vec<(SummaryStatus, i64)>,
}

/// Summaries written per transaction.
const SUMMARY_BATCH: usize = 50;

const COLUMNS: &str = "facility_id, code, name, kind, prefecture, status, findings_high, findings_medium, findings_low, fiscal_year, checklist_answered, checklist_total, ledger_confirmed_on, pending_changes, computed_at";

fn from_row(row: &AnyRow) -> Result<FacilitySummary> {
    let kind: String = col(row, "kind")?;
    let status: String = col(row, "status")?;
    let confirmed: String = col(row, "ledger_confirmed_on")?;
    Ok(FacilitySummary {
        facility_id: col(row, "facility_id")?,
        code: col(row, "code")?,
        name: col(row, "name")?,
        kind: FacilityKind::parse(&kind)
            .ok_or_else(|| StoreError::Unsupported(format!("facility kind {kind}")))?,
        prefecture: col(row, "prefecture")?,
        status: SummaryStatus::parse(&status).unwrap_or(SummaryStatus::Pending),
        findings_high: col(row, "findings_high")?,
        findings_medium: col(row, "findings_medium")?,
        findings_low: col(row, "findings_low")?,
        fiscal_year: col(row, "fiscal_year")?,
        checklist_answered: col(row, "checklist_answered")?,
        checklist_total: col(row, "checklist_total")?,
        ledger_confirmed_on: Some(confirmed).filter(|d| !d.is_empty()),
        pending_changes: col(row, "pending_changes")?,
        computed_at: col(row, "computed_at")?,
    })
}

/// WHERE clause and its arguments (all text) after `organisation_id = $1`; a `?` in a clause
/// stands for that clause's one argument, however often it occurs.
fn filters(backend: Backend, query: &OverviewQuery, with_status: bool) -> (String, Vec<String>) {
    let mut clauses = vec!["organisation_id = $1".to_string()];
    let mut args = Vec::new();
    let mut push = |clause: &str, arg: String| {
        args.push(arg);
        clauses.push(clause.replace('?', &format!("${}", args.len() + 1)));
    };
    if let Some(kind) = query.kind {
        push("kind = ?", kind.code().to_string());
    }
    if let Some(prefecture) = query.prefecture.as_deref().filter(|p| !p.is_empty()) {
        push("prefecture = ?", prefecture.to_string());
    }
    if let (true, Some(status)) = (with_status, query.status) {
        push("status = ?", status.code().to_string());
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = backend.ilike();
        let clause = format!("(code {like} ? ESCAPE '\\' OR name {like} ? ESCAPE '\\')");
        push(&clause, crate::dialect::like_pattern(q));
    }
    (clauses.join(" AND "), args)
}

impl Store {
    /// One page of the organisation's facilities with their summaries.
    pub async fn overview(&self, query: &OverviewQuery) -> Result<OverviewPage> {
        let per_page = query.per_page.clamp(1, 500);
        let page = query.page.max(1);
        let (clause, args) = filters(self.backend, query, true);
        let sql = format!(
            "SELECT {COLUMNS} FROM facility_summaries WHERE {clause} ORDER BY {} LIMIT {per_page} OFFSET {}",
            query.sort.order_by(query.reverse),
            mimamori_domain::validation::page_offset(page, per_page)
        );
        let mut select = sqlx::query(&sql).bind(query.organisation_id);
        for arg in &args {
            select = select.bind(arg.as_str());
        }
        let rows = select.fetch_all(&self.pool).await?;
        let rows = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;

        let (clause, args) = filters(self.backend, query, false);
        let sql = format!(
            "SELECT status, COUNT(*) AS n FROM facility_summaries WHERE {clause} GROUP BY status"
        );
        let mut count = sqlx::query(&sql).bind(query.organisation_id);
        for arg in &args {
            count = count.bind(arg.as_str());
        }
        let counted = count.fetch_all(&self.pool).await?;
        let mut by_status: Vec<(SummaryStatus, i64)> =
            SummaryStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for row in &counted {
            let status: String = col(row, "status")?;
            let n: i64 = col(row, "n")?;
            if let Some(entry) = by_status
                .iter_mut()
                .find(|(s, _)| Some(*s) == SummaryStatus::parse(&status))
            {
                entry.1 += n;
            }
        }
        let total = by_status
            .iter()
            .filter(|(s, _)| query.status.is_none_or(|wanted| wanted == *s))
            .map(|(_, n)| n)
            .sum();
        Ok(OverviewPage {
            rows,
            total,
            by_status,
        })
    }

    /// How many audited writes the facility has had: a version for per-facility caches.
    pub async fn facility_version(&self, facility_id: i64) -> Result<i64> {
        let row = sqlx::query("SELECT changes FROM facility_summaries WHERE facility_id = $1")
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map_or(Ok(0), |r| col(&r, "changes"))
    }

    /// Recomputes one facility's summary from its facts and findings on `today`.
    pub async fn refresh_summary(
        &self,
        facility_id: i64,
        today: NaiveDate,
    ) -> Result<SummaryCounts> {
        let mut counts = self.refresh_summaries(&[facility_id], today).await?;
        counts.pop().ok_or(StoreError::NotFound)
    }

    /// Recomputes the summaries of `facilities` and writes them in one transaction (one commit,
    /// one fsync on SQLite, for the whole batch).
    pub async fn refresh_summaries(
        &self,
        facilities: &[i64],
        today: NaiveDate,
    ) -> Result<Vec<SummaryCounts>> {
        let mut computed = Vec::with_capacity(facilities.len());
        for &facility_id in facilities {
            let seen: i64 = sqlx::query(
                "SELECT pending_changes FROM facility_summaries WHERE facility_id = $1",
            )
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| col(&row, "pending_changes"))
            .transpose()?
            .unwrap_or(0);
            let evaluated = self.evaluated(facility_id, today, false).await?;
            let (facts, findings) = (&evaluated.facts, &evaluated.findings);
            let total = self
                .edition_for(facts.fiscal_year, Form::own(facts.kind))
                .await?
                .map_or(0, |e| e.edition.items.len());
            computed.push((facility_id, seen, SummaryCounts::of(facts, findings, total)));
        }
        let now = self.now_text();
        let mut tx = self.pool.begin().await?;
        for (facility_id, seen, counts) in &computed {
            sqlx::query(
                "UPDATE facility_summaries SET status = $1, findings_high = $2, findings_medium = $3, findings_low = $4,
                   fiscal_year = $5, checklist_answered = $6, checklist_total = $7, checklist_permille = $8,
                   ledger_confirmed_on = $9, pending_changes = pending_changes - $10, computed_on = $11, computed_at = $12
                 WHERE facility_id = $13",
            )
            .bind(counts.status.code())
            .bind(counts.high)
            .bind(counts.medium)
            .bind(counts.low)
            .bind(i64::from(counts.fiscal_year))
            .bind(counts.checklist_answered)
            .bind(counts.checklist_total)
            .bind(counts.checklist_permille())
            .bind(counts.ledger_confirmed_on.map(|d| d.to_string()).unwrap_or_default())
            .bind(*seen)
            .bind(today.to_string())
            .bind(&now)
            .bind(*facility_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(computed.into_iter().map(|(_, _, counts)| counts).collect())
    }

    /// Refreshes the planner's statistics of the summaries, after many were computed at once.
    pub async fn analyze_summaries(&self) -> Result<()> {
        sqlx::query("ANALYZE facility_summaries")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Facilities whose summary has unreflected changes or was computed before `today`, most
    /// changed first.
    pub async fn pending_summaries(&self, today: NaiveDate, limit: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT facility_id FROM facility_summaries
             WHERE pending_changes > 0 OR computed_on IS NULL OR computed_on < $1
             ORDER BY pending_changes DESC, facility_id LIMIT $2",
        )
        .bind(today.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| col(r, "facility_id")).collect()
    }

    /// Refreshes up to `limit` pending summaries; returns how many it refreshed.
    pub async fn refresh_pending_summaries(&self, today: NaiveDate, limit: i64) -> Result<usize> {
        let ids = self.pending_summaries(today, limit).await?;
        for batch in ids.chunks(SUMMARY_BATCH) {
            self.refresh_summaries(batch, today).await?;
        }
        Ok(ids.len())
    }
}

/// Creates the summary row of a new facility (pending until first computed).
pub(crate) async fn insert_summary(conn: &mut AnyConnection, facility: &Facility) -> Result<()> {
    sqlx::query(
        "INSERT INTO facility_summaries (facility_id, organisation_id, code, name, kind, prefecture) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(facility.id)
    .bind(facility.organisation_id)
    .bind(&facility.profile.code)
    .bind(&facility.profile.name)
    .bind(facility.profile.kind.code())
    .bind(facility.profile.prefecture.clone().unwrap_or_default())
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps the summary's copy of the facility's identity in step with the facility.
pub(crate) async fn update_identity(
    conn: &mut AnyConnection,
    facility_id: i64,
    profile: &FacilityProfile,
) -> Result<()> {
    sqlx::query(
        "UPDATE facility_summaries SET code = $1, name = $2, kind = $3, prefecture = $4 WHERE facility_id = $5",
    )
    .bind(&profile.code)
    .bind(&profile.name)
    .bind(profile.kind.code())
    .bind(profile.prefecture.clone().unwrap_or_default())
    .bind(facility_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the summaries of `facilities` as changed (called at commit of every write).
pub(crate) async fn mark_changed(
    conn: &mut AnyConnection,
    facilities: &BTreeSet<i64>,
) -> Result<()> {
    if facilities.is_empty() {
        return Ok(());
    }
    let params: Vec<String> = (1..=facilities.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "UPDATE facility_summaries SET pending_changes = pending_changes + 1, changes = changes + 1 WHERE facility_id IN ({})",
        params.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in facilities {
        query = query.bind(*id);
    }
    query.execute(conn).await?;
    Ok(())
}
