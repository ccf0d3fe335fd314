use super::*;

fn sheet(rows: &[&[&str]]) -> Vec<Sheet> {
    vec![Sheet {
        name: "台帳".into(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
    }]
}

const MHLW_HEADER: &[&str] = &[
    "管理番号",
    "メーカー",
    "OS",
    "ソフトウェア",
    "ソフトウェアバージョン",
    "IPアドレス",
    "コンピュータ名",
    "設置場所",
    "利用者",
    "登録日",
    "状態",
    "説明",
];

#[test]
fn the_mhlw_example_reads_with_masked_ip_warnings() {
    let import = parse_devices(&sheet(&[
        &["最終更新日：2024年7月1日"],
        &[],
        MHLW_HEADER,
        &[
            "001",
            "A社",
            "Win11",
            "〇〇電子カルテ",
            "2.0",
            "192.168.〇.〇",
            "Room1のPC1",
            "Room1",
            "a医師 (〇〇科)",
            "2020/12/1",
            "稼働",
            "",
        ],
        &[
            "002",
            "A社",
            "Win11",
            "〇〇電子カルテ",
            "1.2",
            "192.168.〇.〇",
            "Room1のPC2",
            "Room1",
            "b医師 (〇〇科)",
            "2020/12/1",
            "停止",
            "メンテナンス",
        ],
    ]));
    assert_eq!(import.devices.len(), 2);
    assert!(!import.has_errors());
    assert_eq!(import.warnings().count(), 2);
    assert_eq!(import.warnings().next().unwrap().row, 4);
    assert_eq!(import.warnings().next().unwrap().column, "IPアドレス");
}

#[test]
fn repeated_numbers_add_software_but_must_not_conflict() {
    let import = parse_devices(&sheet(&[
        &["management no", "hostname", "software", "version"],
        &["１", "pc-1", "EHR", "2.0"],
        &["1", "", "Office", "2021"],
        &["2", "pc-2", "EHR", "2.0"],
        &["2", "pc-X", "Office", "2021"],
    ]));
    assert_eq!(import.devices.len(), 1);
    assert_eq!(import.devices[0].device.software.len(), 2);
    let error = import.errors().next().unwrap();
    assert_eq!(
        (error.row, error.column.as_str(), error.value.as_str()),
        (5, "hostname", "pc-X")
    );
}

#[test]
fn export_then_parse_gives_the_same_devices() {
    let import = parse_devices(&sheet(&[
        &[
            "管理番号",
            "種別",
            "IPアドレス",
            "コンピュータ名",
            "ソフトウェア",
            "説明",
            "登録日",
        ],
        &[
            "S-1",
            "サーバ",
            "10.0.0.1\n192.168.1.1",
            "ehr-db\nehr-db-b",
            "DB",
            "=danger",
            "R2.4.1",
        ],
        &["S-1", "", "", "", "Backup", "", ""],
    ]));
    assert!(!import.has_errors(), "{:?}", import.problems);
    let devices: Vec<Device> = import.devices.iter().map(|p| p.device.clone()).collect();
    let header = LedgerHeader {
        title: "機器台帳".into(),
        facility: "F".into(),
        last_updated: None,
        last_updated_by: None,
        last_confirmed: None,
    };
    let table = device_table(&header, &devices);
    let (bytes, _) = crate::write::csv(&table, crate::write::Encoding::Cp932);
    let again = parse_devices(&crate::table::read_tables(&bytes, "x.csv", None).unwrap());
    assert!(!again.has_errors(), "{:?}", again.problems);
    let round: Vec<Device> = again.devices.iter().map(|p| p.device.clone()).collect();
    assert_eq!(round, devices);
    assert_eq!(round[0].interfaces.len(), 2);
    let xlsx = crate::write::xlsx(&table).unwrap();
    let from_xlsx = parse_devices(&crate::table::read_tables(&xlsx, "x.xlsx", None).unwrap());
    assert_eq!(
        from_xlsx
            .devices
            .iter()
            .map(|p| p.device.clone())
            .collect::<Vec<_>>(),
        devices
    );
}

/// A device's software rows far below its first row (in another chunk) still join it; devices
/// come in file order, problems at their rows.
#[test]
fn rows_of_one_device_far_apart_join_it() {
    let mut rows: Vec<Vec<String>> = vec![["management no", "hostname", "software", "status"]
        .map(String::from)
        .to_vec()];
    let devices = 4_000;
    for i in 0..devices {
        let status = if i == 1_234 { "壊れた" } else { "稼働" };
        rows.push(vec![
            format!("PC-{i}"),
            format!("h{i}"),
            "EHR".into(),
            status.into(),
        ]);
    }
    // Software rows of the first device, after every other device (another thread's share).
    rows.push(vec![
        "ＰＣ－０".into(),
        String::new(),
        "Office".into(),
        String::new(),
    ]);
    rows.push(vec![
        "PC-0".into(),
        "other".into(),
        "Viewer".into(),
        String::new(),
    ]);
    let import = parse_devices(&[Sheet {
        name: "台帳".into(),
        rows,
    }]);
    assert_eq!(
        import.devices.len(),
        devices - 2,
        "PC-0 conflicts, PC-1234 fails"
    );
    assert_eq!(import.devices[0].device.management_no, "PC-1");
    assert_eq!(import.devices[0].row, 3);
    let last = import.devices.last().unwrap();
    assert_eq!(
        (last.device.management_no.as_str(), last.row),
        ("PC-3999", 4_001)
    );
    let errors: Vec<(usize, &str)> = import
        .errors()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(errors, [(1_236, "status"), (devices + 3, "hostname")]);
}

/// Read in chunks of any size, a file gives the devices and problems it gives read whole.
#[test]
fn chunks_of_any_size_give_what_the_whole_file_gives() {
    let mut rows: Vec<Vec<String>> = vec![
        vec!["機器台帳".into()],
        ["管理番号", "ホスト名", "ソフトウェア", "稼働状況"]
            .map(String::from)
            .to_vec(),
    ];
    for i in 0..50 {
        let status = if i % 7 == 3 { "壊れた" } else { "稼働" };
        rows.push(vec![
            format!("PC-{}", i % 23),
            format!("h{}", i % 23),
            format!("S{i}"),
            status.into(),
        ]);
        if i % 11 == 0 {
            rows.push(vec!["合計 ９台".into()]);
            rows.push(Vec::new());
        }
    }
    let sheets = [Sheet {
        name: "台帳".into(),
        rows,
    }];
    let whole = parse_devices(&sheets);
    assert!(!whole.devices.is_empty() && whole.has_errors());
    let header = DeviceHeader::find(&sheets, None).unwrap();
    for size in [1, 2, 7, 1_000] {
        let mut devices = Vec::new();
        let mut problems = Vec::new();
        let mut chunks = 0;
        header
            .stream(&mut crate::rows::HeldRows(&sheets), size, &mut |chunk| {
                assert!(chunk.devices.len() <= size);
                chunks += 1;
                devices.extend(chunk.devices.into_iter().map(|d| (d.row, d.device)));
                problems.extend(chunk.problems);
                crate::table::Flow::Continue
            })
            .unwrap();
        problems.sort_by_key(|p| (p.row, p.severity == Severity::Warning));
        let expected: Vec<_> = whole
            .devices
            .iter()
            .map(|d| (d.row, d.device.clone()))
            .collect();
        assert_eq!(devices, expected, "chunks of {size}");
        assert_eq!(problems, whole.problems, "chunks of {size}");
        assert!(chunks >= devices.len() / size, "chunks of {size}: {chunks}");
    }
}
