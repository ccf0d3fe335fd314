//! The account ledger (ID台帳) of an information system: its fields as a register spec (so files
//! are read, validated and written like the other ledgers) and the typed account the rules,
//! matching and imports work with.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::privileges::Privileges;
use crate::ledger::register::{
    Choice, FieldKind, FieldSpec, Record, RegisterGroup, RegisterKind, RegisterSpec,
};
use crate::validation::search_key;

/// Statuses, then aliases the systems' exports use (the first entry of a code is its label).
pub const ACCOUNT_STATUS: &[Choice] = &[
    ("active", "有効", "Active"),
    ("suspended", "停止", "Suspended"),
    ("deleted", "削除済", "Deleted"),
    ("active", "利用中", "Enabled"),
    ("active", "使用中", "Valid"),
    ("active", "○", "1"),
    ("suspended", "無効", "Disabled"),
    ("suspended", "利用停止", "Locked"),
    ("suspended", "ロック", "0"),
    ("deleted", "削除", "Removed"),
    // The words systems' user exports write (PACS, EHR, lab systems), seen in real lists.
    ("active", "利用可", "Y"),
    ("active", "使用可", "true"),
    ("active", "〇", "yes"),
    ("active", "可", "enabled"),
    ("active", "有効中", "valid"),
    ("suspended", "利用不可", "N"),
    ("suspended", "使用不可", "false"),
    ("suspended", "ロック中", "no"),
    ("suspended", "×", "locked out"),
    ("suspended", "✕", "inactive"),
    ("suspended", "不可", "lock"),
    ("suspended", "停止中", "suspend"),
    ("suspended", "休止", "dormant"),
    ("deleted", "削除済み", "deleted account"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AccountStatus {
    Active,
    Suspended,
    Deleted,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 3] = [Self::Active, Self::Suspended, Self::Deleted];

    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self, lang: crate::i18n::Lang) -> String {
        super::choice_label(ACCOUNT_STATUS, self.code(), lang)
    }
}

/// How the owner of an account is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum OwnerState {
    /// No owner found.
    Unknown,
    /// The system's export named the staff number(s).
    File,
    /// Found by staff number in the login ID (certain).
    Matched,
    /// Found by name only: a person must confirm it.
    Suggested,
    /// Confirmed (or set) by a person.
    Confirmed,
}

impl OwnerState {
    pub const ALL: [OwnerState; 5] = [
        Self::Unknown,
        Self::File,
        Self::Matched,
        Self::Suggested,
        Self::Confirmed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::File => "file",
            Self::Matched => "matched",
            Self::Suggested => "suggested",
            Self::Confirmed => "confirmed",
        }
    }

    pub fn parse(code: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .unwrap_or(Self::Unknown)
    }

    /// Whether the owners can be relied on (a suggestion cannot until confirmed).
    pub fn is_certain(self) -> bool {
        matches!(self, Self::File | Self::Matched | Self::Confirmed)
    }

    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            Self::Unknown => lang.pick("不明", "Unknown"),
            Self::File => lang.pick("取込ファイル", "From the export"),
            Self::Matched => lang.pick("職員番号で照合", "Matched by staff number"),
            Self::Suggested => lang.pick("氏名で推定（要確認）", "Guessed by name (confirm)"),
            Self::Confirmed => lang.pick("確認済み", "Confirmed"),
        }
    }
}

/// Every account field is a column of the list.
const fn field(
    key: &'static str,
    titles: &'static [&'static str],
    kind: FieldKind,
    required: bool,
) -> FieldSpec {
    FieldSpec::new(key, titles, kind, required, true)
}

