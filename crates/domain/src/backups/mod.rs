//! The backup register (checklist 3-(2); 診療録管理体制加算 from FY2024: backups by more than one
//! method, part of them kept offline) and its evaluation per information system: 3-2-1, an offline
//! copy, a restore tested within 12 months.
//!
//! One register row is one backup copy of a system's data (e.g. 「電子カルテ 日次テープ」).

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::ledger::register::{
    Choice, FieldKind, FieldSpec, Record, RegisterGroup, RegisterKind, RegisterSpec,
};
use crate::ledger::registers::{field, key_field, text, PRIORITIES};
use crate::validation::search_key;

pub const METHODS: &[Choice] = &[
    ("full", "フル", "Full"),
    ("incremental", "増分", "Incremental"),
    ("differential", "差分", "Differential"),
    ("image", "イメージ", "Image"),
    ("replication", "レプリケーション", "Replication"),
];

pub const FREQUENCIES: &[Choice] = &[
    ("continuous", "常時", "Continuous"),
    ("hourly", "毎時", "Hourly"),
    ("daily", "毎日", "Daily"),
    ("weekly", "毎週", "Weekly"),
    ("monthly", "毎月", "Monthly"),
    ("other", "その他", "Other"),
];

pub const MEDIA: &[Choice] = &[
    (
        "online_disk",
        "オンラインのディスク・NAS",
        "Online disk / NAS",
    ),
    ("offline_media", "オフライン媒体", "Offline media"),
    ("tape", "テープ", "Tape"),
    ("usb", "USB・外付けディスク", "USB / external disk"),
    ("cloud", "クラウド", "Cloud"),
    (
        "immutable",
        "改ざん防止（WORM・イミュータブル）",
        "Immutable / WORM",
    ),
    ("offsite", "遠隔地のサーバ", "Offsite server"),
];

pub const RESTORE_RESULTS: &[Choice] = &[
    ("success", "成功", "Succeeded"),
    ("partial", "一部成功", "Partly succeeded"),
    ("failed", "失敗", "Failed"),
];

pub const BACKUPS: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Backups,
    group: RegisterGroup::Preparedness,
    slug: "backups",
    entity: "backup",
    title_ja: "バックアップ",
    title_en: "Backups",
    key_field: "name",
    fields: &[
        key_field("name", &["バックアップ名", "Backup", "名称", "name"]),
        FieldSpec::new(
            "system",
            &["情報システム", "System", "システム名", "対象システム"],
            FieldKind::SystemName,
            true,
            true,
        ),
        text("target", &["対象データ", "What is backed up", "対象"]),
        field(
            "method",
            &["方式", "Method", "バックアップ方式"],
            FieldKind::Choice(METHODS),
            true,
        ),
        field(
            "frequency",
            &["頻度", "Frequency", "取得頻度"],
            FieldKind::Choice(FREQUENCIES),
            true,
        ),
        field(
            "generations",
            &["世代数", "Generations kept", "保管世代"],
            FieldKind::Number,
            false,
        ),
        FieldSpec::new(
            "media",
            &["媒体", "Media", "保存先", "保管媒体"],
            FieldKind::Choice(MEDIA),
            true,
            true,
        ),
        field(
            "offline",
            &[
                "オフライン保管",
                "Kept offline",
                "ネットワークから切り離し",
                "オフライン",
            ],
            FieldKind::Flag,
            true,
        ),
        field(
            "offsite",
            &["遠隔地保管", "Kept offsite", "別の建物", "オフサイト"],
            FieldKind::Flag,
            true,
        ),
        field(
            "encrypted",
            &["暗号化", "Encrypted"],
            FieldKind::Flag,
            false,
        ),
        text("location", &["保管場所", "Where kept", "保管先"]),
        field(
            "last_success",
            &["最終成功日", "Last successful backup", "最終取得日"],
            FieldKind::Date,
            true,
        ),
        field(
            "restore_tested_on",
            &[
                "復元テスト日",
                "Last restore test",
                "リストア訓練日",
                "復旧テスト日",
            ],
            FieldKind::Date,
            true,
        ),
        field(
            "restore_result",
            &["復元テスト結果", "Restore test result", "リストア結果"],
            FieldKind::Choice(RESTORE_RESULTS),
            false,
        ),
        text(
            "restore_tested_by",
            &["復元テスト実施者", "Restore tested by", "実施者"],
        ),
        field(
            "restore_procedure",
            &["復元手順書", "Restore procedure", "手順書", "リストア手順"],
            FieldKind::LongText,
            false,
        ),
        field(
            "priority",
            &["復旧優先度", "Recovery priority", "優先度"],
            FieldKind::Choice(PRIORITIES),
            false,
        ),
        field(
            "rto_hours",
            &["RTO（時間）", "RTO (hours)", "目標復旧時間", "RTO"],
            FieldKind::Number,
            false,
        ),
        field(
            "rpo_hours",
            &["RPO（時間）", "RPO (hours)", "目標復旧時点", "RPO"],
            FieldKind::Number,
            false,
        ),
        field(
            "notes",
            &["備考", "Notes", "メモ"],
            FieldKind::LongText,
            false,
        ),
    ],
};

