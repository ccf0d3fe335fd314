//! Reading real files: the MHLW example as a facility types it, a LibreOffice workbook, ten faults.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_formats::devices::parse_devices;
use mimamori_formats::read_tables;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn check_mhlw(name: &str) {
    let import = parse_devices(&read_tables(&fixture(name), name, None).unwrap());
    assert!(!import.has_errors(), "{name}: {:?}", import.problems);
    assert_eq!(import.devices.len(), 4, "{name}");
    let warnings: Vec<_> = import.warnings().collect();
    assert_eq!(warnings.len(), 4, "{name}: one masked IP per device");
    assert!(warnings
        .iter()
        .all(|w| w.code == "ip_masked" && w.column == "IPアドレス"));
    assert_eq!(
        warnings[0].row, 5,
        "rows are numbered as the sheet shows them"
    );
    let d = &import.devices[3].device;
    assert_eq!(d.management_no, "004");
    assert_eq!(d.software[0].version.as_deref(), Some("5.0.1"));
    assert_eq!(
        d.users.as_deref(),
        Some("a医師 (〇〇科)、b医師 (〇〇科)、c医師 (△△科)")
    );
    assert_eq!(d.registered_on.unwrap().to_string(), "2021-08-01");
    assert_eq!(import.devices[1].device.status.code(), "stopped");
    assert_eq!(
        import.devices[1].device.description.as_deref(),
        Some("メンテナンス")
    );
    assert_eq!(import.devices[2].device.os_name.as_deref(), Some("Win8"));
}

#[test]
fn mhlw_example_from_cp932_csv() {
    check_mhlw("mhlw_example_cp932.csv");
}

#[test]
fn mhlw_example_from_utf8_csv() {
    check_mhlw("mhlw_example_utf8.csv");
}

#[test]
fn mhlw_example_from_a_libreoffice_workbook() {
    check_mhlw("mhlw_example_libreoffice.xlsx");
}

#[test]
fn ten_faults_give_ten_precise_messages() {
    let import =
        parse_devices(&read_tables(&fixture("ten_faults.csv"), "ten_faults.csv", None).unwrap());
    let errors: Vec<_> = import
        .errors()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "IPアドレス", "duplicate_management_no"),
            (4, "管理番号", "required"),
            (5, "登録日", "invalid_date"),
            (6, "状態", "invalid_device_status"),
            (7, "IPアドレス", "invalid_ip"),
            (8, "種別", "invalid_device_kind"),
            (9, "MACアドレス", "invalid_mac"),
            (10, "リモートメンテナンス", "invalid_flag"),
            (11, "廃棄日", "disposed_on_needs_disposed"),
            (12, "ソフトウェア", "software_name_required"),
        ]
    );
    let first = import.errors().next().unwrap();
    assert_eq!(first.value, "192.168.1.99");
    assert!(first.message_ja.contains("F01") && first.message_en.contains("F01"));
    let date = import.errors().find(|e| e.code == "invalid_date").unwrap();
    assert_eq!(date.value, "2020/13/45");
}