/// The columns of an account ledger. Titles double as the automatic column mapping for exports
/// whose headers use common names; other exports are read with a saved mapping.
pub const ACCOUNTS: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Accounts,
    group: RegisterGroup::Ledger,
    slug: "accounts",
    entity: "account",
    title_ja: "ID台帳",
    title_en: "Account ledger",
    key_field: "login_id",
    fields: &[
        field(
            "login_id",
            &[
                "利用者ID",
                "Login ID",
                "ログインID",
                "ユーザID",
                "ユーザーID",
                "ID",
                "user id",
                "username",
            ],
            FieldKind::Text,
            true,
        ),
        field(
            "display_name",
            &[
                "利用者名",
                "Display name",
                "ユーザ名",
                "ユーザー名",
                "氏名",
                "名前",
                "name",
            ],
            FieldKind::Text,
            false,
        ),
        field(
            "owners",
            &[
                "職員番号",
                "Staff number",
                "職員コード",
                "社員番号",
                "staff no",
                "employee number",
            ],
            FieldKind::StaffNumbers,
            false,
        ),
        field(
            "role",
            &["ロール", "Role", "権限名", "利用者区分", "権限グループ"],
            FieldKind::Text,
            false,
        ),
        field(
            "privileges",
            &[
                "権限（情報区分）",
                "Privileges",
                "権限",
                "アクセス権",
                "privilege",
            ],
            FieldKind::Privileges,
            false,
        ),
        field(
            "privileged",
            &["管理者権限", "Administrator", "特権", "admin"],
            FieldKind::Flag,
            false,
        ),
        field(
            "status",
            &[
                "状態",
                "Status",
                "ステータス",
                "有効/無効",
                "利用状態",
                "利用可否",
                "有効フラグ",
                "アカウント状態",
            ],
            FieldKind::Choice(ACCOUNT_STATUS),
            false,
        ),
        field(
            "created_on",
            &[
                "作成日",
                "Created on",
                "登録日",
                "発行日",
                "作成日時",
                "登録日時",
                "created",
            ],
            FieldKind::Date,
            false,
        ),
        field(
            "last_sign_in_on",
            &[
                "最終ログイン日",
                "Last sign-in",
                "最終ログイン",
                "最終ログイン日時",
                "最終利用日時",
                "最終アクセス日時",
                "最終利用日",
                "last login",
            ],
            FieldKind::Date,
            false,
        ),
        field(
            "expires_on",
            &["有効期限", "Expires on", "利用期限", "期限", "expiry"],
            FieldKind::Date,
            false,
        ),
    ],
};

/// How a file maps onto a ledger: field key → the file's column title, and the file's own words
/// for choices ([`ValueMapping`]). Saved per system (accounts) or file shape (ledgers), so the
/// next file of the same kind imports without asking.
///
/// In JSON it is one object, field → title, with the words under `"values"` (field → {word →
/// the ledger's word}): `{"status": "状態", "values": {"status": {"ACTV": "有効"}}}`. An object
/// of titles alone, as earlier versions wrote, reads as before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping(
    pub std::collections::BTreeMap<String, String>,
    pub crate::ledger::values::ValueMapping,
);

impl ColumnMapping {
    /// A mapping of columns only.
    pub fn columns(columns: std::collections::BTreeMap<String, String>) -> Self {
        ColumnMapping(columns, Default::default())
    }
}

/// The key under which a mapping's JSON holds its words (no ledger has a field of that name).
const VALUES_KEY: &str = "values";

