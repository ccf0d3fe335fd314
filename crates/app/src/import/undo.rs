//! Undoing a whole import, the day it was written: every device or register record it created is
//! deleted and every one it changed gets its before-image back, in one transaction, from the
//! import's own audit entries (its summary names where they begin). Refused when one of those
//! records changed since — the undo would silently take that later work away.

use chrono::{DateTime, FixedOffset};
use mimamori_domain::audit::AuditEntry;
use mimamori_domain::ledger::device::Device;
use mimamori_domain::ledger::register::{Record, RegisterSpec};
use mimamori_domain::ledger::registers::ALL;
use mimamori_store::{Actor, AuditRecord, Store, StoreError, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

/// What an undo did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct UndoReport {
    /// The import's audit entry.
    pub import_seq: i64,
    /// What was imported: `devices` or a register's entity (`vendor`, …).
    pub entity: String,
    pub deleted: usize,
    pub restored: usize,
}

/// Why an import cannot be undone; each says what to do instead.
#[derive(Debug)]
pub enum UndoError {
    /// No written import of this facility has this number.
    NotFound,
    /// Imports are undone the day they were written (JST).
    NotToday,
    AlreadyUndone,
    /// An account import: its file is the system's whole list; import the previous list again.
    NotUndoable,
    /// Records changed after the import, by their audit entry ids.
    ChangedSince(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for UndoError {
    fn from(error: StoreError) -> Self {
        UndoError::Store(error)
    }
}

impl UndoError {
    pub fn ja(&self) -> String {
        match self {
            UndoError::NotFound => "その取り込みは見つかりません。".into(),
            UndoError::NotToday => "取り消せるのは、取り込んだ当日（日本時間）の取り込みだけです。必要な記録を編集するか、以前のファイルを取り込み直してください。".into(),
            UndoError::AlreadyUndone => "この取り込みはすでに取り消されています。".into(),
            UndoError::NotUndoable => "アカウントの取り込みは取り消せません。以前の利用者一覧を取り込み直してください。".into(),
            UndoError::ChangedSince(ids) => format!("取り込みの後に変更された記録があるため取り消せません（{} 件: {}）。変更を確かめてから、記録を個別に直してください。", ids.len(), ids.iter().take(10).cloned().collect::<Vec<_>>().join("、")),
            UndoError::Store(e) => format!("取り消せませんでした: {e}"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            UndoError::NotFound => "No such import.".into(),
            UndoError::NotToday => "Only an import written today (JST) can be undone; edit the records or import the earlier file again.".into(),
            UndoError::AlreadyUndone => "This import has already been undone.".into(),
            UndoError::NotUndoable => "An account import cannot be undone; import the earlier user list again.".into(),
            UndoError::ChangedSince(ids) => format!("{} records changed after the import ({}); check them and correct them one by one.", ids.len(), ids.iter().take(10).cloned().collect::<Vec<_>>().join(", ")),
            UndoError::Store(e) => format!("could not undo: {e}"),
        }
    }
}

/// The register whose records an audit entity names.
pub fn register_of(entity: &str) -> Option<&'static RegisterSpec> {
    ALL.into_iter().find(|spec| spec.entity == entity)
}

fn jst_date(at: &str) -> Option<chrono::NaiveDate> {
    let offset = FixedOffset::east_opt(9 * 3600)?;
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&offset).date_naive())
}

/// Undoes the import whose audit entry is `import_seq`, at `facility_id`.
pub async fn undo(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    import_seq: i64,
) -> Result<UndoReport, UndoError> {
    let summary = store
        .audit_range(facility_id, import_seq, import_seq)
        .await?
        .into_iter()
        .find(|e| e.action == "import")
        .ok_or(UndoError::NotFound)?;
    if summary.entity == "accounts" {
        return Err(UndoError::NotUndoable);
    }
    let from_seq = summary
        .after
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
        .and_then(|v| v["from_seq"].as_i64())
        .ok_or(UndoError::NotUndoable)?;
    if jst_date(&summary.at) != Some(store.clock().today_jst()) {
        return Err(UndoError::NotToday);
    }
    let undone = store.audit_after(facility_id, import_seq, "import").await?;
    if undone
        .iter()
        .any(|e| e.action == "undo" && e.entity_id.as_deref() == Some(&import_seq.to_string()))
    {
        return Err(UndoError::AlreadyUndone);
    }
    let entries: Vec<AuditEntry> = store
        .audit_range(facility_id, from_seq, import_seq - 1)
        .await?
        .into_iter()
        .filter(|e| matches!(e.action.as_str(), "create" | "update"))
        .filter(|e| e.entity == "device" || register_of(&e.entity).is_some())
        .collect();
    // A record changed after the import would lose that change: refuse, naming them.
    let mut changed = Vec::new();
    let mut entities: Vec<&str> = entries.iter().map(|e| e.entity.as_str()).collect();
    entities.sort_unstable();
    entities.dedup();
    for entity in entities {
        let ids: std::collections::HashSet<&str> = entries
            .iter()
            .filter(|e| e.entity == entity)
            .filter_map(|e| e.entity_id.as_deref())
            .collect();
        for later in store.audit_after(facility_id, import_seq, entity).await? {
            if let Some(id) = later.entity_id.as_deref().filter(|id| ids.contains(id)) {
                changed.push(format!("{entity} {id}"));
            }
        }
    }
    if !changed.is_empty() {
        changed.dedup();
        return Err(UndoError::ChangedSince(changed));
    }
    let mut tx = store.write(actor).await?;
    let mut report = UndoReport {
        import_seq,
        entity: summary.entity.clone(),
        ..Default::default()
    };
    for entry in entries.iter().rev() {
        undo_entry(store, &mut tx, facility_id, entry, &mut report).await?;
    }
    tx.audit(
        AuditRecord::new("undo", "import")
            .facility(Some(facility_id))
            .id(import_seq)
            .after(&serde_json::json!({
                "import": summary.entity, "deleted": report.deleted, "restored": report.restored,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Takes one entry of the import back: a creation is deleted, a change gets its before-image.
async fn undo_entry(
    store: &Store,
    tx: &mut WriteTx,
    facility_id: i64,
    entry: &AuditEntry,
    report: &mut UndoReport,
) -> Result<(), UndoError> {
    let Some(id) = entry
        .entity_id
        .as_deref()
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(());
    };
    let before = entry.before.as_deref().unwrap_or("null");
    let broken =
        |e: serde_json::Error| StoreError::Unsupported(format!("audit entry {}: {e}", entry.seq));
    if entry.entity == "device" {
        let stored = store.device(facility_id, id).await?;
        if entry.action == "create" {
            tx.delete_device(&stored).await?;
            report.deleted += 1;
        } else {
            let device: Device = serde_json::from_str(before).map_err(broken)?;
            tx.update_device(&stored, &device).await?;
            report.restored += 1;
        }
    } else if let Some(spec) = register_of(&entry.entity) {
        let stored = store.record(facility_id, spec, id).await?;
        if entry.action == "create" {
            tx.delete_record(spec, &stored).await?;
            report.deleted += 1;
        } else {
            let values = serde_json::from_str(before).map_err(broken)?;
            tx.update_record(spec, &stored, &Record { values }).await?;
            report.restored += 1;
        }
    }
    Ok(())
}