/// A copy is offline when it is marked so or sits on media kept disconnected by nature.
pub fn is_offline(copy: &Record) -> bool {
    copy.flag("offline") || copy.get("media") == Some("offline_media")
}

/// A copy is away from the building when marked so or held by a cloud or remote server.
pub fn is_offsite(copy: &Record) -> bool {
    copy.flag("offsite") || matches!(copy.get("media"), Some("cloud" | "offsite"))
}

/// The evaluation of one system's backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Copies of the data: the live data plus each backup.
    pub copies: usize,
    /// Distinct media types, the live data counting as online disk.
    pub media_types: usize,
    pub offline: bool,
    pub offsite: bool,
    /// Three copies, on two media types, one of them offsite or offline.
    pub three_two_one: bool,
    pub last_success: Option<NaiveDate>,
    /// The latest restore test that succeeded.
    pub restore_tested_on: Option<NaiveDate>,
    /// A successful restore test within the last 12 months.
    pub restore_recent: bool,
    /// The latest restore test failed (or only partly succeeded) and none succeeded since.
    pub restore_failed: bool,
}

/// Evaluates the backups of one system (its register rows) on `today`.
pub fn evaluate(copies: &[&Record], today: NaiveDate) -> Evaluation {
    let mut media: Vec<&str> = copies.iter().filter_map(|c| c.get("media")).collect();
    media.push("online_disk");
    media.sort_unstable();
    media.dedup();
    let offline = copies.iter().any(|c| is_offline(c));
    let offsite = copies.iter().any(|c| is_offsite(c));
    let count = copies.len() + 1;
    let succeeded = |c: &&&Record| c.get("restore_result").is_none_or(|r| r == "success");
    let restore_tested_on = copies
        .iter()
        .filter(succeeded)
        .filter_map(|c| c.date("restore_tested_on"))
        .max();
    let last_failure = copies
        .iter()
        .filter(|c| !succeeded(c))
        .filter_map(|c| c.date("restore_tested_on"))
        .max();
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    Evaluation {
        copies: count,
        media_types: media.len(),
        offline,
        offsite,
        three_two_one: count >= 3 && media.len() >= 2 && (offline || offsite),
        last_success: copies.iter().filter_map(|c| c.date("last_success")).max(),
        restore_tested_on,
        restore_recent: restore_tested_on.is_some_and(|d| d >= year_ago && d <= today),
        restore_failed: last_failure.is_some_and(|f| restore_tested_on.is_none_or(|s| f > s)),
    }
}

/// The backups of each named system: (system name, its rows), systems without backups included.
pub fn by_system<'a, T>(
    systems: &[String],
    backups: &'a [T],
    record: impl Fn(&'a T) -> &'a Record,
) -> Vec<(String, Vec<&'a T>)> {
    let mut out: Vec<(String, Vec<&'a T>)> =
        systems.iter().map(|s| (s.clone(), Vec::new())).collect();
    for backup in backups {
        let name = record(backup).get("system").unwrap_or("").to_string();
        match out
            .iter_mut()
            .find(|(s, _)| search_key(s) == search_key(&name))
        {
            Some((_, rows)) => rows.push(backup),
            None => out.push((name, vec![backup])),
        }
    }
    out
}

#[cfg(test)]
mod tests;
