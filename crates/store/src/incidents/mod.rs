//! The incident register: incidents (numbered per facility), their timeline, the first-response
//! steps done, and what was recorded about each report.

mod writes;

use chrono::NaiveDate;
use mimamori_domain::incidents::reporting::{clocks, Clock, Recorded, ReportKind};
use mimamori_domain::incidents::Incident;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct StoredIncident {
    pub id: i64,
    pub facility_id: i64,
    pub number: i64,
    pub incident: Incident,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl StoredIncident {
    /// How people refer to it: INC-3.
    pub fn label(&self) -> String {
        format!("INC-{}", self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub happened_at: String,
    pub entry: String,
    pub author: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepDone {
    pub step_key: String,
    pub done_at: String,
    pub done_by: String,
    pub note: String,
    pub recorded_by: String,
}

/// An incident with everything recorded about it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    pub stored: StoredIncident,
    pub timeline: Vec<TimelineEntry>,
    pub steps: Vec<StepDone>,
    pub reports: Vec<Recorded>,
}

impl IncidentDetail {
    pub fn clocks(&self, today: NaiveDate) -> Vec<Clock> {
        clocks(&self.stored.incident, &self.reports, today)
    }
}

const COLUMNS: &str =
    "id, facility_id, number, data, created_at, created_by, updated_at, updated_by";

fn from_row(row: &AnyRow) -> Result<StoredIncident> {
    let data: String = col(row, "data")?;
    Ok(StoredIncident {
        id: col(row, "id")?,
        facility_id: col(row, "facility_id")?,
        number: col(row, "number")?,
        incident: serde_json::from_str(&data)
            .map_err(|e| StoreError::Unsupported(format!("broken incident data: {e}")))?,
        created_at: col(row, "created_at")?,
        created_by: col(row, "created_by")?,
        updated_at: col(row, "updated_at")?,
        updated_by: col(row, "updated_by")?,
    })
}

fn report_from_row(row: &AnyRow) -> Result<Option<Recorded>> {
    let key: String = col(row, "report_key")?;
    let on: Option<String> = col(row, "done_on")?;
    Ok(ReportKind::parse(&key).map(|kind| Recorded {
        kind,
        state: col(row, "state").unwrap_or_default(),
        on: on.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        note: col(row, "note").unwrap_or_default(),
        by: col(row, "recorded_by").unwrap_or_default(),
    }))
}

impl Store {
    /// The facility's incidents, newest discovery first; closed ones only when asked.
    pub async fn incidents(
        &self,
        facility_id: i64,
        include_closed: bool,
    ) -> Result<Vec<StoredIncident>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents WHERE facility_id = $1 AND ($2 = 1 OR status <> 'closed')
             ORDER BY discovered_at DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .bind(i64::from(include_closed))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn incident(&self, facility_id: i64, id: i64) -> Result<StoredIncident> {
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE facility_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(facility_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    pub async fn incident_detail(&self, facility_id: i64, id: i64) -> Result<IncidentDetail> {
        let stored = self.incident(facility_id, id).await?;
        let timeline = sqlx::query(
            "SELECT id, happened_at, entry, author, recorded_at FROM incident_timeline
             WHERE incident_id = $1 ORDER BY happened_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(TimelineEntry {
                id: col(r, "id")?,
                happened_at: col(r, "happened_at")?,
                entry: col(r, "entry")?,
                author: col(r, "author")?,
                recorded_at: col(r, "recorded_at")?,
            })
        })
        .collect::<Result<_>>()?;
        let steps = sqlx::query(
            "SELECT step_key, done_at, done_by, note, recorded_by FROM incident_steps WHERE incident_id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(StepDone {
                step_key: col(r, "step_key")?,
                done_at: col(r, "done_at")?,
                done_by: col(r, "done_by")?,
                note: col(r, "note")?,
                recorded_by: col(r, "recorded_by")?,
            })
        })
        .collect::<Result<_>>()?;
        let reports = self
            .incident_reports(&[id])
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        Ok(IncidentDetail {
            stored,
            timeline,
            steps,
            reports,
        })
    }

    /// What was recorded about the reports of the given incidents: (incident id, record).
    pub async fn incident_reports(&self, ids: &[i64]) -> Result<Vec<(i64, Recorded)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(|id| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        // The ids are integers from the database, so inlining them is safe.
        let sql = format!(
            "SELECT incident_id, report_key, state, done_on, note, recorded_by FROM incident_reports
             WHERE incident_id IN ({list})"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for row in &rows {
            if let Some(recorded) = report_from_row(row)? {
                out.push((col(row, "incident_id")?, recorded));
            }
        }
        Ok(out)
    }

    /// Open incidents with their clocks on `today`: for the findings and the hub.
    pub async fn open_incident_clocks(
        &self,
        facility_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<(StoredIncident, Vec<Clock>)>> {
        self.incident_clocks(facility_id, false, today).await
    }

    /// Incidents (closed ones when asked) with their clocks on `today`, in two queries.
    pub async fn incident_clocks(
        &self,
        facility_id: i64,
        include_closed: bool,
        today: NaiveDate,
    ) -> Result<Vec<(StoredIncident, Vec<Clock>)>> {
        let open = self.incidents(facility_id, include_closed).await?;
        let ids: Vec<i64> = open.iter().map(|i| i.id).collect();
        let reports = self.incident_reports(&ids).await?;
        Ok(open
            .into_iter()
            .map(|stored| {
                let recorded: Vec<Recorded> = reports
                    .iter()
                    .filter(|(id, _)| *id == stored.id)
                    .map(|(_, r)| r.clone())
                    .collect();
                let clocks = clocks(&stored.incident, &recorded, today);
                (stored, clocks)
            })
            .collect())
    }
}
