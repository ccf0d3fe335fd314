//! The four registers beside the device ledger, as data (seed 002 and issue 3).

use super::register::{Choice, FieldKind, FieldSpec, RegisterGroup, RegisterKind, RegisterSpec};

pub(crate) const fn text(key: &'static str, titles: &'static [&'static str]) -> FieldSpec {
    FieldSpec::new(key, titles, FieldKind::Text, false, false)
}

pub(crate) const fn field(
    key: &'static str,
    titles: &'static [&'static str],
    kind: FieldKind,
    listed: bool,
) -> FieldSpec {
    FieldSpec::new(key, titles, kind, false, listed)
}

pub(crate) const fn key_field(key: &'static str, titles: &'static [&'static str]) -> FieldSpec {
    FieldSpec::new(key, titles, FieldKind::Text, true, true)
}

pub const VENDORS: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Vendors,
    group: RegisterGroup::Ledger,
    slug: "vendors",
    entity: "vendor",
    title_ja: "事業者",
    title_en: "Vendors",
    key_field: "name",
    fields: &[
        key_field(
            "name",
            &[
                "事業者名",
                "Vendor",
                "名称",
                "会社名",
                "事業者",
                "name",
                "vendor name",
            ],
        ),
        field(
            "contact_person",
            &["担当者", "Contact person", "担当者名", "contact"],
            FieldKind::Text,
            true,
        ),
        field(
            "phone",
            &["電話番号", "Phone", "電話", "TEL", "phone number"],
            FieldKind::Phone,
            true,
        ),
        field(
            "email",
            &[
                "メールアドレス",
                "E-mail",
                "メール",
                "email",
                "e-mail address",
            ],
            FieldKind::Email,
            true,
        ),
        text("address", &["住所", "Address", "所在地"]),
        field(
            "notes",
            &["備考", "Notes", "メモ", "note"],
            FieldKind::LongText,
            false,
        ),
    ],
};

pub const SYSTEM_CATEGORIES: &[Choice] = &[
    ("ehr", "電子カルテ", "EHR"),
    ("receipt", "レセコン", "Claims (レセコン)"),
    ("ordering", "オーダリング", "Ordering"),
    ("pacs", "PACS", "PACS"),
    ("departmental", "部門システム", "Departmental system"),
    (
        "online_qualification",
        "オンライン資格確認",
        "Online eligibility check",
    ),
    ("medical_accounting", "医事会計", "Medical accounting"),
    ("reservation", "予約", "Reservations"),
    ("kiosk", "受付機・精算機", "Reception / payment kiosk"),
    ("other", "その他", "Other"),
];

pub const PRIORITIES: &[Choice] = &[
    ("high", "高", "High"),
    ("medium", "中", "Medium"),
    ("low", "低", "Low"),
];

pub const SYSTEMS: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Systems,
    group: RegisterGroup::Ledger,
    slug: "systems",
    entity: "system",
    title_ja: "医療情報システム",
    title_en: "Information systems",
    key_field: "name",
    fields: &[
        key_field(
            "name",
            &["システム名", "System", "名称", "system name", "name"],
        ),
        field(
            "category",
            &["区分", "Category", "システム区分", "種別", "category"],
            FieldKind::Choice(SYSTEM_CATEGORIES),
            true,
        ),
        field(
            "vendor",
            &["事業者", "Vendor", "事業者名", "ベンダー", "vendor"],
            FieldKind::VendorName,
            true,
        ),
        field(
            "devices",
            &[
                "構成機器（管理番号）",
                "Devices (management numbers)",
                "構成機器",
                "管理番号",
                "devices",
            ],
            FieldKind::DeviceNumbers,
            false,
        ),
        field(
            "patient_data",
            &[
                "患者情報の取扱い",
                "Handles patient data",
                "患者情報",
                "patient data",
            ],
            FieldKind::Flag,
            true,
        ),
        field(
            "recovery_priority",
            &["復旧優先度", "Recovery priority", "優先度", "priority"],
            FieldKind::Choice(PRIORITIES),
            true,
        ),
        field(
            "notes",
            &["備考", "Notes", "メモ", "note"],
            FieldKind::LongText,
            false,
        ),
    ],
};

