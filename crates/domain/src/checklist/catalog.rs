//! The checklist catalogue: editions by fiscal year and form, each item with its wording and how
//! far that wording is verified. Editions are data (catalog/checklist/*.yaml, docs/catalog.md);
//! this module is their model and validation.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::validation::{Issue, Issues};

/// Which of MHLW's forms an edition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// 医療機関確認用 (hospitals, clinics, midwifery homes).
    Facility,
    /// 薬局確認用.
    Pharmacy,
    /// 事業者確認用, one per vendor and system.
    Vendor,
}

impl Form {
    pub const ALL: [Form; 3] = [Form::Facility, Form::Pharmacy, Form::Vendor];

    pub fn code(self) -> &'static str {
        match self {
            Form::Facility => "facility",
            Form::Pharmacy => "pharmacy",
            Form::Vendor => "vendor",
        }
    }

    pub fn parse(text: &str) -> Option<Form> {
        Self::ALL
            .into_iter()
            .find(|f| f.code() == text || f.label(Lang::Ja) == text)
    }

    /// A facility's own form: 薬局確認用 for pharmacies, else 医療機関確認用.
    pub fn own(kind: crate::facility::FacilityKind) -> Form {
        if kind == crate::facility::FacilityKind::Pharmacy {
            Form::Pharmacy
        } else {
            Form::Facility
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Form::Facility => lang.pick("医療機関確認用", "Facility form"),
            Form::Pharmacy => lang.pick("薬局確認用", "Pharmacy form"),
            Form::Vendor => lang.pick("事業者確認用", "Vendor form"),
        }
    }
}

/// How far an item's wording is checked against MHLW's original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStatus {
    /// The same wording was seen in a copy of MHLW's material.
    Verified,
    /// Seen in MHLW's manual under a heading naming this form; the form itself was not seen.
    ManualHeading,
    /// Quoted identically by one secondary source only.
    SecondarySingle,
    /// Not checked, reconstructed or borrowed from another form: confirm against the original.
    Unverified,
}

impl TextStatus {
    /// Whether the wording was seen in a source (anything but unverified).
    pub fn is_sourced(self) -> bool {
        self != TextStatus::Unverified
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::ManualHeading => "manual_heading",
            Self::SecondarySingle => "secondary_single",
            Self::Unverified => "unverified",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Verified => lang.pick("文言確認済み", "Wording verified"),
            Self::ManualHeading => lang.pick(
                "マニュアルで確認（様式原本は未確認）",
                "Seen in the manual (form itself not seen)",
            ),
            Self::SecondarySingle => {
                lang.pick("二次資料1件で確認", "Quoted by one secondary source")
            }
            Self::Unverified => lang.pick(
                "文言未確認 — 原本で確認してください",
                "Wording unverified — check the original",
            ),
        }
    }
}

/// Which devices an item concerns (the form's columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    AllSystems,
    Server,
    Pc,
    Network,
}

impl Scope {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::AllSystems => lang.pick("医療情報システム全般", "All systems"),
            Self::Server => lang.pick("サーバ", "Servers"),
            Self::Pc => lang.pick("端末PC", "PCs"),
            Self::Network => lang.pick("ネットワーク機器", "Network devices"),
        }
    }
}

/// When an item must be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Only when item 0 (医療情報システムを導入、運用している) is answered はい.
    HasSystem,
    /// Only when the facility has contracts with vendors (2-(2)).
    VendorContract,
}

/// Whether the item is a formal item of that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mandatory {
    Required,
    /// 参考項目 (R5: to be met in the following year).
    Reference,
    /// Differs by device kind.
    Partial,
    /// Goal to be met by FY2027 (令和9年度).
    TargetR9,
    Unknown,
}

/// Where an edition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Built from public sources and shipped with Mimamori.
    Official,
    /// Imported from a file by an administrator.
    Imported,
    /// Copied from an earlier edition and edited by the facility (e.g. a new year before its
    /// verified text ships).
    FacilityMaintained,
}

