//! What an import changes in a record, field by field, so that the preview and the result can
//! say "設置場所: 受付 → 放射線科" instead of only "更新 58".

use serde::Serialize;

use super::device::Device;
use super::register::{Record, RegisterSpec};
use crate::i18n::Lang;

/// One field's value before and after, as a person reads them (choices in Japanese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field's key (`location`, `os_name`, …).
    pub field: String,
    /// Its title as the ledger's file and screens write it (設置場所, OS, …).
    pub title: String,
    pub before: String,
    pub after: String,
}

/// A record's changes, by its key (管理番号, a register's key, a login ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordChange {
    pub key: String,
    pub fields: Vec<FieldChange>,
}

fn push(changes: &mut Vec<FieldChange>, field: &str, before: String, after: String) {
    push_titled(changes, field, device_title(field), before, after);
}

fn push_titled(
    changes: &mut Vec<FieldChange>,
    field: &str,
    title: &str,
    before: String,
    after: String,
) {
    if before != after {
        changes.push(FieldChange {
            field: field.to_string(),
            title: title.to_string(),
            before,
            after,
        });
    }
}

/// The device ledger's titles (the MHLW example's where it has one).
fn device_title(field: &str) -> &'static str {
    match field {
        "kind" => "種別",
        "maker" => "メーカー",
        "model" => "型番",
        "serial" => "シリアル番号",
        "os_name" => "OS",
        "os_version" => "OSバージョン",
        "location" => "設置場所",
        "users" => "利用者",
        "description" => "説明",
        "security_measures" => "セキュリティ対策",
        "auth_method" => "認証方式",
        "registered_on" => "登録日",
        "status" => "状態",
        "disposed_on" => "廃棄日",
        "remote_maintenance" => "リモートメンテナンス",
        "software" => "ソフトウェア",
        "interfaces" => "ネットワーク（IP・MAC・コンピュータ名）",
        _ => "",
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

impl Device {
    /// The fields in which `self` differs from `before`, in the ledger's column order.
    pub fn changes_from(&self, before: &Device) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let lang = Lang::Ja;
        push(
            &mut changes,
            "kind",
            before.kind.label(lang).into(),
            self.kind.label(lang).into(),
        );
        for (field, old, new) in [
            ("maker", &before.maker, &self.maker),
            ("model", &before.model, &self.model),
            ("serial", &before.serial, &self.serial),
            ("os_name", &before.os_name, &self.os_name),
            ("os_version", &before.os_version, &self.os_version),
            ("location", &before.location, &self.location),
            ("users", &before.users, &self.users),
            ("description", &before.description, &self.description),
            (
                "security_measures",
                &before.security_measures,
                &self.security_measures,
            ),
            ("auth_method", &before.auth_method, &self.auth_method),
        ] {
            push(&mut changes, field, text(old), text(new));
        }
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        push(
            &mut changes,
            "registered_on",
            date(before.registered_on),
            date(self.registered_on),
        );
        push(
            &mut changes,
            "status",
            before.status.label(lang).into(),
            self.status.label(lang).into(),
        );
        push(
            &mut changes,
            "disposed_on",
            date(before.disposed_on),
            date(self.disposed_on),
        );
        let flag = |b: bool| if b { "有" } else { "無" }.to_string();
        push(
            &mut changes,
            "remote_maintenance",
            flag(before.remote_maintenance),
            flag(self.remote_maintenance),
        );
        let software = |d: &Device| {
            d.software
                .iter()
                .map(|s| match &s.version {
                    Some(v) => format!("{} {v}", s.name),
                    None => s.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("、")
        };
        push(&mut changes, "software", software(before), software(self));
        let interfaces = |d: &Device| {
            d.interfaces
                .iter()
                .map(|i| {
                    [&i.ip, &i.mac, &i.hostname, &i.segment]
                        .into_iter()
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join("、")
        };
        push(
            &mut changes,
            "interfaces",
            interfaces(before),
            interfaces(self),
        );
        changes
    }
}

impl Record {
    /// The fields of `spec` in which `self` differs from `before`, values as a person reads them.
    pub fn changes_from(&self, before: &Record, spec: &RegisterSpec) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        for field in spec.fields {
            let shown = |record: &Record| {
                record
                    .get(field.key)
                    .map(|v| field.display(v, Lang::Ja))
                    .unwrap_or_default()
            };
            let title = field.titles.first().copied().unwrap_or(field.key);
            push_titled(&mut changes, field.key, title, shown(before), shown(self));
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::registers::VENDORS;

    #[test]
    fn records_say_which_fields_change() {
        let mut before = Record::default();
        before.values.insert("name".into(), "A社".into());
        before.values.insert("phone".into(), "03-1111-1111".into());
        let mut after = before.clone();
        after.values.insert("phone".into(), "03-2222-2222".into());
        after.values.insert("contact_person".into(), "佐藤".into());
        let changes = after.changes_from(&before, &VENDORS);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["contact_person", "phone"]);
        assert_eq!(changes[1].before, "03-1111-1111");
        assert!(before.changes_from(&before, &VENDORS).is_empty());
    }
}
