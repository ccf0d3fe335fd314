//! The demo hospital's device ledger: about 300 devices across wards — EHR, レセコン and PACS
//! servers, a VPN router under remote maintenance, two Windows 8.1 PCs still in use, and a CT
//! scanner on two networks. Deterministic, so loading twice changes nothing.

use mimamori_domain::ledger::device::{Device, DeviceInput, InterfaceInput, SoftwareInput};

const WARDS: [(&str, usize); 12] = [
    ("外来1診", 2),
    ("外来2診", 2),
    ("外来3診", 2),
    ("外来4診", 2),
    ("外来処置室", 3),
    ("3階東病棟", 18),
    ("3階西病棟", 18),
    ("4階東病棟", 18),
    ("4階西病棟", 18),
    ("5階病棟", 16),
    ("ICU", 10),
    ("救急外来", 8),
];

const DEPARTMENTS: [(&str, usize); 8] = [
    ("医事課", 14),
    ("地域連携室", 6),
    ("薬剤部", 10),
    ("放射線科", 12),
    ("臨床検査科", 10),
    ("リハビリテーション科", 8),
    ("栄養科", 4),
    ("総務課", 12),
];

fn software(name: &str, version: &str, vendor: &str) -> SoftwareInput {
    SoftwareInput {
        name: name.into(),
        version: version.into(),
        vendor: vendor.into(),
    }
}

