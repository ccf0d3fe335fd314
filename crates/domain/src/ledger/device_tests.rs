use super::*;

fn mhlw_row() -> DeviceInput {
    DeviceInput {
        management_no: "００１".into(),
        maker: "A社".into(),
        os_name: "Win11".into(),
        location: "Room1".into(),
        users: "a医師 (〇〇科)".into(),
        registered_on: "2020/12/1".into(),
        status: "稼働".into(),
        software: vec![SoftwareInput {
            name: "〇〇電子カルテ".into(),
            version: "2.0".into(),
            vendor: String::new(),
        }],
        interfaces: vec![InterfaceInput {
            ip: "192.168.〇.〇".into(),
            hostname: "Room1のPC1".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn the_mhlw_example_row_is_valid_with_a_warning() {
    let checked = mhlw_row().validate().unwrap();
    assert_eq!(checked.device.management_no, "001");
    assert_eq!(checked.device.kind, DeviceKind::Pc);
    assert_eq!(checked.device.status, DeviceStatus::Active);
    assert_eq!(
        checked.device.registered_on,
        NaiveDate::from_ymd_opt(2020, 12, 1)
    );
    assert_eq!(checked.device.interfaces[0].ip, None);
    assert_eq!(checked.warnings[0].code, "ip_masked");
}

#[test]
fn every_fault_is_reported() {
    let mut row = mhlw_row();
    row.management_no = String::new();
    row.status = "壊れた".into();
    row.registered_on = "2020/13/1".into();
    row.kind = "宇宙船".into();
    row.interfaces[0].ip = "999.1.1.1".into();
    row.interfaces[0].mac = "xyz".into();
    row.remote_maintenance = "たぶん".into();
    let codes: Vec<_> = row
        .validate()
        .unwrap_err()
        .0
        .iter()
        .map(|i| i.code)
        .collect();
    for code in [
        "required",
        "invalid_device_status",
        "invalid_date",
        "invalid_device_kind",
        "invalid_ip",
        "invalid_mac",
        "invalid_flag",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
}

#[test]
fn search_text_is_width_and_case_insensitive() {
    let device = mhlw_row().validate().unwrap().device;
    assert!(device.search_text().contains("room1のpc1"));
    assert!(device.search_text().contains(&search_key("ＲＯＯＭ１")));
}

#[test]
fn round_trips_through_input() {
    let device = mhlw_row().validate().unwrap().device;
    assert_eq!(
        DeviceInput::from(&device).validate().unwrap().device,
        device
    );
}

#[test]
fn kinds_and_statuses_accept_common_words() {
    assert_eq!(DeviceKind::parse("サーバー"), Some(DeviceKind::Server));
    assert_eq!(DeviceKind::parse("ＶＰＮルータ"), Some(DeviceKind::Network));
    assert_eq!(
        DeviceKind::parse("medical_device"),
        Some(DeviceKind::MedicalDevice)
    );
    assert_eq!(DeviceStatus::parse("廃棄"), Some(DeviceStatus::Disposed));
    assert_eq!(DeviceStatus::parse("Active"), Some(DeviceStatus::Active));
}