pub const CLOUD_STATUS: &[Choice] = &[
    ("in_use", "利用中", "In use"),
    ("planned", "導入予定", "Planned"),
    ("stopped", "停止", "Stopped"),
    ("ended", "利用終了", "Ended"),
];

pub const CLOUD_SERVICES: RegisterSpec = RegisterSpec {
    kind: RegisterKind::CloudServices,
    group: RegisterGroup::Ledger,
    slug: "cloud-services",
    entity: "cloud_service",
    title_ja: "クラウドサービス",
    title_en: "Cloud services",
    key_field: "service_name",
    fields: &[
        field(
            "provider",
            &[
                "サービス提供事業者",
                "Provider",
                "提供事業者",
                "事業者",
                "provider",
            ],
            FieldKind::Text,
            true,
        ),
        key_field(
            "service_name",
            &[
                "サービス名称/用途",
                "Service / purpose",
                "サービス名称",
                "サービス名",
                "用途",
                "service",
                "service name",
            ],
        ),
        field(
            "domain",
            &[
                "ドメイン/アドレス",
                "Domain / address",
                "ドメイン",
                "アドレス",
                "URL",
                "domain",
            ],
            FieldKind::Text,
            true,
        ),
        text(
            "access",
            &[
                "利用場所/アクセス経路",
                "Where and how it is used",
                "利用場所",
                "アクセス経路",
                "access",
            ],
        ),
        text(
            "users",
            &[
                "利用者/グループ",
                "Users / groups",
                "利用者",
                "グループ",
                "users",
            ],
        ),
        field(
            "auth_method",
            &[
                "利用者認証方法",
                "Authentication",
                "認証方法",
                "認証方式",
                "authentication",
            ],
            FieldKind::Text,
            true,
        ),
        field(
            "started_on",
            &["利用開始日", "Started on", "開始日", "start date"],
            FieldKind::Date,
            false,
        ),
        field(
            "status",
            &["利用状況", "Status", "状況", "状態", "status"],
            FieldKind::Choice(CLOUD_STATUS),
            true,
        ),
    ],
};

pub const ROUTES: &[Choice] = &[
    ("leased_line", "専用線", "Leased line"),
    ("ipsec_vpn", "IPsec-VPN", "IPsec VPN"),
    ("ssl_vpn", "SSL-VPN", "SSL VPN"),
    (
        "mobile_router",
        "LTE/5Gモバイルルータ",
        "LTE/5G mobile router",
    ),
    (
        "remote_desktop",
        "リモートデスクトップツール",
        "Remote-desktop tool",
    ),
    ("other", "その他", "Other"),
];

pub const ID_POLICIES: &[Choice] = &[
    ("individual", "個人ごと", "One per person"),
    ("shared", "共用", "Shared"),
];

