//! The cyber-attack BCP confirmation table (サイバー攻撃を想定したBCP策定の確認表, checklist 3-(3)) as
//! catalogue data with verification flags, the facility's answers to it, and drills (訓練).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::ledger::register::{
    Choice, FieldKind, FieldSpec, Record, RegisterGroup, RegisterKind, RegisterSpec,
};
use crate::ledger::registers::{field, key_field, text};

/// The catalogue (catalog/bcp/*.yaml, schema in docs/catalog.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BcpCatalog {
    pub schema: u32,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Phase {
    pub no: String,
    pub name: String,
    #[serde(default)]
    pub name_verified: bool,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// Null when not found — never invented.
    pub title: Option<String>,
    #[serde(default)]
    pub title_verified: bool,
    #[serde(default)]
    pub title_note: Option<String>,
    #[serde(default)]
    pub guide_summary_ja: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub checks: Vec<Check>,
}

/// One question of the table, answered by the facility.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    /// Stable key, e.g. "1-2.1".
    pub key: String,
    pub text: String,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// The table shipped in the binary (catalog/bcp/bcp-facility.yaml, generated from the reference
/// by scripts/bcp_from_reference.py). Embedded at compile time; a broken file fails the tests.
// The file is part of the binary and checked by the tests, so a failure here is a build defect.
#[allow(clippy::expect_used)]
pub fn catalog() -> &'static BcpCatalog {
    static CATALOG: std::sync::OnceLock<BcpCatalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        parse(include_str!("../../../../catalog/bcp/bcp-facility.yaml"))
            .expect("the embedded BCP catalogue is valid (checked by tests)")
    })
}

/// Reads a BCP catalogue and refuses one with problems (listed in the error).
pub fn parse(text: &str) -> Result<BcpCatalog, String> {
    let catalog: BcpCatalog = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let problems = catalog.problems();
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems.join("; "))
    }
}

impl BcpCatalog {
    pub fn checks(&self) -> impl Iterator<Item = (&Phase, &Item, &Check)> {
        self.phases.iter().flat_map(|p| {
            p.items
                .iter()
                .flat_map(move |i| i.checks.iter().map(move |c| (p, i, c)))
        })
    }

    pub fn check(&self, key: &str) -> Option<(&Phase, &Item, &Check)> {
        self.checks().find(|(_, _, c)| c.key == key)
    }

    /// Problems that make the catalogue unusable: (what, where).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.schema != 1 {
            problems.push(format!("schema {} (expected 1)", self.schema));
        }
        if self.kind != "bcp" {
            problems.push(format!("kind {} (expected bcp)", self.kind));
        }
        let mut seen = std::collections::HashSet::new();
        for (_, item, check) in self.checks() {
            if !seen.insert(check.key.as_str()) {
                problems.push(format!("duplicate key {}", check.key));
            }
            if !check.key.starts_with(&format!("{}.", item.id)) {
                problems.push(format!("key {} outside item {}", check.key, item.id));
            }
            if check.text.trim().is_empty() {
                problems.push(format!("{} has no text", check.key));
            }
        }
        if seen.is_empty() {
            problems.push("no checks".into());
        }
        problems
    }
}

/// How far the facility is with one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BcpStatus {
    Done,
    Partial,
    NotDone,
}

impl BcpStatus {
    pub const ALL: [BcpStatus; 3] = [BcpStatus::Done, BcpStatus::Partial, BcpStatus::NotDone];

    pub fn code(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Partial => "partial",
            Self::NotDone => "not_done",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let text = crate::validation::search_key(text);
        Self::ALL.into_iter().find(|s| {
            s.code() == text
                || crate::validation::search_key(s.label(Lang::Ja)) == text
                || crate::validation::search_key(s.label(Lang::En)) == text
        })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Done => lang.pick("できている", "In place"),
            Self::Partial => lang.pick("一部できている", "Partly"),
            Self::NotDone => lang.pick("できていない", "Not yet"),
        }
    }
}

/// Progress over the catalogue: (answered, done, total).
pub fn progress<'a>(
    catalog: &BcpCatalog,
    statuses: impl Fn(&str) -> Option<BcpStatus> + 'a,
) -> (usize, usize, usize) {
    let mut answered = 0;
    let mut done = 0;
    let mut total = 0;
    for (_, _, check) in catalog.checks() {
        total += 1;
        match statuses(&check.key) {
            Some(BcpStatus::Done) => {
                answered += 1;
                done += 1
            }
            Some(_) => answered += 1,
            None => {}
        }
    }
    (answered, done, total)
}

