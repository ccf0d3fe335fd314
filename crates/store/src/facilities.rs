//! Organisations and their facilities.

use mimamori_domain::facility::{FacilityKind, FacilityProfile};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{col, AuditRecord, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Facility {
    pub id: i64,
    pub organisation_id: i64,
    #[serde(flatten)]
    pub profile: FacilityProfile,
    pub created_at: String,
    pub updated_at: String,
}

const FACILITY_COLUMNS: &str =
    "id, organisation_id, code, name, kind, beds, institution_code, prefecture, address, created_at, updated_at";

fn facility_from_row(row: &AnyRow) -> Result<Facility> {
    let kind: String = col(row, "kind")?;
    Ok(Facility {
        id: col(row, "id")?,
        organisation_id: col(row, "organisation_id")?,
        profile: FacilityProfile {
            code: col(row, "code")?,
            name: col(row, "name")?,
            kind: FacilityKind::parse(&kind).unwrap_or(FacilityKind::Clinic),
            beds: col(row, "beds")?,
            institution_code: col(row, "institution_code")?,
            prefecture: col(row, "prefecture")?,
            address: col(row, "address")?,
        },
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}

impl WriteTx {
    pub async fn create_organisation(&mut self, name: &str) -> Result<Organisation> {
        let row = sqlx::query(
            "INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(name)
        .bind(&self.now)
        .fetch_one(&mut *self.tx)
        .await?;
        let organisation = Organisation {
            id: col(&row, "id")?,
            name: name.to_string(),
        };
        self.audit(
            AuditRecord::new("create", "organisation")
                .id(organisation.id)
                .after(&organisation),
        )
        .await?;
        Ok(organisation)
    }

    pub async fn create_facility(
        &mut self,
        organisation_id: i64,
        profile: &FacilityProfile,
    ) -> Result<Facility> {
        let sql = format!(
            "INSERT INTO facilities (organisation_id, code, name, kind, beds, institution_code, prefecture, address, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {FACILITY_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(organisation_id)
            .bind(&profile.code)
            .bind(&profile.name)
            .bind(profile.kind.code())
            .bind(profile.beds)
            .bind(profile.institution_code.as_deref())
            .bind(profile.prefecture.as_deref())
            .bind(profile.address.as_deref())
            .bind(&self.now)
            .fetch_one(&mut *self.tx)
            .await?;
        let facility = facility_from_row(&row)?;
        crate::overview::insert_summary(&mut self.tx, &facility).await?;
        self.audit(
            AuditRecord::new("create", "facility")
                .facility(Some(facility.id))
                .id(facility.id)
                .after(&facility.profile),
        )
        .await?;
        Ok(facility)
    }

    pub async fn update_facility(
        &mut self,
        before: &Facility,
        profile: &FacilityProfile,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE facilities SET code = $1, name = $2, kind = $3, beds = $4, institution_code = $5, prefecture = $6,
             address = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&profile.code)
        .bind(&profile.name)
        .bind(profile.kind.code())
        .bind(profile.beds)
        .bind(profile.institution_code.as_deref())
        .bind(profile.prefecture.as_deref())
        .bind(profile.address.as_deref())
        .bind(&self.now)
        .bind(before.id)
        .execute(&mut *self.tx)
        .await?;
        crate::overview::update_identity(&mut self.tx, before.id, profile).await?;
        self.audit(
            AuditRecord::new("update", "facility")
                .facility(Some(before.id))
                .id(before.id)
                .before(&before.profile)
                .after(profile),
        )
        .await
    }
}

impl Store {
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query("SELECT id, name FROM organisations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Organisation {
                    id: col(row, "id")?,
                    name: col(row, "name")?,
                })
            })
            .collect()
    }

    pub async fn organisation(&self, id: i64) -> Result<Organisation> {
        let row = sqlx::query("SELECT id, name FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(Organisation {
            id: col(&row, "id")?,
            name: col(&row, "name")?,
        })
    }

    pub async fn facility_by_code(&self, code: &str) -> Result<Facility> {
        let sql = format!("SELECT {FACILITY_COLUMNS} FROM facilities WHERE code = $1");
        let row = sqlx::query(&sql).bind(code).fetch_one(&self.pool).await?;
        facility_from_row(&row)
    }

    pub async fn facility(&self, id: i64) -> Result<Facility> {
        let sql = format!("SELECT {FACILITY_COLUMNS} FROM facilities WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?;
        facility_from_row(&row)
    }

    /// Facilities of one organisation, or of all when `organisation_id` is `None`.
    pub async fn facilities(&self, organisation_id: Option<i64>) -> Result<Vec<Facility>> {
        let sql = format!(
            "SELECT {FACILITY_COLUMNS} FROM facilities WHERE ($1 IS NULL OR organisation_id = $1) ORDER BY code"
        );
        let rows = sqlx::query(&sql)
            .bind(organisation_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(facility_from_row).collect()
    }

    /// Facilities a user may open: those of their facility memberships and all facilities of
    /// organisations where they hold an organisation-wide role.
    pub async fn facilities_of_user(&self, user_id: i64, today: &str) -> Result<Vec<Facility>> {
        let sql = format!(
            "SELECT {FACILITY_COLUMNS} FROM facilities f WHERE EXISTS (
                SELECT 1 FROM memberships m WHERE m.user_id = $1
                  AND (m.expires_on IS NULL OR m.expires_on >= $2)
                  AND (m.facility_id = f.id OR (m.facility_id IS NULL AND m.organisation_id = f.organisation_id)))
             ORDER BY code"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .bind(today)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(facility_from_row).collect()
    }

    /// Creates a facility in the deployment's organisation: the one named, else the only one,
    /// else a new organisation named after the facility.
    pub async fn create_facility_in_default_organisation(
        &self,
        actor: &crate::Actor,
        profile: &FacilityProfile,
    ) -> Result<Facility> {
        let organisations = self.organisations().await?;
        let mut tx = self.write(actor).await?;
        let organisation_id = match organisations.as_slice() {
            [] => tx.create_organisation(&profile.name).await?.id,
            [only] => only.id,
            _ => {
                return Err(StoreError::Unsupported(
                    "組織が複数あります。Web 画面から組織を選んで施設を作成してください / several organisations exist: create the facility from the web UI within its organisation".into(),
                ))
            }
        };
        let facility = tx.create_facility(organisation_id, profile).await?;
        tx.commit().await?;
        Ok(facility)
    }
}
