//! Assessments: one per facility, fiscal year and form (vendor forms per vendor and system), with
//! answers by item key. A signed-off assessment is locked until it is unlocked (logged).

use std::collections::HashMap;

use chrono::NaiveDate;
use mimamori_domain::checklist::{Answer, Form, ItemAnswer};
use mimamori_domain::validation::search_key;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, flag, AuditRecord, Result, Store, StoreError, WriteTx};

/// Which assessment: facility, year, form, and for vendor forms the vendor and system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentKey {
    pub facility_id: i64,
    pub fiscal_year: i32,
    pub form: Form,
    pub vendor: String,
    pub system: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub id: i64,
    pub facility_id: i64,
    pub fiscal_year: i32,
    pub form: Form,
    pub vendor: String,
    pub system: String,
    pub signed_off_at: Option<String>,
    pub signed_off_by: Option<String>,
    pub created_at: String,
}

impl Assessment {
    pub fn locked(&self) -> bool {
        self.signed_off_at.is_some()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredAnswer {
    pub item_key: String,
    pub answer: ItemAnswer,
    pub updated_at: String,
    pub updated_by: String,
}

const COLUMNS: &str =
    "id, facility_id, fiscal_year, form, vendor, system, signed_off_at, signed_off_by, created_at";

fn from_row(row: &AnyRow) -> Result<Assessment> {
    let form: String = col(row, "form")?;
    Ok(Assessment {
        id: col(row, "id")?,
        facility_id: col(row, "facility_id")?,
        fiscal_year: col::<i64>(row, "fiscal_year")? as i32,
        form: Form::parse(&form)
            .ok_or_else(|| StoreError::Unsupported(format!("unknown form {form}")))?,
        vendor: col(row, "vendor")?,
        system: col(row, "system")?,
        signed_off_at: col(row, "signed_off_at")?,
        signed_off_by: col(row, "signed_off_by")?,
        created_at: col(row, "created_at")?,
    })
}

fn date(row: &AnyRow, name: &str) -> Result<Option<NaiveDate>> {
    Ok(col::<Option<String>>(row, name)?
        .and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
}

fn answer_from_row(row: &AnyRow) -> Result<StoredAnswer> {
    let answer: Option<String> = col(row, "answer")?;
    Ok(StoredAnswer {
        item_key: col(row, "item_key")?,
        answer: ItemAnswer {
            answer: answer.as_deref().and_then(Answer::parse),
            first_checked_on: date(row, "first_checked_on")?,
            second_checked_on: date(row, "second_checked_on")?,
            target_on: date(row, "target_on")?,
            note: col(row, "note")?,
            recheck: flag(row, "recheck")?,
        },
        updated_at: col(row, "updated_at")?,
        updated_by: col(row, "updated_by")?,
    })
}

impl Store {
    pub async fn assessment(&self, facility_id: i64, id: i64) -> Result<Assessment> {
        let sql = format!(
            "SELECT {COLUMNS} FROM checklist_assessments WHERE id = $1 AND facility_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(facility_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    pub async fn find_assessment(&self, key: &AssessmentKey) -> Result<Option<Assessment>> {
        let sql = format!("SELECT {COLUMNS} FROM checklist_assessments WHERE facility_id = $1 AND fiscal_year = $2 AND form = $3 AND vendor_key = $4 AND system_key = $5");
        let row = sqlx::query(&sql)
            .bind(key.facility_id)
            .bind(i64::from(key.fiscal_year))
            .bind(key.form.code())
            .bind(search_key(key.vendor.trim()))
            .bind(search_key(key.system.trim()))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every assessment of a facility for a fiscal year (or all years), own form first.
    pub async fn assessments(
        &self,
        facility_id: i64,
        fiscal_year: Option<i32>,
    ) -> Result<Vec<Assessment>> {
        let sql = format!("SELECT {COLUMNS} FROM checklist_assessments WHERE facility_id = $1 AND ($2 = 0 OR fiscal_year = $2) ORDER BY fiscal_year DESC, form <> 'facility', form <> 'pharmacy', vendor, system");
        let rows = sqlx::query(&sql)
            .bind(facility_id)
            .bind(i64::from(fiscal_year.unwrap_or(0)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn answers(&self, assessment_id: i64) -> Result<HashMap<String, StoredAnswer>> {
        let rows = sqlx::query("SELECT item_key, answer, first_checked_on, second_checked_on, target_on, note, recheck, updated_at, updated_by FROM checklist_answers WHERE assessment_id = $1")
            .bind(assessment_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| answer_from_row(r).map(|a| (a.item_key.clone(), a)))
            .collect()
    }
}

impl WriteTx {
    pub async fn create_assessment(&mut self, key: &AssessmentKey) -> Result<i64> {
        let row = sqlx::query("INSERT INTO checklist_assessments (facility_id, fiscal_year, form, vendor, system, vendor_key, system_key, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(key.facility_id)
            .bind(i64::from(key.fiscal_year))
            .bind(key.form.code())
            .bind(key.vendor.trim())
            .bind(key.system.trim())
            .bind(search_key(key.vendor.trim()))
            .bind(search_key(key.system.trim()))
            .bind(self.now.clone())
            .bind(self.actor().display.clone())
            .fetch_one(&mut *self.tx)
            .await?;
        let id: i64 = col(&row, "id")?;
        self.audit(
            AuditRecord::new("create", "checklist_assessment")
                .facility(Some(key.facility_id))
                .id(id)
                .after(key),
        )
        .await?;
        Ok(id)
    }

    /// Writes one item's answer. Refused when the assessment is signed off.
    pub async fn save_answer(
        &mut self,
        assessment: &Assessment,
        item_key: &str,
        answer: &ItemAnswer,
    ) -> Result<()> {
        self.ensure_unlocked(assessment).await?;
        let before = sqlx::query("SELECT item_key, answer, first_checked_on, second_checked_on, target_on, note, recheck, updated_at, updated_by FROM checklist_answers WHERE assessment_id = $1 AND item_key = $2")
            .bind(assessment.id)
            .bind(item_key)
            .fetch_optional(&mut *self.tx)
            .await?
            .map(|r| answer_from_row(&r))
            .transpose()?;
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        sqlx::query(if before.is_some() {
            "UPDATE checklist_answers SET answer = $3, first_checked_on = $4, second_checked_on = $5, target_on = $6, note = $7, recheck = $8, updated_at = $9, updated_by = $10 WHERE assessment_id = $1 AND item_key = $2"
        } else {
            "INSERT INTO checklist_answers (assessment_id, item_key, answer, first_checked_on, second_checked_on, target_on, note, recheck, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        })
        .bind(assessment.id)
        .bind(item_key)
        .bind(answer.answer.map(|a| a.code()))
        .bind(date(answer.first_checked_on))
        .bind(date(answer.second_checked_on))
        .bind(date(answer.target_on))
        .bind(answer.note.clone())
        .bind(i64::from(answer.recheck))
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .execute(&mut *self.tx)
        .await?;
        let mut record = AuditRecord::new("update", "checklist_answer")
            .facility(Some(assessment.facility_id))
            .id(format!("{}/{item_key}", assessment.id))
            .after(answer);
        if let Some(before) = before {
            record = record.before(&before.answer);
        }
        self.audit(record).await
    }

    /// Locks the assessment by the security officer's sign-off.
    pub async fn sign_off(&mut self, assessment: &Assessment) -> Result<()> {
        self.ensure_unlocked(assessment).await?;
        sqlx::query(
            "UPDATE checklist_assessments SET signed_off_at = $1, signed_off_by = $2 WHERE id = $3",
        )
        .bind(self.now.clone())
        .bind(self.actor().display.clone())
        .bind(assessment.id)
        .execute(&mut *self.tx)
        .await?;
        let after = serde_json::json!({"signed_off_by": self.actor().display});
        self.audit(
            AuditRecord::new("sign_off", "checklist_assessment")
                .facility(Some(assessment.facility_id))
                .id(assessment.id)
                .after(&after),
        )
        .await
    }

    /// Unlocks a signed-off assessment; the reason is kept in the audit log.
    pub async fn unlock(&mut self, assessment: &Assessment, reason: &str) -> Result<()> {
        sqlx::query("UPDATE checklist_assessments SET signed_off_at = NULL, signed_off_by = NULL WHERE id = $1")
            .bind(assessment.id)
            .execute(&mut *self.tx)
            .await?;
        let before = serde_json::json!({"signed_off_at": assessment.signed_off_at, "signed_off_by": assessment.signed_off_by});
        let after = serde_json::json!({"reason": reason});
        self.audit(
            AuditRecord::new("unlock", "checklist_assessment")
                .facility(Some(assessment.facility_id))
                .id(assessment.id)
                .before(&before)
                .after(&after),
        )
        .await
    }

    /// Starts next year's assessment from this one: same answers and notes, dates cleared, each
    /// marked to re-check. Returns the new assessment's id.
    pub async fn roll_over(
        &mut self,
        from: &Assessment,
        answers: &HashMap<String, StoredAnswer>,
    ) -> Result<i64> {
        let key = AssessmentKey {
            facility_id: from.facility_id,
            fiscal_year: from.fiscal_year + 1,
            form: from.form,
            vendor: from.vendor.clone(),
            system: from.system.clone(),
        };
        let id = self.create_assessment(&key).await?;
        let target = Assessment {
            id,
            fiscal_year: key.fiscal_year,
            signed_off_at: None,
            signed_off_by: None,
            ..from.clone()
        };
        let mut keys: Vec<&String> = answers.keys().collect();
        keys.sort();
        for item_key in keys {
            self.save_answer(&target, item_key, &answers[item_key].answer.rolled_over())
                .await?;
        }
        Ok(id)
    }

    /// Re-reads the lock inside the transaction, so a sign-off that raced this write wins.
    pub(crate) async fn ensure_unlocked(&mut self, assessment: &Assessment) -> Result<()> {
        let row = sqlx::query("SELECT signed_off_at FROM checklist_assessments WHERE id = $1")
            .bind(assessment.id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if col::<Option<String>>(&row, "signed_off_at")?.is_some() {
            return Err(StoreError::Locked);
        }
        Ok(())
    }
}
