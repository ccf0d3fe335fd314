//! `mimamori import staff|accounts` and `mimamori export accounts` on the demo hospital, on both
//! backends: the demo's account findings, an HR roster in CP932, a user export read with a
//! mapping file that is then remembered, and the ledger exported and read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mimamori_testkit::{backend_tests, Backend, TestDb};
use support::{run, stderr, stdout, Server};

backend_tests!(staff_and_accounts_through_the_cli);

fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    run(db.dir.path(), Some(&db.url), args, None)
}

async fn staff_and_accounts_through_the_cli(backend: Backend) {
    let db = TestDb::new(backend).await;
    drop(Server::start(db.dir.path(), Some(&db.url), &["--demo"]));
    let facility = ["--facility", "mimamori-general"];
    let out = cli(
        &db,
        &["findings", facility[0], facility[1], "--format", "json"],
    );
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "accounts.leaver",
        "accounts.shared",
        "accounts.privileged_without_owner",
        "accounts.unused",
    ] {
        assert!(rules.contains(&rule), "demo triggers {rule}: {rules:?}");
    }

    // An HR export in CP932 with a title row: two new people, one bad date located.
    let dir = db.dir.path();
    let hr = "職員名簿 2026年11月\r\n職員番号,氏名,職種,退職日\r\n90001,新人 一郎,看護師,\r\n90002,新人 二郎,医師,令和9年13月1日\r\n";
    let (hr, _, _) = encoding_rs::SHIFT_JIS.encode(hr);
    std::fs::write(dir.join("hr.csv"), hr.as_ref()).unwrap();
    let path = dir.join("hr.csv");
    let out = cli(
        &db,
        &[
            "import",
            "staff",
            path.to_str().unwrap(),
            facility[0],
            facility[1],
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("4") && stderr(&out).contains("退職日"),
        "{}",
        stderr(&out)
    );
    let out = cli(
        &db,
        &[
            "import",
            "staff",
            path.to_str().unwrap(),
            facility[0],
            facility[1],
            "--skip-invalid",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // A lab system's export with its own column names, read through a mapping file.
    std::fs::write(
        dir.join("map.json"),
        r#"{"login_id": "UID", "display_name": "NAME", "owners": "EMPNO", "privileges": "RIGHTS"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("lab.csv"),
        "UID,NAME,EMPNO,RIGHTS\nlab90001,新人 一郎,90001,検査結果:更新\nqc,精度管理,,検査結果:参照\n",
    )
    .unwrap();
    let lab = dir.join("lab.csv");
    let map = dir.join("map.json");
    let system = ["--system", "検査システム"];
    let args = |extra: &[&str]| {
        let mut a = vec![
            "import",
            "accounts",
            lab.to_str().unwrap(),
            facility[0],
            facility[1],
            system[0],
            system[1],
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    // It would delete the demo's 12 lab accounts: refused until the removal is confirmed.
    let refused = args(&["--mapping", map.to_str().unwrap()]);
    let out = cli(&db, &refused.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["needs_confirmation"], true);
    assert_eq!(report["written"], false);
    assert_eq!(report["problems"][0]["code"], "mass_removal");
    let owned = args(&["--mapping", map.to_str().unwrap(), "--allow-mass-removal"]);
    let out = cli(&db, &owned.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["created"], serde_json::json!(["lab90001", "qc"]));
    assert_eq!(
        report["disabled"].as_array().unwrap().len(),
        12,
        "the demo's lab accounts are gone from this export"
    );
    // Again, without the mapping: the saved one is used and nothing changes.
    let owned = args(&[]);
    let out = cli(&db, &owned.iter().map(String::as_str).collect::<Vec<_>>());
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["unchanged"], 2, "{report}");

    let xlsx = dir.join("accounts.xlsx");
    let out = cli(
        &db,
        &[
            "export",
            "accounts",
            facility[0],
            facility[1],
            system[0],
            system[1],
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sheets =
        mimamori_formats::read_tables(&std::fs::read(&xlsx).unwrap(), "a.xlsx", None).unwrap();
    let row = sheets[0]
        .rows
        .iter()
        .find(|r| r.iter().any(|c| c == "lab90001"))
        .expect("lab90001 exported");
    assert!(
        row.iter().any(|c| c == "90001") && row.iter().any(|c| c.contains("検査結果")),
        "{row:?}"
    );
}
