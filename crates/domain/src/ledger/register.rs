//! Registers: the ledgers around the device ledger (vendors, information systems, cloud services,
//! remote-maintenance connections) described as data — fields with kinds — so that one set of
//! pages, one import and one export serve them all.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::device::parse_flag;
use crate::i18n::Lang;
use crate::jdate::parse_date;
use crate::validation::{nfkc, search_key, Issue, Issues};

/// (code, Japanese, English)
pub type Choice = (&'static str, &'static str, &'static str);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    Flag,
    Email,
    Phone,
    Choice(&'static [Choice]),
    /// A vendor of the vendor register, by name.
    VendorName,
    /// 管理番号 of the device ledger, separated by commas or 、.
    DeviceNumbers,
    /// Staff numbers of the roster, separated by commas or 、.
    StaffNumbers,
    /// Rights by information category (「診療記録:更新、画像:参照」), stored as codes.
    Privileges,
    /// A whole number ≥ 0 (generations, hours), full-width digits accepted.
    Number,
    /// An information system of the systems register, by name.
    SystemName,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub key: &'static str,
    /// Titles in files: the first is the Japanese export title, the second the English label; more are aliases.
    pub titles: &'static [&'static str],
    pub kind: FieldKind,
    pub required: bool,
    /// Shown as a column of the list page.
    pub listed: bool,
}

impl FieldSpec {
    pub const fn new(
        key: &'static str,
        titles: &'static [&'static str],
        kind: FieldKind,
        required: bool,
        listed: bool,
    ) -> Self {
        Self {
            key,
            titles,
            kind,
            required,
            listed,
        }
    }

    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.titles[0],
            Lang::En => self.titles.get(1).copied().unwrap_or(self.titles[0]),
        }
    }

    pub fn choices(&self) -> &'static [Choice] {
        match self.kind {
            FieldKind::Choice(choices) => choices,
            _ => &[],
        }
    }

    /// How a stored value reads for a person (choices and flags in the user's language).
    pub fn display(&self, value: &str, lang: Lang) -> String {
        match self.kind {
            FieldKind::Choice(choices) => choices
                .iter()
                .find(|(code, _, _)| *code == value)
                .map(|(_, ja, en)| lang.pick(ja, en).to_string())
                .unwrap_or_else(|| value.to_string()),
            FieldKind::Flag => match value {
                "yes" => lang.pick("有", "Yes").to_string(),
                "no" => lang.pick("無", "No").to_string(),
                _ => String::new(),
            },
            FieldKind::Privileges => crate::accounts::Privileges::parse(value)
                .map(|p| p.display(lang))
                .unwrap_or_else(|_| value.to_string()),
            _ => value.to_string(),
        }
    }

    /// The value as written to files (Japanese for choices and flags, so Excel users read it).
    pub fn file_value(&self, value: &str) -> String {
        self.display(value, Lang::Ja)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    Vendors,
    Systems,
    CloudServices,
    RemoteMaintenance,
    Staff,
    Accounts,
    Contacts,
    Escalation,
    Backups,
    Drills,
}

/// Where a register belongs in the menus: the ledgers, or incident preparedness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterGroup {
    Ledger,
    Preparedness,
}

#[derive(Debug)]
pub struct RegisterSpec {
    pub kind: RegisterKind,
    pub group: RegisterGroup,
    /// URL segment and CLI name, e.g. `cloud-services`.
    pub slug: &'static str,
    /// Audit-log entity name.
    pub entity: &'static str,
    pub title_ja: &'static str,
    pub title_en: &'static str,
    /// The field that identifies a record within a facility (matching key of imports).
    pub key_field: &'static str,
    pub fields: &'static [FieldSpec],
}

impl RegisterSpec {
    pub fn title(&self, lang: Lang) -> &'static str {
        lang.pick(self.title_ja, self.title_en)
    }

    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Validates raw values (form fields, file cells) into a record; warnings do not block.
    pub fn validate(
        &self,
        raw: &BTreeMap<String, String>,
        references: &References,
    ) -> Result<Checked, Issues> {
        let mut issues = Issues::default();
        let mut warnings = Vec::new();
        let mut values = BTreeMap::new();
        for field in self.fields {
            let text = raw.get(field.key).map(|v| v.trim()).unwrap_or("");
            if text.is_empty() {
                if field.required {
                    issues.push(Issue::new(field.key, "required"));
                }
                continue;
            }
            if let Some(value) = normalise(field, text, references, &mut issues, &mut warnings) {
                values.insert(field.key.to_string(), value);
            }
        }
        issues.into_result(Checked {
            record: Record { values },
            warnings,
        })
    }

    pub fn search_text(&self, record: &Record) -> String {
        let parts: Vec<String> = self
            .fields
            .iter()
            .filter_map(|f| {
                record
                    .get(f.key)
                    .map(|v| format!("{} {}", v, f.display(v, Lang::Ja)))
            })
            .collect();
        search_key(&parts.join("\u{1f}"))
    }
}