impl Origin {
    pub fn code(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Imported => "imported",
            Self::FacilityMaintained => "facility_maintained",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Official => lang.pick("公開資料から作成（同梱）", "Built from public sources"),
            Self::Imported => lang.pick("ファイルから取込", "Imported"),
            Self::FacilityMaintained => lang.pick(
                "施設で管理する版（公式文言ではありません）",
                "Facility-maintained (not official wording)",
            ),
        }
    }
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable key across editions (answers and roll-over follow it).
    pub key: String,
    /// The number as printed, e.g. "2-(1)"; None when not known.
    pub number: Option<String>,
    #[serde(default)]
    pub number_verified: bool,
    pub section: Option<String>,
    /// The official wording; None when it was not found (never invented).
    pub text: Option<String>,
    pub text_status: TextStatus,
    #[serde(default)]
    pub text_note: Option<String>,
    #[serde(default)]
    pub scope: Vec<Scope>,
    #[serde(default)]
    pub guideline_refs: Vec<String>,
    #[serde(default)]
    pub guideline_refs_verified: bool,
    /// Our own explanation (not MHLW's text).
    #[serde(default)]
    pub explanation_ja: Option<String>,
    #[serde(default)]
    pub applies_when: Vec<Condition>,
    /// Whether 該当なし may be answered.
    #[serde(default)]
    pub allow_not_applicable: bool,
    pub mandatory: Mandatory,
    #[serde(default)]
    pub sources: Vec<String>,
}

impl Item {
    /// The number to show: the printed number, or a mark that it is unknown.
    pub fn display_number(&self, lang: Lang) -> String {
        match &self.number {
            Some(n) if self.number_verified => n.clone(),
            Some(n) => format!("{n}{}", lang.pick("（番号未確認）", " (number unverified)")),
            None => lang.pick("番号未確認", "number unknown").to_string(),
        }
    }

    /// The wording to show; a clear placeholder when it was not found.
    pub fn display_text(&self, lang: Lang) -> String {
        self.text.clone().unwrap_or_else(|| {
            lang.pick(
                "（文言未取得 — 原本の文言を確認して記入してください）",
                "(wording not found — check the original form)",
            )
            .to_string()
        })
    }
}

/// One edition: a fiscal year's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edition {
    pub schema: u32,
    pub kind: String,
    /// "R7" etc.
    pub edition: String,
    pub fiscal_year: i32,
    pub form: Form,
    pub title: String,
    pub origin: Origin,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    pub items: Vec<Item>,
}

impl Edition {
    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// Checks what the schema cannot: kind, schema version, year range, unique keys and numbers.
    pub fn validate(&self) -> Result<(), Issues> {
        let mut issues = Issues::default();
        if self.schema != 1 {
            issues.push(Issue::new("schema", "catalog_schema").with("value", self.schema));
        }
        if self.kind != "checklist" {
            issues.push(Issue::new("kind", "catalog_kind").with("value", &self.kind));
        }
        if !(2020..=2100).contains(&self.fiscal_year) {
            issues.push(Issue::new("fiscal_year", "catalog_fiscal_year"));
        }
        if self.items.is_empty() {
            issues.push(Issue::new("items", "catalog_no_items"));
        }
        let mut keys = HashSet::new();
        let mut numbers = HashSet::new();
        for item in &self.items {
            let valid_key = !item.key.is_empty()
                && item
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_key {
                issues.push(Issue::new("items", "catalog_item_key").with("key", &item.key));
            }
            if !keys.insert(item.key.as_str()) {
                issues.push(Issue::new("items", "catalog_duplicate_key").with("key", &item.key));
            }
            if let Some(number) = &item.number {
                if !numbers.insert(number.as_str()) {
                    issues.push(
                        Issue::new("items", "catalog_duplicate_number").with("number", number),
                    );
                }
            }
            if item.text.is_none() && item.text_status.is_sourced() {
                issues.push(
                    Issue::new("items", "catalog_sourced_without_text").with("key", &item.key),
                );
            }
        }
        issues.into_result(())
    }

    /// A new fiscal year's edition copied from this one, marked as facility-maintained: the
    /// wording stays as it was, and every text is marked unverified for the new year.
    pub fn copy_for_year(&self, fiscal_year: i32, edition: &str) -> Edition {
        let mut copy = self.clone();
        copy.fiscal_year = fiscal_year;
        copy.edition = edition.to_string();
        copy.origin = Origin::FacilityMaintained;
        copy.title = format!("{}（{}年度 施設管理版）", self.title, fiscal_year);
        copy.published = None;
        copy.notes = Some(format!(
            "{} を元に施設で作成した版です。公式の文言ではありません。原本と突き合わせて修正してください。",
            self.edition
        ));
        for item in &mut copy.items {
            item.text_status = TextStatus::Unverified;
            item.text_note = Some(format!(
                "{} の文言を引き継いでいます。{}年度版の原本で確認してください。",
                self.edition, fiscal_year
            ));
        }
        copy
    }
}

/// The 和暦 edition code of a fiscal year, e.g. 2026 → "R8".
pub fn edition_code(fiscal_year: i32) -> String {
    format!("R{}", fiscal_year - 2018)
}
