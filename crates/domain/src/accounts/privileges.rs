//! Information categories (情報区分) and access levels. The categories are Mimamori's own default
//! classification of what a hospital system holds; MHLW asks for rights "by job type and by
//! information category" without prescribing the categories.

use std::collections::BTreeMap;

use crate::i18n::Lang;
use crate::ledger::register::Choice;
use crate::validation::{nfkc, search_key};

pub const INFO_CATEGORIES: &[Choice] = &[
    ("patient_profile", "患者基本情報", "Patient profile"),
    ("medical_record", "診療記録（カルテ）", "Medical record"),
    ("orders", "オーダ（処方・検査・注射）", "Orders"),
    ("nursing", "看護記録", "Nursing record"),
    ("test_results", "検査結果", "Test results"),
    ("images", "画像", "Images"),
    ("pharmacy", "調剤・薬剤", "Pharmacy"),
    ("billing", "医事・会計", "Billing"),
    (
        "administration",
        "システム管理（マスタ・利用者）",
        "System administration",
    ),
];

/// Short names accepted in files for the categories, besides code, Japanese and English.
const CATEGORY_ALIASES: &[(&str, &str)] = &[
    ("患者", "patient_profile"),
    ("患者情報", "patient_profile"),
    ("カルテ", "medical_record"),
    ("診療記録", "medical_record"),
    ("診療録", "medical_record"),
    ("オーダ", "orders"),
    ("オーダー", "orders"),
    ("看護", "nursing"),
    ("検査", "test_results"),
    ("薬剤", "pharmacy"),
    ("調剤", "pharmacy"),
    ("医事", "billing"),
    ("会計", "billing"),
    ("システム管理", "administration"),
    ("管理", "administration"),
    ("マスタ", "administration"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    None,
    Read,
    Write,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::None, Level::Read, Level::Write];

    pub fn code(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Read => "read",
            Level::Write => "write",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Level::None => lang.pick("なし", "None"),
            Level::Read => lang.pick("参照", "Read"),
            Level::Write => lang.pick("更新", "Write"),
        }
    }

    /// Codes, Japanese and the letters exports use (R, W, RW, ○).
    pub fn parse(text: &str) -> Option<Level> {
        match search_key(text).as_str() {
            "none" | "なし" | "無" | "-" | "×" | "" => Some(Level::None),
            "read" | "r" | "参照" | "閲覧" | "読取" | "参照のみ" | "ro" => {
                Some(Level::Read)
            }
            "write" | "w" | "rw" | "更新" | "書込" | "書込み" | "更新可" | "編集" | "○" => {
                Some(Level::Write)
            }
            _ => None,
        }
    }
}

/// The category code for a name in a file: code, Japanese, English or a short alias.
pub fn parse_category(text: &str) -> Option<&'static str> {
    let key = search_key(text);
    INFO_CATEGORIES
        .iter()
        .find(|(code, ja, en)| *code == key || search_key(ja) == key || search_key(en) == key)
        .map(|(code, _, _)| *code)
        .or_else(|| {
            CATEGORY_ALIASES
                .iter()
                .find(|(alias, _)| search_key(alias) == key)
                .map(|(_, code)| *code)
        })
}

/// Words administrators' exports write for full rights.
const ADMINISTRATOR_WORDS: &[&str] = &[
    "管理者",
    "システム管理者",
    "admin",
    "administrator",
    "全権",
    "全権限",
];

/// A privilege column holding one word for the whole system, as most systems' exports do: a
/// level alone (`参照`, `更新`) is that level on every category but administration, an
/// administrator word (`管理者`) is write on every category. `None` when it is neither.
fn whole_system(word: &str) -> Option<Vec<(&'static str, Level)>> {
    let key = search_key(word);
    let everything = |level: Level, with_admin: bool| {
        INFO_CATEGORIES
            .iter()
            .filter(|(code, _, _)| with_admin || *code != "administration")
            .map(|(code, _, _)| (*code, level))
            .collect()
    };
    if ADMINISTRATOR_WORDS.iter().any(|w| search_key(w) == key) {
        return Some(everything(Level::Write, true));
    }
    match Level::parse(word)? {
        Level::None => Some(Vec::new()),
        level => Some(everything(level, false)),
    }
}

