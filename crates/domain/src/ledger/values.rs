//! Value mapping: a file's own word for a choice (a PACS writing 「ACTV」 for an account in use,
//! a clinic writing 「現役」 for a PC in use), said once by a person and remembered with the
//! file's column mapping. The words the ledger already reads need none.

use std::collections::BTreeMap;

use crate::accounts::Privileges;
use crate::i18n::Lang;
use crate::ledger::device::{parse_flag, DeviceKind, DeviceStatus};
use crate::ledger::register::{Choice, FieldKind, RegisterSpec};
use crate::validation::search_key;

/// For each field, a file's word (in the normal form of [`search_key`]) → the ledger's word
/// for it (a text the field reads: 「稼働」, 「停止」, 「有」 …).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValueMapping(pub BTreeMap<String, BTreeMap<String, String>>);

/// The most words mapped for one field, and the longest word: a mapping is a person's choice
/// per distinct word, never a table of the file.
pub const MAX_WORDS: usize = 200;
pub const MAX_WORD_CHARS: usize = 100;

impl ValueMapping {
    /// The ledger's word for `text` in `field`, when one was mapped.
    pub fn get(&self, field: &str, text: &str) -> Option<&str> {
        let words = self.0.get(field)?;
        words.get(&search_key(text.trim())).map(String::as_str)
    }

    /// Maps `text` of `field` to `to` (an empty `to` takes a mapping back).
    pub fn set(&mut self, field: &str, text: &str, to: &str) {
        let key = search_key(text.trim());
        if key.is_empty() || key.chars().count() > MAX_WORD_CHARS {
            return;
        }
        let words = self.0.entry(field.to_string()).or_default();
        if to.trim().is_empty() {
            words.remove(&key);
        } else if words.len() < MAX_WORDS || words.contains_key(&key) {
            words.insert(key, to.trim().to_string());
        }
        if words.is_empty() {
            self.0.remove(field);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(BTreeMap::is_empty)
    }

    /// Whether any field of `fields` has a mapped word.
    pub fn maps_any(&self, fields: &[&str]) -> bool {
        fields.iter().any(|f| self.0.contains_key(*f))
    }
}

/// What a field with value mapping takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    DeviceKind,
    DeviceStatus,
    Flag,
    Choice(&'static [Choice]),
    /// One access level for every category (参照・更新・管理者).
    Privileges,
}

impl ValueKind {
    /// For a register's (or the account list's) field; `None` for fields of free text, dates…
    pub fn of(kind: FieldKind) -> Option<Self> {
        match kind {
            FieldKind::Choice(choices) => Some(ValueKind::Choice(choices)),
            FieldKind::Flag => Some(ValueKind::Flag),
            FieldKind::Privileges => Some(ValueKind::Privileges),
            _ => None,
        }
    }

    /// For a field of the device ledger.
    pub fn of_device_field(key: &str) -> Option<Self> {
        match key {
            "kind" => Some(ValueKind::DeviceKind),
            "status" => Some(ValueKind::DeviceStatus),
            "remote_maintenance" => Some(ValueKind::Flag),
            _ => None,
        }
    }

    /// What a word may be mapped to: (the ledger's word, as a person reads it), one per meaning.
    pub fn choices(self, lang: Lang) -> Vec<(String, String)> {
        match self {
            ValueKind::DeviceKind => DeviceKind::ALL
                .iter()
                .map(|k| (k.label(Lang::Ja).to_string(), k.label(lang).to_string()))
                .collect(),
            ValueKind::DeviceStatus => DeviceStatus::ALL
                .iter()
                .map(|s| (s.label(Lang::Ja).to_string(), s.label(lang).to_string()))
                .collect(),
            ValueKind::Flag => vec![
                ("有".into(), lang.pick("有", "Yes").into()),
                ("無".into(), lang.pick("無", "No").into()),
            ],
            ValueKind::Choice(choices) => {
                let mut seen: Vec<&str> = Vec::new();
                choices
                    .iter()
                    .filter(|(code, _, _)| {
                        let new = !seen.contains(code);
                        seen.push(code);
                        new
                    })
                    .map(|(_, ja, en)| (ja.to_string(), lang.pick(ja, en).to_string()))
                    .collect()
            }
            ValueKind::Privileges => [
                ("参照", "Read"),
                ("更新", "Write"),
                ("管理者", "Administrator"),
                ("なし", "None"),
            ]
            .iter()
            .map(|(ja, en)| (ja.to_string(), lang.pick(ja, en).to_string()))
            .collect(),
        }
    }

    /// Whether the ledger reads `text` by itself.
    pub fn understands(self, text: &str) -> bool {
        let text = text.trim();
        match self {
            ValueKind::DeviceKind => DeviceKind::parse(text).is_some(),
            ValueKind::DeviceStatus => DeviceStatus::parse(text).is_some(),
            ValueKind::Flag => parse_flag(text).is_some(),
            ValueKind::Choice(choices) => {
                let key = search_key(text);
                choices.iter().any(|(code, ja, en)| {
                    *code == key || search_key(ja) == key || search_key(en) == key
                })
            }
            ValueKind::Privileges => Privileges::parse(text).is_ok(),
        }
    }
}

/// The fields of a register (or the account list) that take value mapping, with their kinds.
pub fn register_value_fields(spec: &RegisterSpec) -> Vec<(&'static str, ValueKind)> {
    spec.fields
        .iter()
        .filter_map(|f| ValueKind::of(f.kind).map(|kind| (f.key, kind)))
        .collect()
}

/// The device ledger's fields that take value mapping.
pub fn device_value_fields() -> Vec<(&'static str, ValueKind)> {
    ["kind", "status", "remote_maintenance"]
        .into_iter()
        .filter_map(|key| ValueKind::of_device_field(key).map(|kind| (key, kind)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_matched_in_normal_form_and_bounded() {
        let mut values = ValueMapping::default();
        values.set("status", " ＡＣＴＶ ", "稼働");
        assert_eq!(values.get("status", "actv"), Some("稼働"));
        assert_eq!(values.get("status", "ACTV"), Some("稼働"));
        assert_eq!(values.get("kind", "ACTV"), None);
        values.set("status", "actv", "");
        assert!(values.is_empty());
        for n in 0..MAX_WORDS + 50 {
            values.set("status", &format!("w{n}"), "停止");
        }
        assert_eq!(values.0["status"].len(), MAX_WORDS);
        values.set("status", &"x".repeat(MAX_WORD_CHARS + 1), "停止");
        assert_eq!(values.0["status"].len(), MAX_WORDS);
    }

    #[test]
    fn every_choice_is_understood_and_own_words_are_not() {
        let kinds = [
            ValueKind::DeviceKind,
            ValueKind::DeviceStatus,
            ValueKind::Flag,
            ValueKind::Choice(crate::accounts::account::ACCOUNT_STATUS),
            ValueKind::Privileges,
        ];
        for kind in kinds {
            for (word, _) in kind.choices(Lang::Ja) {
                assert!(kind.understands(&word), "{kind:?} {word}");
            }
            assert!(!kind.understands("現役バリバリ"), "{kind:?}");
        }
    }
}