fn interface(ip: &str, host: &str, segment: &str) -> InterfaceInput {
    InterfaceInput {
        ip: ip.into(),
        hostname: host.into(),
        segment: segment.into(),
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn device(
    no: &str,
    kind: &str,
    maker: &str,
    model: &str,
    os: &str,
    os_version: &str,
    location: &str,
    registered: &str,
    software: Vec<SoftwareInput>,
    interfaces: Vec<InterfaceInput>,
) -> DeviceInput {
    DeviceInput {
        management_no: no.into(),
        kind: kind.into(),
        maker: maker.into(),
        model: model.into(),
        os_name: os.into(),
        os_version: os_version.into(),
        location: location.into(),
        registered_on: registered.into(),
        status: "active".into(),
        security_measures: "ウイルス対策ソフト（定義自動更新）".into(),
        auth_method: "ID・パスワード".into(),
        software,
        interfaces,
        ..Default::default()
    }
}

pub fn devices() -> Vec<Device> {
    let ehr = || software("みまもり電子カルテ", "5.2.1", "株式会社カルテシステム");
    let mut list = vec![
        device(
            "SV-001",
            "server",
            "NEC",
            "Express5800/R120h",
            "Windows Server",
            "2019",
            "サーバ室",
            "2019-04-01",
            vec![ehr(), software("SQL Server", "2019", "Microsoft")],
            vec![interface("10.10.0.11", "EHR-DB01", "電子カルテ系")],
        ),
        device(
            "SV-002",
            "server",
            "NEC",
            "Express5800/R120h",
            "Windows Server",
            "2019",
            "サーバ室",
            "2019-04-01",
            vec![ehr()],
            vec![interface("10.10.0.12", "EHR-AP01", "電子カルテ系")],
        ),
        device(
            "SV-003",
            "server",
            "富士通",
            "PRIMERGY RX2530",
            "Windows Server",
            "2016",
            "サーバ室",
            "2017-10-01",
            vec![software("医事会計レセコン", "12.4", "医事システム株式会社")],
            vec![interface("10.10.0.21", "RECE-SV01", "電子カルテ系")],
        ),
        device(
            "SV-004",
            "server",
            "Dell",
            "PowerEdge R750",
            "Windows Server",
            "2022",
            "サーバ室",
            "2022-04-01",
            vec![software("PACS", "7.1", "画像システム株式会社")],
            vec![interface("10.20.0.5", "PACS-SV01", "医療機器系")],
        ),
        device(
            "SV-005",
            "storage",
            "Synology",
            "RS1221+",
            "DSM",
            "7.2",
            "サーバ室",
            "2021-04-01",
            vec![software("バックアップソフト", "11.0", "")],
            vec![interface("10.10.0.50", "BACKUP-NAS", "電子カルテ系")],
        ),
        device(
            "NW-001",
            "network",
            "Cisco",
            "Catalyst 9300",
            "IOS XE",
            "17.9",
            "サーバ室",
            "2019-04-01",
            vec![],
            vec![interface("10.10.0.1", "CORE-SW01", "電子カルテ系")],
        ),
        device(
            "NW-002",
            "network",
            "ヤマハ",
            "RTX1300",
            "Rev.23",
            "23.01.02",
            "サーバ室",
            "2023-04-01",
            vec![],
            vec![
                interface("10.10.0.254", "VPN-RT01", "電子カルテ系"),
                interface("203.0.113.10", "VPN-RT01-WAN", "インターネット"),
            ],
        ),
        device(
            "NW-003",
            "network",
            "FortiNet",
            "FortiGate 60F",
            "FortiOS",
            "7.2.8",
            "サーバ室",
            "2022-10-01",
            vec![],
            vec![interface("192.168.100.1", "UTM01", "インターネット系")],
        ),
        device(
            "MD-001",
            "medical_device",
            "キヤノンメディカル",
            "Aquilion Lightning",
            "Windows",
            "10 IoT",
            "放射線科CT室",
            "2020-06-01",
            vec![software("CT操作卓ソフト", "V10", "キヤノンメディカル")],
            vec![
                interface("10.20.0.31", "CT01", "医療機器系"),
                interface("10.10.5.31", "CT01-EHR", "電子カルテ系"),
            ],
        ),
        device(
            "MD-002",
            "medical_device",
            "富士フイルム",
            "FCR PRIMA T2",
            "Windows",
            "10 IoT",
            "放射線科一般撮影室",
            "2019-09-01",
            vec![],
            vec![interface("10.20.0.32", "CR01", "医療機器系")],
        ),
        device(
            "MD-003",
            "medical_device",
            "シスメックス",
            "XN-1000",
            "Windows",
            "10 IoT",
            "臨床検査科",
            "2021-03-01",
            vec![],
            vec![interface("10.20.0.41", "LAB-XN01", "医療機器系")],
        ),
    ];
    // Remote maintenance reaches the VPN router and the PACS and CT.
    for no in ["NW-002", "SV-004", "MD-001"] {
        if let Some(d) = list.iter_mut().find(|d| d.management_no == no) {
            d.remote_maintenance = "yes".into();
        }
    }
    let mut number = 1;
    let mut ip = 100;
    let mut next = |location: &str, kind: &str, os: &str, os_version: &str, registered: &str| {
        let no = format!("PC-{number:04}");
        let host = format!("PC{number:04}");
        let address = format!("10.10.{}.{}", 1 + ip / 250, ip % 250 + 2);
        number += 1;
        ip += 1;
        let software = if kind == "printer" {
            vec![]
        } else {
            vec![ehr(), software("Microsoft 365 Apps", "2408", "Microsoft")]
        };
        device(
            &no,
            kind,
            "富士通",
            "ESPRIMO D7010",
            os,
            os_version,
            location,
            registered,
            software,
            vec![interface(&address, &host, "電子カルテ系")],
        )
    };
    for (location, count) in WARDS.iter().chain(DEPARTMENTS.iter()) {
        for i in 0..*count {
            let (kind, os, version) = match i % 9 {
                8 => ("printer", "", ""),
                7 => ("mobile", "iPadOS", "17.5"),
                _ => ("pc", "Windows 11 Pro", "23H2"),
            };
            list.push(next(location, kind, os, version, "2023-04-01"));
        }
    }
    // Two Windows 8.1 PCs still in use (support ended in January 2023).
    for location in ["栄養科", "リハビリテーション科"] {
        let mut old = next(location, "pc", "Windows 8.1", "", "2015-04-01");
        old.description = "部門システム専用端末。更新予定".into();
        list.push(old);
    }
    list.into_iter()
        .filter_map(|d| d.validate().ok().map(|c| c.device))
        .collect()
}

/// One register row: (field key, value).
type Row = Vec<(&'static str, &'static str)>;

/// The demo hospital's registers: (register slug, rows).
pub fn registers() -> Vec<(&'static str, Vec<Row>)> {
    vec![
        (
            "vendors",
            vec![
                vec![
                    ("name", "株式会社カルテシステム"),
                    ("contact_person", "青木 健"),
                    ("phone", "03-1234-5601"),
                    ("email", "support@karte-system.example.jp"),
                ],
                vec![
                    ("name", "医事システム株式会社"),
                    ("contact_person", "石井 真理"),
                    ("phone", "03-1234-5602"),
                    ("email", "help@iji-system.example.jp"),
                ],
                vec![
                    ("name", "画像システム株式会社"),
                    ("contact_person", "上田 翔"),
                    ("phone", "06-2345-6701"),
                    ("email", "pacs@gazo.example.jp"),
                ],
                vec![
                    ("name", "キヤノンメディカル"),
                    ("contact_person", "保守窓口"),
                    ("phone", "0120-000-111"),
                ],
                vec![
                    ("name", "ネットワーク保守株式会社"),
                    ("contact_person", "遠藤 拓"),
                    ("phone", "03-1234-5603"),
                    ("email", "noc@nw-hoshu.example.jp"),
                    ("notes", "VPNルータ・UTMの保守"),
                ],
            ],
        ),
        (
            "systems",
            vec![
                vec![
                    ("name", "電子カルテ"),
                    ("category", "ehr"),
                    ("vendor", "株式会社カルテシステム"),
                    ("devices", "SV-001, SV-002, SV-005"),
                    ("patient_data", "yes"),
                    ("recovery_priority", "high"),
                ],
                vec![
                    ("name", "医事会計・レセコン"),
                    ("category", "receipt"),
                    ("vendor", "医事システム株式会社"),
                    ("devices", "SV-003"),
                    ("patient_data", "yes"),
                    ("recovery_priority", "high"),
                ],
                vec![
                    ("name", "PACS"),
                    ("category", "pacs"),
                    ("vendor", "画像システム株式会社"),
                    ("devices", "SV-004, MD-001, MD-002"),
                    ("patient_data", "yes"),
                    ("recovery_priority", "medium"),
                ],
                vec![
                    ("name", "検査システム"),
                    ("category", "departmental"),
                    ("vendor", "株式会社カルテシステム"),
                    ("patient_data", "yes"),
                    ("recovery_priority", "medium"),
                ],
                vec![
                    ("name", "オンライン資格確認"),
                    ("category", "online_qualification"),
                    ("vendor", "医事システム株式会社"),
                    ("patient_data", "yes"),
                    ("recovery_priority", "medium"),
                ],
            ],
        ),
        (
            "cloud-services",
            vec![
                vec![
                    ("provider", "予約サービス株式会社"),
                    ("service_name", "Web予約"),
                    ("domain", "yoyaku.example.jp"),
                    (
                        "access",
                        "受付PC・患者のスマートフォンからインターネット経由",
                    ),
                    ("users", "医事課"),
                    ("auth_method", "ID・パスワード＋SMS認証"),
                    ("started_on", "2023-10-01"),
                    ("status", "in_use"),
                ],
                vec![
                    ("provider", "メールサービス事業者"),
                    ("service_name", "院内メール"),
                    ("domain", "mail.example.jp"),
                    ("access", "事務系端末からインターネット経由"),
                    ("users", "全職員"),
                    ("auth_method", "ID・パスワード"),
                    ("started_on", "2021-04-01"),
                    ("status", "in_use"),
                ],
            ],
        ),
        (
            "remote-maintenance",
            vec![
                vec![
                    ("name", "ネットワーク保守"),
                    ("vendor", "ネットワーク保守株式会社"),
                    ("targets", "NW-002, NW-003"),
                    ("route", "ipsec_vpn"),
                    ("source_ip_restricted", "yes"),
                    ("id_policy", "individual"),
                    ("two_factor", "yes"),
                    ("terminal_patched", "yes"),
                    ("terminal_supported", "yes"),
                    ("terminal_malware_checked", "yes"),
                    ("schedule", "毎月第2火曜 19時〜"),
                    ("prior_notice", "yes"),
                    ("confirmed_on", "2025-04-10"),
                ],
                vec![
                    ("name", "PACS保守"),
                    ("vendor", "画像システム株式会社"),
                    ("targets", "SV-004"),
                    ("systems", "PACS"),
                    ("route", "ssl_vpn"),
                    ("source_ip_restricted", "yes"),
                    ("id_policy", "individual"),
                    ("two_factor", "yes"),
                    ("terminal_patched", "yes"),
                    ("terminal_supported", "yes"),
                    ("schedule", "障害時・月1回"),
                    ("prior_notice", "yes"),
                    ("confirmed_on", "2025-05-20"),
                ],
                vec![
                    ("name", "CT装置保守"),
                    ("vendor", "キヤノンメディカル"),
                    ("targets", "MD-001"),
                    ("route", "mobile_router"),
                    ("source_ip_restricted", "no"),
                    ("id_policy", "shared"),
                    ("two_factor", "no"),
                    ("schedule", "不定期"),
                    ("prior_notice", "no"),
                    ("evidence", "接続方式の見直しを依頼中"),
                ],
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_ledger_is_valid_and_realistic() {
        let devices = super::devices();
        assert!(devices.len() > 200, "{}", devices.len());
        assert_eq!(
            devices
                .iter()
                .filter(|d| d.os_name.as_deref() == Some("Windows 8.1"))
                .count(),
            2
        );
        assert!(devices
            .iter()
            .any(|d| d.interfaces.len() == 2 && d.kind.code() == "medical_device"));
        assert!(devices
            .iter()
            .any(|d| d.remote_maintenance && d.kind.code() == "network"));
    }
}
