//! Migrations are embedded in the binary, one folder per backend with identical file names.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::{Backend, Result, Store};

/// (version, description, SQLite text, PostgreSQL text). Applied migrations are never edited.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "devices",
        include_str!("../migrations/sqlite/0002_devices.sql"),
        include_str!("../migrations/postgres/0002_devices.sql"),
    ),
    (
        3,
        "registers",
        include_str!("../migrations/sqlite/0003_registers.sql"),
        include_str!("../migrations/postgres/0003_registers.sql"),
    ),
    (
        4,
        "checklist",
        include_str!("../migrations/sqlite/0004_checklist.sql"),
        include_str!("../migrations/postgres/0004_checklist.sql"),
    ),
    (
        5,
        "accounts",
        include_str!("../migrations/sqlite/0005_accounts.sql"),
        include_str!("../migrations/postgres/0005_accounts.sql"),
    ),
    (
        6,
        "preparedness",
        include_str!("../migrations/sqlite/0006_preparedness.sql"),
        include_str!("../migrations/postgres/0006_preparedness.sql"),
    ),
    (
        7,
        "overview",
        include_str!("../migrations/sqlite/0007_overview.sql"),
        include_str!("../migrations/postgres/0007_overview.sql"),
    ),
    (
        8,
        "device_search",
        include_str!("../migrations/sqlite/0008_device_search.sql"),
        include_str!("../migrations/postgres/0008_device_search.sql"),
    ),
    (
        9,
        "device_search_light",
        include_str!("../migrations/sqlite/0009_device_search_light.sql"),
        include_str!("../migrations/postgres/0009_device_search_light.sql"),
    ),
    (
        10,
        "facts_snapshots",
        include_str!("../migrations/sqlite/0010_facts_snapshots.sql"),
        include_str!("../migrations/postgres/0010_facts_snapshots.sql"),
    ),
    (
        11,
        "device_search_deferred",
        include_str!("../migrations/sqlite/0011_device_search_deferred.sql"),
        include_str!("../migrations/postgres/0011_device_search_deferred.sql"),
    ),
    (
        12,
        "vulnerabilities",
        include_str!("../migrations/sqlite/0012_vulnerabilities.sql"),
        include_str!("../migrations/postgres/0012_vulnerabilities.sql"),
    ),
    (
        13,
        "vulnerability_suppressions",
        include_str!("../migrations/sqlite/0013_vulnerability_suppressions.sql"),
        include_str!("../migrations/postgres/0013_vulnerability_suppressions.sql"),
    ),
    (
        14,
        "token_expiry",
        include_str!("../migrations/sqlite/0014_token_expiry.sql"),
        include_str!("../migrations/postgres/0014_token_expiry.sql"),
    ),
];

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                *version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

pub(crate) async fn run(store: &Store) -> Result<()> {
    migrator(store.backend).run(&store.pool).await?;
    Ok(())
}

#[cfg(test)]
/// The file names of the embedded migrations, for the test that compares them with the folders.
pub fn embedded_names() -> Vec<String> {
    MIGRATIONS
        .iter()
        .map(|(v, d, _, _)| format!("{v:04}_{d}.sql"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(name);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_folders_hold_the_same_migrations_and_all_are_embedded() {
        assert_eq!(folder("sqlite"), folder("postgres"));
        assert_eq!(folder("sqlite"), embedded_names());
    }
}