pub const DRILL_KINDS: &[Choice] = &[
    ("tabletop", "机上訓練", "Tabletop exercise"),
    ("practical", "実地訓練", "Practical drill"),
    ("contact", "連絡訓練", "Contact drill"),
    ("restore", "復旧（リストア）訓練", "Restore drill"),
    ("other", "その他", "Other"),
];

pub const FOLLOW_UP_STATUS: &[Choice] = &[
    ("open", "対応中", "Open"),
    ("done", "完了", "Done"),
    ("none", "なし", "None"),
];

pub const DRILLS: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Drills,
    group: RegisterGroup::Preparedness,
    slug: "drills",
    entity: "drill",
    title_ja: "訓練",
    title_en: "Drills",
    key_field: "title",
    fields: &[
        key_field("title", &["訓練名", "Drill", "名称", "title"]),
        FieldSpec::new(
            "held_on",
            &["実施日", "Held on", "日付", "訓練日"],
            FieldKind::Date,
            true,
            true,
        ),
        field(
            "kind",
            &["種類", "Kind", "訓練の種類"],
            FieldKind::Choice(DRILL_KINDS),
            true,
        ),
        field(
            "scenario",
            &["想定シナリオ", "Scenario", "シナリオ", "想定"],
            FieldKind::LongText,
            false,
        ),
        text("participants", &["参加者", "Participants", "参加部署"]),
        field(
            "lessons",
            &["分かったこと・課題", "What was learned", "課題", "反省点"],
            FieldKind::LongText,
            false,
        ),
        field(
            "follow_up",
            &["改善策", "Follow-up actions", "フォローアップ"],
            FieldKind::LongText,
            false,
        ),
        field(
            "follow_up_status",
            &["改善策の状況", "Follow-up status", "対応状況"],
            FieldKind::Choice(FOLLOW_UP_STATUS),
            true,
        ),
        field(
            "notes",
            &["備考", "Notes", "メモ"],
            FieldKind::LongText,
            false,
        ),
    ],
};

/// The latest drill held on or before `today`.
pub fn last_drill<'a>(
    drills: impl IntoIterator<Item = &'a Record>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    drills
        .into_iter()
        .filter_map(|d| d.date("held_on"))
        .filter(|d| *d <= today)
        .max()
}

/// A drill about once a year (診療録管理体制加算): one held within the last 12 months.
pub fn drill_recent(last: Option<NaiveDate>, today: NaiveDate) -> bool {
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    last.is_some_and(|d| d >= year_ago)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_drill_counts_for_twelve_months_and_future_ones_do_not() {
        let drill = |d: &str| Record {
            values: [("held_on".to_string(), d.to_string())].into(),
        };
        let today = day("2026-11-21");
        let held = [drill("2025-11-21"), drill("2027-01-10")];
        let last = last_drill(&held, today);
        assert_eq!(last, Some(day("2025-11-21")));
        assert!(drill_recent(last, today));
        assert!(!drill_recent(last, day("2026-11-22")));
        assert!(!drill_recent(None, today));
    }

    #[test]
    fn the_embedded_catalogue_has_five_phases_and_keeps_verification_flags() {
        let catalog = catalog();
        let phases: Vec<&str> = catalog.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(phases, ["平時", "検知", "初動対応", "復旧処理", "事後対応"]);
        let (verified, unverified): (Vec<_>, Vec<_>) =
            catalog.checks().partition(|(_, _, c)| c.verified);
        assert!(verified.len() >= 11, "1-1 ×4, 1-2 ×3, 3-4, 5-2..5-5");
        assert!(
            unverified.iter().all(|(_, _, c)| c.note.is_some()),
            "every unverified text says why"
        );
        let (_, item, check) = catalog.check("1-2.1").unwrap();
        assert!(check.verified && item.title_verified);
        assert!(check.text.contains("連絡体制図"));
        assert!(parse("schema: 2\nkind: bcp\ntitle: x\nphases: []")
            .unwrap_err()
            .contains("schema 2"));
    }

    #[test]
    fn statuses_parse_from_codes_and_labels() {
        assert_eq!(BcpStatus::parse("一部できている"), Some(BcpStatus::Partial));
        assert_eq!(BcpStatus::parse("done"), Some(BcpStatus::Done));
        assert_eq!(BcpStatus::parse("たぶん"), None);
    }
}