pub const REMOTE_MAINTENANCE: RegisterSpec = RegisterSpec {
    kind: RegisterKind::RemoteMaintenance,
    group: RegisterGroup::Ledger,
    slug: "remote-maintenance",
    entity: "remote_maintenance",
    title_ja: "リモートメンテナンス",
    title_en: "Remote maintenance",
    key_field: "name",
    fields: &[
        key_field(
            "name",
            &["接続名", "Connection", "名称", "connection", "name"],
        ),
        field(
            "vendor",
            &["事業者", "Vendor", "保守事業者", "vendor"],
            FieldKind::VendorName,
            true,
        ),
        field(
            "targets",
            &[
                "接続先の機器（管理番号）",
                "Devices reached (management numbers)",
                "接続先",
                "対象機器",
                "targets",
            ],
            FieldKind::DeviceNumbers,
            true,
        ),
        text(
            "systems",
            &[
                "接続先のシステム",
                "Systems reached",
                "対象システム",
                "systems",
            ],
        ),
        field(
            "route",
            &["接続経路", "Route", "経路", "接続方式", "route"],
            FieldKind::Choice(ROUTES),
            true,
        ),
        field(
            "source_ip_restricted",
            &[
                "接続元IP制限",
                "Source IP restricted",
                "IP制限",
                "source ip restriction",
            ],
            FieldKind::Flag,
            true,
        ),
        field(
            "id_policy",
            &["ID管理", "IDs", "IDの発行", "ID", "id policy"],
            FieldKind::Choice(ID_POLICIES),
            true,
        ),
        field(
            "two_factor",
            &[
                "二要素認証",
                "Two-factor authentication",
                "多要素認証",
                "2fa",
            ],
            FieldKind::Flag,
            true,
        ),
        field(
            "terminal_patched",
            &[
                "保守端末のパッチ適用",
                "Vendor terminal patched",
                "パッチ適用",
                "patched",
            ],
            FieldKind::Flag,
            false,
        ),
        field(
            "terminal_supported",
            &[
                "保守端末のサポート中ソフトウェア",
                "Vendor terminal on supported software",
                "サポート中",
                "supported",
            ],
            FieldKind::Flag,
            false,
        ),
        field(
            "terminal_malware_checked",
            &[
                "保守端末のマルウェア検査",
                "Vendor terminal malware-checked",
                "マルウェア検査",
                "malware check",
            ],
            FieldKind::Flag,
            false,
        ),
        text(
            "schedule",
            &[
                "保守の時期",
                "When maintenance happens",
                "保守時期",
                "schedule",
            ],
        ),
        field(
            "prior_notice",
            &[
                "事前連絡",
                "Facility told beforehand",
                "事前通知",
                "prior notice",
            ],
            FieldKind::Flag,
            false,
        ),
        field(
            "confirmed_on",
            &[
                "事業者への確認日",
                "Confirmed with the vendor on",
                "確認日",
                "confirmed on",
            ],
            FieldKind::Date,
            true,
        ),
        field(
            "evidence",
            &["証跡", "Evidence", "証跡メモ", "evidence"],
            FieldKind::LongText,
            false,
        ),
    ],
};

pub const ALL: [&RegisterSpec; 9] = [
    &VENDORS,
    &SYSTEMS,
    &CLOUD_SERVICES,
    &REMOTE_MAINTENANCE,
    &crate::accounts::STAFF,
    &crate::contacts::ESCALATION,
    &crate::contacts::CONTACTS,
    &crate::backups::BACKUPS,
    &crate::bcp::DRILLS,
];

pub fn by_slug(slug: &str) -> Option<&'static RegisterSpec> {
    ALL.into_iter().find(|r| r.slug == slug)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::ledger::register::References;

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_register_has_a_required_key_field_and_unique_keys() {
        for spec in ALL {
            let key = spec.field(spec.key_field).unwrap();
            assert!(key.required, "{}", spec.slug);
            let mut seen = std::collections::HashSet::new();
            for field in spec.fields {
                assert!(seen.insert(field.key), "{}: {}", spec.slug, field.key);
                assert!(field.titles.len() >= 2);
            }
        }
    }

    #[test]
    fn values_are_normalised_and_checked() {
        let refs = References {
            vendors: vec!["A社".into()],
            systems: Vec::new(),
            devices: ["SV-001".to_string()].into_iter().collect(),
        };
        let checked = REMOTE_MAINTENANCE
            .validate(
                &raw(&[
                    ("name", "PACS保守"),
                    ("vendor", "B社"),
                    ("targets", "SV-001、SV-999"),
                    ("route", "ＳＳＬ－ＶＰＮ"),
                    ("two_factor", "無"),
                    ("confirmed_on", "R7.4.1"),
                ]),
                &refs,
            )
            .unwrap();
        let r = &checked.record;
        assert_eq!(r.get("route"), Some("ssl_vpn"));
        assert_eq!(r.get("two_factor"), Some("no"));
        assert_eq!(r.get("confirmed_on"), Some("2025-04-01"));
        assert_eq!(r.get("targets"), Some("SV-001, SV-999"));
        let codes: Vec<_> = checked.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["unknown_vendor", "unknown_device"]);
        let bad = CLOUD_SERVICES
            .validate(
                &raw(&[("status", "たぶん"), ("started_on", "someday")]),
                &refs,
            )
            .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|i| (i.field, i.code)).collect();
        assert_eq!(
            fields,
            [
                ("service_name", "required"),
                ("started_on", "invalid_date"),
                ("status", "invalid_choice")
            ]
        );
    }
}