/// An account's rights: level per information category (categories at `none` are left out).
/// Serialised in its stored form (see [`Privileges::to_code`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", from = "String")]
pub struct Privileges(pub BTreeMap<&'static str, Level>);

impl From<Privileges> for String {
    fn from(privileges: Privileges) -> String {
        privileges.to_code()
    }
}

impl From<String> for Privileges {
    fn from(code: String) -> Privileges {
        Privileges::from_code(&code)
    }
}

/// Why a privileges text could not be read: the part that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeError(pub String);

impl Privileges {
    /// Reads 「診療記録:更新、画像:参照」, `medical_record=write; images=r`, … — a list of
    /// category and level pairs separated by commas, 、, semicolons or new lines.
    pub fn parse(text: &str) -> Result<Privileges, PrivilegeError> {
        let mut map = BTreeMap::new();
        for part in nfkc(text).split([',', '、', ';', '\n', '，']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if !part.contains([':', '=', '：']) {
                if let Some(all) = whole_system(part) {
                    for (category, level) in all {
                        let entry = map.entry(category).or_insert(level);
                        *entry = (*entry).max(level);
                    }
                    continue;
                }
            }
            let (category, level) = part
                .split_once([':', '=', '：'])
                .map(|(c, l)| (c.trim(), l.trim()))
                .unwrap_or((part, "write"));
            let category = parse_category(category).ok_or_else(|| PrivilegeError(part.into()))?;
            let level = Level::parse(level).ok_or_else(|| PrivilegeError(part.into()))?;
            if level > Level::None {
                let entry = map.entry(category).or_insert(level);
                *entry = (*entry).max(level);
            }
        }
        Ok(Privileges(map))
    }

    /// Reads the stored form written by [`Privileges::to_code`] without normalising text (the
    /// fast path for tens of thousands of stored accounts); anything else goes through `parse`.
    pub fn from_code(code: &str) -> Privileges {
        let mut map = BTreeMap::new();
        for part in code.split(',').filter(|p| !p.is_empty()) {
            let known = part.split_once(':').and_then(|(category, level)| {
                let category = INFO_CATEGORIES.iter().find(|(c, _, _)| *c == category)?.0;
                let level = Level::ALL.into_iter().find(|l| l.code() == level)?;
                Some((category, level))
            });
            match known {
                Some((category, level)) => {
                    map.insert(category, level);
                }
                None => return Privileges::parse(code).unwrap_or_default(),
            }
        }
        Privileges(map)
    }

    pub fn level(&self, category: &str) -> Level {
        self.0.get(category).copied().unwrap_or(Level::None)
    }

    /// Stored form: `medical_record:write,images:read` in catalogue order.
    pub fn to_code(&self) -> String {
        INFO_CATEGORIES
            .iter()
            .filter_map(|(code, _, _)| self.0.get(code).map(|l| format!("{code}:{}", l.code())))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// For people and files: 「診療記録（カルテ）:更新、画像:参照」.
    pub fn display(&self, lang: Lang) -> String {
        INFO_CATEGORIES
            .iter()
            .filter_map(|(code, ja, en)| {
                self.0
                    .get(code)
                    .map(|l| format!("{}:{}", lang.pick(ja, en), l.label(lang)))
            })
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_read_japanese_english_and_letters() {
        let p = Privileges::parse("カルテ：更新、画像=R; billing:read,検査").unwrap();
        assert_eq!(p.level("medical_record"), Level::Write);
        assert_eq!(p.level("images"), Level::Read);
        assert_eq!(p.level("billing"), Level::Read);
        assert_eq!(
            p.level("test_results"),
            Level::Write,
            "a bare category means write"
        );
        assert_eq!(p.level("nursing"), Level::None);
        assert_eq!(
            p.to_code(),
            "medical_record:write,test_results:write,images:read,billing:read"
        );
        assert_eq!(Privileges::parse(&p.display(Lang::Ja)).unwrap(), p);
        assert_eq!(Privileges::parse(&p.display(Lang::En)).unwrap(), p);
        assert_eq!(
            Privileges::parse("カルテ:全部").unwrap_err(),
            PrivilegeError("カルテ:全部".into())
        );
        assert!(Privileges::parse("  ").unwrap().is_empty());
        assert_eq!(Privileges::from_code(&p.to_code()), p);
        assert_eq!(
            Privileges::from_code("カルテ:更新").level("medical_record"),
            Level::Write
        );
    }
}
