//! Writes of the incident register; each in the caller's transaction with its audit entry.

use mimamori_domain::i18n::Lang;
use mimamori_domain::incidents::reporting::Recorded;
use mimamori_domain::incidents::{choice_label, Incident, STATUSES};

use super::StoredIncident;
use crate::{col, AuditRecord, Result, StoreError, WriteTx};

fn minute(at: &chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

impl WriteTx {
    /// Registers an incident under the facility's next number; its discovery opens the timeline.
    pub async fn create_incident(&mut self, facility_id: i64, incident: &Incident) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(number), 0) AS last FROM incidents WHERE facility_id = $1",
        )
        .bind(facility_id)
        .fetch_one(&mut *self.tx)
        .await?;
        let number: i64 = col::<i64>(&row, "last")? + 1;
        let data =
            serde_json::to_string(incident).map_err(|e| StoreError::Unsupported(e.to_string()))?;
        let row = sqlx::query(
            "INSERT INTO incidents (facility_id, number, title, status, discovered_at, data, created_at, created_by, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8) RETURNING id",
        )
        .bind(facility_id)
        .bind(number)
        .bind(incident.title.clone())
        .bind(incident.status.clone())
        .bind(minute(&incident.discovered_at))
        .bind(data)
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        let who = if incident.discovered_by.is_empty() {
            "発見者不明".to_string()
        } else {
            incident.discovered_by.clone()
        };
        self.insert_timeline(
            id,
            &minute(&incident.discovered_at),
            &format!("発見（{who}）: {}", incident.title),
        )
        .await?;
        self.audit(
            AuditRecord::new("create", "incident")
                .facility(Some(facility_id))
                .id(id)
                .after(incident),
        )
        .await?;
        Ok(id)
    }

    /// Saves changed facts; a change of status is written to the timeline too.
    pub async fn update_incident(
        &mut self,
        before: &StoredIncident,
        incident: &Incident,
    ) -> Result<()> {
        let data =
            serde_json::to_string(incident).map_err(|e| StoreError::Unsupported(e.to_string()))?;
        sqlx::query(
            "UPDATE incidents SET title = $1, status = $2, discovered_at = $3, data = $4, updated_at = $5, updated_by = $6 WHERE id = $7",
        )
        .bind(incident.title.clone())
        .bind(incident.status.clone())
        .bind(minute(&incident.discovered_at))
        .bind(data)
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .bind(before.id)
        .execute(&mut *self.tx)
        .await?;
        if before.incident.status != incident.status {
            let now = self.now_jst_minute();
            let label = choice_label(STATUSES, &incident.status, Lang::Ja);
            self.insert_timeline(before.id, &now, &format!("状態を「{label}」に変更"))
                .await?;
        }
        self.audit(
            AuditRecord::new("update", "incident")
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.incident)
                .after(incident),
        )
        .await
    }

    /// The current time in Japan to the minute, for entries the system writes.
    fn now_jst_minute(&self) -> String {
        mimamori_domain::clock::parse_timestamp(&self.now)
            .map(|t| minute(&(t + chrono::Duration::hours(9)).naive_utc()))
            .unwrap_or_default()
    }

    async fn insert_timeline(
        &mut self,
        incident_id: i64,
        happened_at: &str,
        entry: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO incident_timeline (incident_id, happened_at, entry, author, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(incident_id)
        .bind(happened_at.to_string())
        .bind(entry.to_string())
        .bind(self.actor().display.clone())
        .bind(self.now.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        col(&row, "id")
    }

    /// Adds an entry to the timeline (who wrote it and when is recorded).
    pub async fn add_timeline(
        &mut self,
        incident: &StoredIncident,
        happened_at: &chrono::NaiveDateTime,
        entry: &str,
    ) -> Result<i64> {
        let id = self
            .insert_timeline(incident.id, &minute(happened_at), entry)
            .await?;
        self.audit(
            AuditRecord::new("create", "incident_timeline")
                .facility(Some(incident.facility_id))
                .id(id)
                .after(&serde_json::json!({"incident": incident.id, "happened_at": minute(happened_at), "entry": entry})),
        )
        .await?;
        Ok(id)
    }

    /// Marks a first-response step done (who, when, note) or, with None, not done.
    pub async fn set_incident_step(
        &mut self,
        incident: &StoredIncident,
        step_key: &str,
        done: Option<(&chrono::NaiveDateTime, &str, &str)>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM incident_steps WHERE incident_id = $1 AND step_key = $2")
            .bind(incident.id)
            .bind(step_key.to_string())
            .execute(&mut *self.tx)
            .await?;
        let mut after =
            serde_json::json!({"incident": incident.id, "step": step_key, "done": false});
        if let Some((at, by, note)) = done {
            sqlx::query(
                "INSERT INTO incident_steps (incident_id, step_key, done_at, done_by, note, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(incident.id)
            .bind(step_key.to_string())
            .bind(minute(at))
            .bind(by.to_string())
            .bind(note.to_string())
            .bind(self.actor().display.clone())
            .execute(&mut *self.tx)
            .await?;
            after = serde_json::json!({"incident": incident.id, "step": step_key, "done_at": minute(at), "done_by": by, "note": note});
        }
        self.audit(
            AuditRecord::new("update", "incident_step")
                .facility(Some(incident.facility_id))
                .id(format!("{}/{step_key}", incident.id))
                .after(&after),
        )
        .await
    }

    /// Records a report as done or not needed; state `due` clears what was recorded.
    pub async fn record_incident_report(
        &mut self,
        incident: &StoredIncident,
        recorded: &Recorded,
    ) -> Result<()> {
        let key = recorded.kind.code();
        sqlx::query("DELETE FROM incident_reports WHERE incident_id = $1 AND report_key = $2")
            .bind(incident.id)
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        if recorded.state != "due" {
            sqlx::query(
                "INSERT INTO incident_reports (incident_id, report_key, state, done_on, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(incident.id)
            .bind(key)
            .bind(recorded.state.clone())
            .bind(recorded.on.map(|d| d.to_string()))
            .bind(recorded.note.clone())
            .bind(self.actor().display.clone())
            .bind(self.now.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        self.audit(
            AuditRecord::new("update", "incident_report")
                .facility(Some(incident.facility_id))
                .id(format!("{}/{key}", incident.id))
                .after(recorded),
        )
        .await
    }
}