impl serde::Serialize for ColumnMapping {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let words = !self.1.is_empty();
        let mut map = serializer.serialize_map(Some(self.0.len() + usize::from(words)))?;
        for (field, title) in &self.0 {
            map.serialize_entry(field, title)?;
        }
        if words {
            map.serialize_entry(VALUES_KEY, &self.1 .0)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for ColumnMapping {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        type Words = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>;
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Entry {
            Title(String),
            Words(Words),
        }
        let entries = std::collections::BTreeMap::<String, Entry>::deserialize(deserializer)?;
        let mut mapping = ColumnMapping::default();
        for (key, entry) in entries {
            match entry {
                Entry::Title(title) => {
                    mapping.0.insert(key, title);
                }
                Entry::Words(words) if key == VALUES_KEY => {
                    for (field, words) in words {
                        for (word, to) in words {
                            mapping.1.set(&field, &word, &to);
                        }
                    }
                }
                Entry::Words(_) => {
                    return Err(serde::de::Error::custom(format!(
                        "「{key}」の値は列名（文字列）にしてください / the value of \"{key}\" must be a column title"
                    )))
                }
            }
        }
        Ok(mapping)
    }
}

/// An account of one system.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub id: i64,
    pub system: String,
    pub login_id: String,
    pub display_name: String,
    /// Staff numbers of the people it belongs to; two or more make it a shared account.
    pub owners: Vec<String>,
    pub owner_state: OwnerState,
    pub role: String,
    pub privileges: Privileges,
    pub privileged: bool,
    pub status: AccountStatus,
    pub created_on: Option<NaiveDate>,
    pub last_sign_in_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Account {
    /// An account from a validated record of [`ACCOUNTS`] (status defaults to active).
    pub fn from_record(system: &str, record: &Record) -> Account {
        let owners = split_list(record.get("owners").unwrap_or(""));
        Account {
            id: 0,
            system: system.to_string(),
            login_id: record.get("login_id").unwrap_or("").to_string(),
            display_name: record.get("display_name").unwrap_or("").to_string(),
            owner_state: if owners.is_empty() {
                OwnerState::Unknown
            } else {
                OwnerState::File
            },
            owners,
            role: record.get("role").unwrap_or("").to_string(),
            privileges: Privileges::parse(record.get("privileges").unwrap_or(""))
                .unwrap_or_default(),
            privileged: record.get("privileged") == Some("yes"),
            status: record
                .get("status")
                .and_then(AccountStatus::parse)
                .unwrap_or(AccountStatus::Active),
            created_on: record.date("created_on"),
            last_sign_in_on: record.date("last_sign_in_on"),
            expires_on: record.date("expires_on"),
        }
    }

    /// The account as a record of [`ACCOUNTS`], for exports and forms.
    pub fn to_record(&self) -> Record {
        let mut values = std::collections::BTreeMap::new();
        let mut put = |key: &str, value: String| {
            if !value.is_empty() {
                values.insert(key.to_string(), value);
            }
        };
        let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        put("login_id", self.login_id.clone());
        put("display_name", self.display_name.clone());
        put("owners", self.owners.join(", "));
        put("role", self.role.clone());
        put("privileges", self.privileges.to_code());
        put(
            "privileged",
            if self.privileged { "yes" } else { "no" }.into(),
        );
        put("status", self.status.code().into());
        put("created_on", iso(self.created_on));
        put("last_sign_in_on", iso(self.last_sign_in_on));
        put("expires_on", iso(self.expires_on));
        Record { values }
    }

    /// The login ID in the form it is unique in (NFKC, lower case).
    pub fn key(&self) -> String {
        search_key(&self.login_id)
    }

    pub fn is_active(&self) -> bool {
        self.status == AccountStatus::Active
    }

    /// What an export states about the account, apart from sign-in dates (which change daily
    /// and are not a change anyone needs to review).
    fn stated(&self) -> impl PartialEq + '_ {
        (
            &self.display_name,
            &self.role,
            &self.privileges,
            self.privileged,
            self.status,
            self.created_on,
            self.expires_on,
        )
    }
}

/// What an import of a system's user export does to its ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountChanges {
    /// Login IDs new to the ledger.
    pub created: Vec<String>,
    /// Login IDs whose name, role, rights, expiry, owner or status changed (other than disabling).
    pub changed: Vec<String>,
    /// Login IDs that were active and are now suspended or deleted — by the export's status,
    /// or because the export no longer lists them (then 削除済).
    pub disabled: Vec<String>,
    /// Login IDs whose only change is a newer sign-in date.
    pub sign_ins: Vec<String>,
    pub unchanged: usize,
    /// The accounts to write: (existing id or 0, new state).
    pub writes: Vec<(i64, Account)>,
}

