//! Online backup of Mimamori's own database.

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the SQLite database to `out` while the server keeps running
    /// (`VACUUM INTO` reads one snapshot). PostgreSQL is backed up with its own tools.
    pub async fn backup_to(&self, out: &Path) -> Result<u64> {
        match self.backend {
            Backend::Postgres => Err(StoreError::Unsupported(
                "PostgreSQL のバックアップには pg_dump を使ってください（例: pg_dump -Fc -f mimamori.dump \"$MIMAMORI_DATABASE_URL\"） / back up PostgreSQL with pg_dump (e.g. pg_dump -Fc -f mimamori.dump \"$MIMAMORI_DATABASE_URL\")".into(),
            )),
            Backend::Sqlite => {
                if out.exists() {
                    return Err(StoreError::Unsupported(format!(
                        "{} は既に存在します。別のファイル名を指定してください / {} already exists: choose another file name",
                        out.display(),
                        out.display()
                    )));
                }
                let target = out.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1").bind(&target).execute(&self.pool).await?;
                Ok(std::fs::metadata(out)?.len())
            }
        }
    }
}