fn normalise(
    field: &FieldSpec,
    text: &str,
    references: &References,
    issues: &mut Issues,
    warnings: &mut Vec<Issue>,
) -> Option<String> {
    let too_long = |max: usize, issues: &mut Issues| {
        if text.chars().count() > max {
            issues.push(Issue::new(field.key, "too_long").with("max", max));
        }
    };
    match field.kind {
        FieldKind::Text | FieldKind::VendorName | FieldKind::SystemName => {
            too_long(200, issues);
            let (known, warning) = match field.kind {
                FieldKind::VendorName => (&references.vendors, "unknown_vendor"),
                FieldKind::SystemName => (&references.systems, "unknown_system"),
                _ => (&Vec::new(), ""),
            };
            if !known.is_empty() && !known.iter().any(|v| search_key(v) == search_key(text)) {
                warnings.push(Issue::new(field.key, warning).with("value", text));
            }
            Some(text.to_string())
        }
        FieldKind::Number => match nfkc(text).replace(',', "").parse::<u32>() {
            Ok(number) => Some(number.to_string()),
            Err(_) => {
                issues.push(Issue::new(field.key, "invalid_number").with("value", text));
                None
            }
        },
        FieldKind::LongText => {
            too_long(2000, issues);
            Some(text.to_string())
        }
        FieldKind::Date => match parse_date(text) {
            Some(date) => Some(date.format("%Y-%m-%d").to_string()),
            None => {
                issues.push(Issue::new(field.key, "invalid_date").with("value", text));
                None
            }
        },
        FieldKind::Flag => match parse_flag(text) {
            Some(flag) => Some(if flag { "yes" } else { "no" }.to_string()),
            None => {
                issues.push(Issue::new(field.key, "invalid_flag").with("value", text));
                None
            }
        },
        FieldKind::Email => {
            let email = nfkc(text).to_lowercase();
            if !email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
            {
                issues.push(Issue::new(field.key, "invalid_email"));
            }
            Some(email)
        }
        FieldKind::Phone => {
            let phone = nfkc(text).replace(['ー', '−', '―', '‐'], "-");
            // Hospitals reach staff by extension: 「内線 3300」 is a phone number too.
            let digits = phone.replace("内線", "").replace("ext.", "");
            if !digits
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | ' ' | '+'))
            {
                issues.push(Issue::new(field.key, "invalid_phone"));
            }
            Some(phone)
        }
        FieldKind::Choice(choices) => {
            let key = search_key(text);
            match choices.iter().find(|(code, ja, en)| {
                *code == key || search_key(ja) == key || search_key(en) == key
            }) {
                Some((code, _, _)) => Some(code.to_string()),
                None => {
                    // One word per choice: the first of its spellings.
                    let mut allowed: Vec<&str> = Vec::new();
                    let mut codes: Vec<&str> = Vec::new();
                    for (code, ja, _) in choices.iter() {
                        if !codes.contains(code) {
                            codes.push(code);
                            allowed.push(ja);
                        }
                    }
                    let allowed = allowed.join("・");
                    issues.push(
                        Issue::new(field.key, "invalid_choice")
                            .with("value", text)
                            .with("allowed", allowed),
                    );
                    None
                }
            }
        }
        FieldKind::StaffNumbers => Some(list(text).join(", ")),
        FieldKind::Privileges => match crate::accounts::Privileges::parse(text) {
            Ok(privileges) => Some(privileges.to_code()),
            Err(bad) => {
                issues.push(Issue::new(field.key, "invalid_privilege").with("value", bad.0));
                None
            }
        },
        FieldKind::DeviceNumbers => {
            let numbers = list(text);
            for number in &numbers {
                if !references.devices.is_empty() && !references.devices.contains(number) {
                    warnings.push(Issue::new(field.key, "unknown_device").with("value", number));
                }
            }
            Some(numbers.join(", "))
        }
    }
}

fn list(text: &str) -> Vec<String> {
    nfkc(text)
        .split([',', '、', '，', ';', '\n'])
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// What references are checked against: the facility's vendor and system names and 管理番号.
#[derive(Debug, Clone, Default)]
pub struct References {
    pub vendors: Vec<String>,
    pub systems: Vec<String>,
    pub devices: std::collections::HashSet<String>,
}

/// A validated record: normalised values by field key (dates ISO, flags yes/no, choices by code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub values: BTreeMap<String, String>,
}

impl Record {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A flag field set to yes.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == Some("yes")
    }

    /// A number field.
    pub fn number(&self, key: &str) -> Option<u32> {
        self.get(key).and_then(|n| n.parse().ok())
    }

    /// A date field (stored ISO, as validation writes it).
    pub fn date(&self, key: &str) -> Option<chrono::NaiveDate> {
        self.get(key)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

#[derive(Debug, Clone)]
pub struct Checked {
    pub record: Record,
    pub warnings: Vec<Issue>,
}
