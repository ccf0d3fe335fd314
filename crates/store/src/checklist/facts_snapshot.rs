//! The large parts of a large facility's facts (live accounts, devices as the rules read them)
//! kept in the database with the audit log position they include (migration 0010). A process
//! that has not read the facility yet — a restart, the command line, a second server — starts
//! from the snapshot and takes in the changes logged since (see `facts_changes`) instead of
//! reading 60,000 accounts again.
//!
//! Derived data, like the overview's summaries: written after a full read, never audited, and a
//! snapshot that cannot be used (another format, unreadable) is read past as if absent.

use mimamori_domain::accounts::Account;
use mimamori_domain::findings::{DeviceFacts, FacilityFacts};

use super::facts_changes::{Base, Large};
use crate::{col, Store};

/// The encoding of a snapshot: postcard of `(accounts, devices)`, which is not self-describing,
/// so a change to `Account` or `DeviceFacts` must change this name (the test
/// `the_encoding_is_pinned` fails until it does). Snapshots of another format are read past.
const FORMAT: &str = "postcard1/accounts-devices/3";

/// Facilities with fewer accounts and devices than this are read in full in a few milliseconds:
/// no snapshot is written for them.
const SNAPSHOT_FROM_ROWS: usize = 2_000;

fn encode(accounts: &[Account], devices: &[DeviceFacts]) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_stdvec(&(accounts, devices))
}

pub(super) fn decode(data: &[u8]) -> Result<(Vec<Account>, Vec<DeviceFacts>), postcard::Error> {
    postcard::from_bytes(data)
}

impl Store {
    /// The facility's snapshot as a base to bring up to date, if there is one of this format
    /// (decoded later, see [`Large`]).
    pub(crate) async fn facts_snapshot(&self, facility_id: i64) -> Option<Base> {
        let read = async {
            let row =
                sqlx::query("SELECT seq, format, data FROM facts_snapshots WHERE facility_id = $1")
                    .bind(facility_id)
                    .fetch_optional(&self.pool)
                    .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            if col::<String>(&row, "format")? != FORMAT {
                return Ok(None);
            }
            Ok::<_, crate::StoreError>(Some(Base {
                large: Large::Encoded(col(&row, "data")?),
                small: None,
                seq: col(&row, "seq")?,
            }))
        };
        read.await.unwrap_or_else(|error| {
            tracing::warn!(facility_id, %error, "facts snapshot not read; reading in full");
            None
        })
    }

    /// Keeps the large parts of `facts` (read from the log's position `seq` on) for the next
    /// process, when the facility is large. A snapshot is an optimisation: failing to write one
    /// (a busy or read-only database) is logged, not reported to whoever asked for findings.
    pub(crate) async fn save_facts_snapshot(
        &self,
        facility_id: i64,
        facts: &FacilityFacts,
        seq: i64,
    ) {
        if facts.accounts.len() + facts.devices.len() < SNAPSHOT_FROM_ROWS {
            return;
        }
        let write = async {
            let data = encode(&facts.accounts, &facts.devices)
                .map_err(|e| crate::StoreError::Unsupported(format!("facts snapshot: {e}")))?;
            // An older snapshot never replaces a newer one written by another process.
            sqlx::query(
                "INSERT INTO facts_snapshots (facility_id, seq, format, data) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (facility_id) DO UPDATE SET seq = excluded.seq, format = excluded.format, data = excluded.data
                 WHERE facts_snapshots.seq <= excluded.seq",
            )
            .bind(facility_id)
            .bind(seq)
            .bind(FORMAT)
            .bind(data)
            .execute(&self.pool)
            .await?;
            Ok::<_, crate::StoreError>(())
        };
        if let Err(error) = write.await {
            tracing::warn!(facility_id, %error, "facts snapshot not written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use mimamori_domain::accounts::account::OwnerState;
    use mimamori_domain::accounts::{AccountStatus, Privileges};
    use mimamori_domain::ledger::device::{DeviceKind, DeviceStatus};

    fn samples() -> (Vec<Account>, Vec<DeviceFacts>) {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22);
        let account = Account {
            id: 7,
            system: "電子カルテ".into(),
            login_id: "d1001".into(),
            display_name: "医師 一郎".into(),
            owners: vec!["1001".into(), "1002".into()],
            owner_state: OwnerState::Confirmed,
            role: "医師".into(),
            privileges: Privileges::parse("カルテ:更新,画像:参照").unwrap_or_default(),
            privileged: true,
            status: AccountStatus::Suspended,
            created_on: day,
            last_sign_in_on: None,
            expires_on: day,
        };
        let device = DeviceFacts {
            id: 3,
            management_no: "PC-0001".into(),
            kind: Some(DeviceKind::Server),
            status: Some(DeviceStatus::Active),
            os_name: Some("Windows Server".into()),
            os_version: None,
            maker: Some("NEC".into()),
            model: None,
            remote_maintenance: true,
            software_without_version: 2,
            segments: vec!["電子カルテ系".into()],
            software: vec![("Microsoft Office".into(), Some("2016".into()))],
            exposure: vec![
                mimamori_domain::vulnerabilities::assess::ExposureReason::RemoteMaintenance,
            ],
        };
        (vec![account], vec![device])
    }

    #[test]
    fn snapshots_read_back_exactly() {
        let (accounts, devices) = samples();
        let data = encode(&accounts, &devices).expect("encoded");
        assert_eq!(decode(&data).expect("decoded"), (accounts, devices));
        assert!(decode(&data[..data.len() - 1]).is_err(), "a cut snapshot");
    }

    /// Fails when `Account` or `DeviceFacts` change shape: then change `FORMAT` (old snapshots
    /// are read past) and the bytes below.
    #[test]
    fn the_encoding_is_pinned() {
        let (accounts, devices) = samples();
        let data = encode(&accounts, &devices).expect("encoded");
        assert_eq!(
            hex::encode(&data),
            "010e0fe99bbbe5ad90e382abe383abe383860564313030310de58cbbe5b8ab20e4b880e9838e02043130303104313030320406e58cbbe5b8ab206d65646963616c5f7265636f72643a77726974652c696d616765733a726561640101010a323032362d31312d323200010a323032362d31312d323201060750432d3030303101000100010e57696e646f7773205365727665720001034e45430001020112e99bbbe5ad90e382abe383abe38386e7b3bb01104d6963726f736f6674204f66666963650104323031360101",
            "the snapshot encoding changed: change FORMAT ({FORMAT}) and these bytes"
        );
    }
}
