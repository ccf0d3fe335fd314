//! `mimamori import` / `mimamori export` as an operator runs them, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mimamori_testkit::{backend_tests, Backend, TestDb};
use support::{run, stderr, stdout};

backend_tests!(
    mhlw_example_imports_from_xlsx_and_cp932,
    faulty_file_writes_nothing_unless_told,
    export_then_import_changes_nothing
);

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/fixtures")
        .join(name)
}

fn setup(db: &TestDb) {
    let output = run(
        db.dir.path(),
        Some(&db.url),
        &[
            "facility",
            "create",
            "--code",
            "HOSP",
            "--name",
            "市民病院",
            "--kind",
            "hospital",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

fn import(db: &TestDb, file: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import",
        "devices",
        file.to_str().unwrap(),
        "--facility",
        "HOSP",
    ];
    args.extend_from_slice(extra);
    run(db.dir.path(), Some(&db.url), &args, None)
}

async fn mhlw_example_imports_from_xlsx_and_cp932(backend: Backend) {
    let db = TestDb::new(backend).await;
    setup(&db);
    let output = import(&db, &fixture("mhlw_example_libreoffice.xlsx"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("新規 created 4"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        stderr(&output).matches("警告/warning").count(),
        4,
        "only the masked IPs warn"
    );
    let again = import(
        &db,
        &fixture("mhlw_example_cp932.csv"),
        &["--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(
        (
            report["created"].as_u64(),
            report["unchanged"].as_u64(),
            report["errors"].as_u64()
        ),
        (Some(0), Some(4), Some(0))
    );
    assert_eq!(report["problems"][0]["column"], "IPアドレス");
}

async fn faulty_file_writes_nothing_unless_told(backend: Backend) {
    let db = TestDb::new(backend).await;
    setup(&db);
    let output = import(&db, &fixture("ten_faults.csv"), &[]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert_eq!(errors.matches("エラー/error").count(), 10, "{errors}");
    assert!(
        errors.contains("ten_faults 5行 列「登録日」 値「2020/13/45」"),
        "{errors}"
    );
    assert!(stdout(&output).contains("nothing written"));
    let dry = import(
        &db,
        &fixture("ten_faults.csv"),
        &["--dry-run", "--skip-invalid", "--format", "json"],
    );
    assert_eq!(dry.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_str(&stdout(&dry)).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["written"].as_bool()),
        (Some(0), Some(false))
    );
    let skip = import(
        &db,
        &fixture("ten_faults.csv"),
        &["--skip-invalid", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&skip)).unwrap();
    assert_eq!(
        (report["written"].as_bool(), report["errors"].as_u64()),
        (Some(true), Some(10))
    );
    let verify = run(db.dir.path(), Some(&db.url), &["audit", "verify"], None);
    assert!(verify.status.success());
}

async fn export_then_import_changes_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    setup(&db);
    import(&db, &fixture("mhlw_example_cp932.csv"), &[]);
    for (format, encoding, name) in [
        ("xlsx", "utf-8", "out.xlsx"),
        ("csv", "utf-8", "out.csv"),
        ("csv", "cp932", "out-sjis.csv"),
    ] {
        let out = db.dir.path().join(name);
        let output = run(
            db.dir.path(),
            Some(&db.url),
            &[
                "export",
                "devices",
                "--facility",
                "HOSP",
                "--format",
                format,
                "--encoding",
                encoding,
                "--out",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let again = import(&db, &out, &["--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
        assert_eq!(
            (
                report["created"].as_u64(),
                report["updated"].as_u64(),
                report["unchanged"].as_u64(),
                report["errors"].as_u64()
            ),
            (Some(0), Some(0), Some(4), Some(0)),
            "{name}: {report}"
        );
    }
    let bytes = std::fs::read(db.dir.path().join("out.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 CSV has a BOM");
}
