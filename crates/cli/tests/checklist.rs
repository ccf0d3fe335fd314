//! `mimamori catalog`, `mimamori findings` and `mimamori export checklist` on the demo hospital,
//! on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mimamori_domain::clock::fiscal_year;
use mimamori_testkit::{backend_tests, Backend, TestDb};
use support::{run, stderr, stdout, Server};

backend_tests!(demo_findings_catalogue_and_checklist_export);

fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    run(db.dir.path(), Some(&db.url), args, None)
}

async fn demo_findings_catalogue_and_checklist_export(backend: Backend) {
    let db = TestDb::new(backend).await;
    drop(Server::start(db.dir.path(), Some(&db.url), &["--demo"]));
    let year = fiscal_year(chrono::Utc::now().date_naive()).to_string();

    // Findings arise from the demo ledger itself.
    let out = cli(
        &db,
        &[
            "findings",
            "--facility",
            "mimamori-general",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"device.end_of_life_os"), "{rules:?}");
    let text = stdout(&cli(
        &db,
        &[
            "findings",
            "--facility",
            "mimamori-general",
            "--format",
            "text",
        ],
    ));
    assert!(
        text.contains("[高]") && text.contains("対象 / records"),
        "{text}"
    );

    // The catalogue: nine built-in editions; an R8 file imports as "imported".
    let list: serde_json::Value =
        serde_json::from_str(&stdout(&cli(&db, &["catalog", "list", "--format", "json"]))).unwrap();
    assert!(list.as_array().unwrap().len() >= 9);
    let r7 = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../catalog/checklist/r7-facility.yaml"),
    )
    .unwrap();
    let r8 = r7
        .replace("fiscal_year: 2025", "fiscal_year: 2030")
        .replace("edition: R7", "edition: R12");
    let file = db.dir.path().join("r12.yaml");
    std::fs::write(&file, r8).unwrap();
    let out = cli(&db, &["catalog", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&cli(&db, &["catalog", "list"]));
    assert!(
        table.contains("2030") && table.contains("ファイルから取込"),
        "{table}"
    );
    std::fs::write(&file, "schema: 1\nitems: [\n").unwrap();
    let out = cli(&db, &["catalog", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("行") && stderr(&out).contains("line"),
        "{}",
        stderr(&out)
    );

    // The demo's own form and a vendor form, as XLSX read back.
    let out_file = db.dir.path().join("own.xlsx");
    let out = cli(
        &db,
        &[
            "export",
            "checklist",
            "--facility",
            "mimamori-general",
            "--fiscal-year",
            &year,
            "--form",
            "facility",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read(&out_file, "医療機関確認用");
    assert!(
        rows.iter()
            .any(|r| r[0] == "3-(2)" && r[2] == "いいえ" && !r[5].is_empty()),
        "backup answered no with a target"
    );
    assert!(rows.iter().any(|r| r[0] == "1-(1)" && r[2] == "はい"));
    let vendor_file = db.dir.path().join("vendor.xlsx");
    let out = cli(
        &db,
        &[
            "export",
            "checklist",
            "--facility",
            "mimamori-general",
            "--fiscal-year",
            &year,
            "--form",
            "vendor",
            "--vendor",
            "画像システム株式会社",
            "--out",
            vendor_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read(&vendor_file, "事業者確認用");
    assert!(rows.iter().any(|r| r[0].contains("画像システム株式会社")));
    let out = cli(
        &db,
        &[
            "export",
            "checklist",
            "--facility",
            "mimamori-general",
            "--fiscal-year",
            &year,
            "--form",
            "vendor",
            "--vendor",
            "無い会社",
            "--out",
            vendor_file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("事業者確認用がありません"));
}

fn read(path: &std::path::Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::DateTime(d) => d.as_datetime().unwrap().date().to_string(),
                    o => o.to_string(),
                })
                .collect()
        })
        .collect()
}
