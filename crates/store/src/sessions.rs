//! Server-side sessions. The cookie holds a random identifier; the database holds its SHA-256.

use crate::{col, flag, Result, Store};

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub second_factor_done: bool,
    pub created_at: String,
    pub last_seen_at: String,
}

impl Store {
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        second_factor_done: bool,
        user_agent: Option<&str>,
    ) -> Result<()> {
        let now = self.now_text();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, second_factor_done, created_at, last_seen_at, user_agent) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(second_factor_done as i64)
        .bind(&now)
        .bind(user_agent)
        .execute(&self.pool)
        .await?;
        self.writes.bump();
        Ok(())
    }

    pub async fn session(&self, id_hash: &str) -> Result<Session> {
        let row = sqlx::query("SELECT id_hash, user_id, second_factor_done, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_one(&self.pool)
            .await?;
        Ok(Session {
            id_hash: col(&row, "id_hash")?,
            user_id: col(&row, "user_id")?,
            second_factor_done: flag(&row, "second_factor_done")?,
            created_at: col(&row, "created_at")?,
            last_seen_at: col(&row, "last_seen_at")?,
        })
    }

    pub async fn touch_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(self.now_text())
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        self.writes.bump();
        Ok(())
    }

    pub async fn complete_second_factor(&self, id_hash: &str) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET second_factor_done = 1, last_seen_at = $1 WHERE id_hash = $2",
        )
        .bind(self.now_text())
        .bind(id_hash)
        .execute(&self.pool)
        .await?;
        self.writes.bump();
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        self.writes.bump();
        Ok(())
    }

    /// Deletes sessions idle since before `idle_before` or created before `created_before`.
    pub async fn purge_sessions(&self, idle_before: &str, created_before: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(&self.pool)
            .await?;
        self.writes.bump();
        Ok(done.rows_affected())
    }

    /// One-time values kept in the settings table (e.g. the setup token's hash).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| col(&row, "value")).transpose()
    }

    pub async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        self.writes.bump();
        Ok(())
    }

    /// The setting's value; `value` is stored first when there is none (two processes starting
    /// at once agree on the first stored).
    pub async fn setting_or_put(&self, key: &str, value: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        self.setting(key).await?.ok_or(crate::StoreError::NotFound)
    }

    pub async fn delete_setting(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        self.writes.bump();
        Ok(())
    }
}
