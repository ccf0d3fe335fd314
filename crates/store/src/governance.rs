//! Appointed roles of a facility (checklist item 1-(1)).

use chrono::NaiveDate;
use mimamori_domain::governance::{AppointedRole, Appointment, Tenure};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct StoredAppointment {
    pub id: i64,
    pub facility_id: i64,
    #[serde(flatten)]
    pub appointment: Appointment,
    pub updated_at: String,
}

const COLUMNS: &str = "id, facility_id, role, person_name, position, department, tenure, from_on, until_on, note, updated_at";

fn date(row: &AnyRow, name: &str) -> Result<Option<NaiveDate>> {
    let text: Option<String> = col(row, name)?;
    Ok(text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
}

fn from_row(row: &AnyRow) -> Result<StoredAppointment> {
    let role: String = col(row, "role")?;
    let tenure: Option<String> = col(row, "tenure")?;
    Ok(StoredAppointment {
        id: col(row, "id")?,
        facility_id: col(row, "facility_id")?,
        appointment: Appointment {
            role: AppointedRole::parse(&role).unwrap_or(AppointedRole::SecurityOfficer),
            person_name: col(row, "person_name")?,
            position: col(row, "position")?,
            department: col(row, "department")?,
            tenure: tenure.as_deref().and_then(Tenure::parse),
            from_on: date(row, "from_on")?,
            until_on: date(row, "until_on")?,
            note: col(row, "note")?,
        },
        updated_at: col(row, "updated_at")?,
    })
}

fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

impl WriteTx {
    pub async fn create_appointment(&mut self, facility_id: i64, a: &Appointment) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO appointments (facility_id, role, person_name, position, department, tenure, from_on, until_on, note, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(facility_id)
        .bind(a.role.code())
        .bind(&a.person_name)
        .bind(a.position.as_deref())
        .bind(a.department.as_deref())
        .bind(a.tenure.map(Tenure::code))
        .bind(date_text(a.from_on))
        .bind(date_text(a.until_on))
        .bind(a.note.as_deref())
        .bind(&self.now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(
            AuditRecord::new("create", "appointment")
                .facility(Some(facility_id))
                .id(id)
                .after(a),
        )
        .await?;
        Ok(id)
    }

    pub async fn update_appointment(
        &mut self,
        before: &StoredAppointment,
        a: &Appointment,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE appointments SET role = $1, person_name = $2, position = $3, department = $4, tenure = $5, from_on = $6,
             until_on = $7, note = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(a.role.code())
        .bind(&a.person_name)
        .bind(a.position.as_deref())
        .bind(a.department.as_deref())
        .bind(a.tenure.map(Tenure::code))
        .bind(date_text(a.from_on))
        .bind(date_text(a.until_on))
        .bind(a.note.as_deref())
        .bind(&self.now)
        .bind(before.id)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            AuditRecord::new("update", "appointment")
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.appointment)
                .after(a),
        )
        .await
    }

    pub async fn delete_appointment(&mut self, before: &StoredAppointment) -> Result<()> {
        sqlx::query("DELETE FROM appointments WHERE id = $1")
            .bind(before.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            AuditRecord::new("delete", "appointment")
                .facility(Some(before.facility_id))
                .id(before.id)
                .before(&before.appointment),
        )
        .await
    }
}

impl Store {
    /// Appointments of a facility, in the order of the role table.
    pub async fn appointments(&self, facility_id: i64) -> Result<Vec<StoredAppointment>> {
        let sql = format!("SELECT {COLUMNS} FROM appointments WHERE facility_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .fetch_all(&self.pool)
            .await?;
        let mut list = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        list.sort_by_key(|a| (a.appointment.role, a.appointment.department.clone(), a.id));
        Ok(list)
    }

    /// One appointment, only if it belongs to the facility (so no facility reads another's).
    pub async fn appointment(&self, facility_id: i64, id: i64) -> Result<StoredAppointment> {
        let sql = format!("SELECT {COLUMNS} FROM appointments WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?;
        let appointment = from_row(&row)?;
        if appointment.facility_id != facility_id {
            return Err(StoreError::NotFound);
        }
        Ok(appointment)
    }
}