impl AccountChanges {
    /// Compares a full export of the system's users with its ledger. An export without owner
    /// numbers keeps the owners the ledger already knows.
    pub fn between(existing: &[Account], incoming: &[Account]) -> AccountChanges {
        let mut changes = AccountChanges::default();
        let by_key: HashMap<String, &Account> = existing.iter().map(|a| (a.key(), a)).collect();
        let mut seen = std::collections::HashSet::new();
        for new in incoming {
            let key = new.key();
            seen.insert(key.clone());
            let Some(old) = by_key.get(&key) else {
                changes.created.push(new.login_id.clone());
                changes.writes.push((0, new.clone()));
                continue;
            };
            let mut next = new.clone();
            next.id = old.id;
            if next.owners.is_empty() {
                next.owners = old.owners.clone();
                next.owner_state = old.owner_state;
            } else if next.owners == old.owners && old.owner_state == OwnerState::Confirmed {
                next.owner_state = OwnerState::Confirmed;
            }
            let owners_changed = next.owners != old.owners;
            if old.is_active() && !next.is_active() {
                changes.disabled.push(next.login_id.clone());
            } else if old.stated() != next.stated() || owners_changed {
                changes.changed.push(next.login_id.clone());
            } else if old.last_sign_in_on != next.last_sign_in_on {
                changes.sign_ins.push(next.login_id.clone());
            } else {
                changes.unchanged += 1;
                continue;
            }
            changes.writes.push((old.id, next));
        }
        for old in existing {
            if seen.contains(&old.key()) || old.status == AccountStatus::Deleted {
                continue;
            }
            if old.is_active() {
                changes.disabled.push(old.login_id.clone());
            } else {
                changes.changed.push(old.login_id.clone());
            }
            let mut gone = old.clone();
            gone.status = AccountStatus::Deleted;
            changes.writes.push((old.id, gone));
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(login: &str, status: AccountStatus) -> Account {
        Account {
            id: 0,
            system: "電子カルテ".into(),
            login_id: login.into(),
            display_name: String::new(),
            owners: Vec::new(),
            owner_state: OwnerState::Unknown,
            role: "医師".into(),
            privileges: Privileges::default(),
            privileged: false,
            status,
            created_on: None,
            last_sign_in_on: None,
            expires_on: None,
        }
    }

    #[test]
    fn a_second_export_reports_created_changed_disabled_and_keeps_known_owners() {
        let mut a = account("d001", AccountStatus::Active);
        a.id = 1;
        a.owners = vec!["001".into()];
        a.owner_state = OwnerState::Confirmed;
        let mut b = account("d002", AccountStatus::Active);
        b.id = 2;
        let mut c = account("d003", AccountStatus::Active);
        c.id = 3;
        let mut d = account("d004", AccountStatus::Active);
        d.id = 4;
        let mut e = account("d005", AccountStatus::Suspended);
        e.id = 5;
        let existing = vec![a.clone(), b.clone(), c.clone(), d.clone(), e];

        let mut a2 = account("D001", AccountStatus::Active);
        a2.last_sign_in_on = NaiveDate::from_ymd_opt(2026, 11, 1);
        let mut b2 = account("d002", AccountStatus::Active);
        b2.role = "研修医".into();
        let c2 = account("d003", AccountStatus::Suspended);
        let new = account("d006", AccountStatus::Active);
        let changes = AccountChanges::between(&existing, &[a2, b2, c2, new]);
        assert_eq!(changes.created, ["d006"]);
        assert_eq!(
            changes.changed,
            ["d002", "d005"],
            "d005 was suspended, now gone"
        );
        assert_eq!(changes.disabled, ["d003", "d004"]);
        assert_eq!(changes.sign_ins, ["D001"]);
        assert_eq!(changes.unchanged, 0);
        let kept = &changes.writes.iter().find(|(id, _)| *id == 1).unwrap().1;
        assert_eq!(kept.owners, ["001"]);
        assert_eq!(kept.owner_state, OwnerState::Confirmed);
        let gone = &changes.writes.iter().find(|(id, _)| *id == 4).unwrap().1;
        assert_eq!(gone.status, AccountStatus::Deleted);

        let same = AccountChanges::between(&existing[..1], &existing[..1]);
        assert_eq!(same.unchanged, 1);
        assert!(same.writes.is_empty());
    }

    #[test]
    fn records_round_trip() {
        let mut a = account("nurse01", AccountStatus::Suspended);
        a.owners = vec!["100".into(), "101".into()];
        a.owner_state = OwnerState::File;
        a.privileges = Privileges::parse("看護:更新,画像:参照").unwrap();
        a.expires_on = NaiveDate::from_ymd_opt(2027, 3, 31);
        assert_eq!(Account::from_record("電子カルテ", &a.to_record()), a);
    }
}
