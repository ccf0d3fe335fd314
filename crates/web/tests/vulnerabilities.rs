//! Feeds imported from the real samples of ../shared/testdata, and a facility's dangerous
//! devices, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use mimamori_app::feeds::{self, FeedFileReport};
use mimamori_app::vulnerabilities::report;
use mimamori_domain::ledger::device::{DeviceInput, InterfaceInput};
use mimamori_store::{Actor, Store};
use mimamori_testkit::{backend_tests, fixed_clock, Backend, TestApp, TestDb};

backend_tests!(
    real_feeds_import_once_and_newer_records_replace_older,
    a_bad_file_imports_nothing_and_says_where,
    a_facility_sees_exploited_exposed_and_ended_devices,
    an_imported_lifecycle_reaches_the_findings,
    jvn_alone_matches_by_its_cpe_and_japanese_version_phrases,
    the_cpe_dictionary_suggests_and_a_mapped_name_is_matched,
    myjvn_json_advisories_are_read_like_the_xml_ones
);

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(path)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

async fn import_path(store: &Store, path: PathBuf) -> FeedFileReport {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    feeds::import(
        store,
        &Actor::system("test"),
        &name,
        day("2026-12-01"),
        move || std::fs::File::open(path),
    )
    .await
    .unwrap()
}

async fn import_bytes(store: &Store, name: &str, bytes: Vec<u8>) -> FeedFileReport {
    feeds::import(
        store,
        &Actor::system("test"),
        name,
        day("2026-12-01"),
        move || Ok(std::io::Cursor::new(bytes)),
    )
    .await
    .unwrap()
}

async fn setup(backend: Backend) -> (TestDb, Store, i64) {
    let db = TestDb::new(backend).await;
    let store = db.store(fixed_clock()).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let organisation = tx.create_organisation("法人").await.unwrap();
    let facility = tx
        .create_facility(organisation.id, &TestApp::facility_profile_for_tests("A"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (db, store, facility.id)
}

/// The CISA KEV catalogue's published shape, for the three FortiOS SSL-VPN flaws.
fn kev_catalogue() -> Vec<u8> {
    let entry = |id: &str, added: &str| {
        serde_json::json!({"cveID": id, "vendorProject": "Fortinet", "product": "FortiOS",
            "vulnerabilityName": "Fortinet FortiOS SSL VPN", "dateAdded": added,
            "shortDescription": "…", "requiredAction": "Apply updates per vendor instructions.",
            "dueDate": added, "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []})
    };
    serde_json::to_vec(&serde_json::json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.11.30",
        "dateReleased": "2026-11-30T17:00:00.0000Z", "count": 3,
        "vulnerabilities": [entry("CVE-2018-13379", "2021-11-03"), entry("CVE-2022-42475", "2022-12-13"),
            entry("CVE-2024-21762", "2024-02-09")]
    }))
    .unwrap()
}

async fn real_feeds_import_once_and_newer_records_replace_older(backend: Backend) {
    let (_db, store, _) = setup(backend).await;
    let page = import_path(&store, testdata("nvd/api2-pages/nvdgo_cves-2023_page.json")).await;
    assert_eq!(
        (page.source.as_str(), page.created, page.error.as_deref()),
        ("nvd", 200, None)
    );
    for file in [
        "CVE-2018-13379.json",
        "CVE-2022-42475.json",
        "CVE-2024-21762.json",
        "CVE-2023-4966.json",
        "osvdev_CVE-2024-3094.json",
    ] {
        let r = import_path(&store, testdata(&format!("nvd/records/{file}"))).await;
        assert_eq!(r.created, 1, "{file}: {r:?}");
    }
    // The same page gzipped, as NVD mirrors serve it: nothing changes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&std::fs::read(testdata("nvd/api2-pages/nvdgo_cves-2023_page.json")).unwrap())
        .unwrap();
    let again = import_bytes(&store, "page.json.gz", gz.finish().unwrap()).await;
    assert_eq!(
        (again.records, again.unchanged, again.created, again.updated),
        (200, 200, 0, 0)
    );
    // A newer lastModified replaces the record; an older one is left.
    let text = std::fs::read_to_string(testdata("nvd/records/CVE-2024-21762.json")).unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&text).unwrap();
    record["lastModified"] = "2030-01-01T00:00:00.000".into();
    let newer = import_bytes(&store, "newer.json", serde_json::to_vec(&record).unwrap()).await;
    assert_eq!(newer.updated, 1, "{newer:?}");
    record["lastModified"] = "2019-01-01T00:00:00.000".into();
    let older = import_bytes(&store, "older.json", serde_json::to_vec(&record).unwrap()).await;
    assert_eq!(older.older, 1, "{older:?}");
    let kev = import_bytes(
        &store,
        "known_exploited_vulnerabilities.json",
        kev_catalogue(),
    )
    .await;
    assert_eq!((kev.source.as_str(), kev.created), ("kev", 3));
    let epss = b"#model_version:v2025.03.14,score_date:2026-11-30T00:00:00+0000\ncve,epss,percentile\nCVE-2024-21762,0.94270,0.99921\nCVE-2018-13379,0.94400,0.99950\n".to_vec();
    let epss = import_bytes(&store, "epss_scores.csv", epss).await;
    assert_eq!((epss.source.as_str(), epss.created), ("epss", 2));
    let jvn = import_path(
        &store,
        testdata("jvn/hnd/getVulnDetailInfo_hnd_JVNDB-2021-002774.xml"),
    )
    .await;
    assert_eq!((jvn.source.as_str(), jvn.created), ("jvn", 1), "{jvn:?}");
    let eol = import_path(&store, testdata("eol/api_v1/api_v1_products_full.json")).await;
    assert_eq!((eol.source.as_str(), eol.created), ("endoflife", 412));
    let status = feeds::status(&store, day("2026-12-01")).await.unwrap();
    let of = |s: &str| status.iter().find(|f| f.source == s).unwrap().clone();
    assert_eq!(of("nvd").records, 205);
    assert_eq!(of("kev").records, 3);
    assert_eq!(
        of("kev").newest.as_deref(),
        Some("2026-11-30T17:00:00.0000Z")
    );
    assert!(
        of("nvd").newest.as_deref().unwrap().starts_with("2030"),
        "the newest record's date"
    );
    assert!(
        of("jvn").age_days.unwrap() > 30,
        "JVN's sample is from 2021: old"
    );
    let records = store
        .cves_for_products(&["fortinet:fortios".to_string()])
        .await
        .unwrap();
    let cve = records.iter().find(|r| r.id == "CVE-2024-21762").unwrap();
    assert!(cve.kev.as_ref().unwrap().ransomware.as_deref() == Some("Known"));
    assert_eq!(cve.epss, Some(0.9427));
    assert_eq!(cve.modified.as_deref(), Some("2030-01-01T00:00:00.000"));
}

async fn a_bad_file_imports_nothing_and_says_where(backend: Backend) {
    let (_db, store, _) = setup(backend).await;
    let page = std::fs::read(testdata("nvd/api2-pages/vunnel_full-page.json")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&page).unwrap();
    let gz = gz.finish().unwrap();
    let cut = import_bytes(&store, "cut.json.gz", gz[..gz.len() / 2].to_vec()).await;
    assert_eq!(cut.error_code.as_deref(), Some("malformed_feed"), "{cut:?}");
    assert!(!cut.written && cut.error.as_deref().unwrap().contains("cut.json.gz"));
    // A page cut mid-record: the records before the cut are not kept either.
    let half = import_bytes(&store, "half.json", page[..page.len() * 2 / 3].to_vec()).await;
    assert_eq!(half.error_code.as_deref(), Some("malformed_feed"));
    assert!(half.error.as_deref().unwrap().contains("line"), "{half:?}");
    let other = import_bytes(
        &store,
        "package.json",
        br#"{"name": "x", "version": "1"}"#.to_vec(),
    )
    .await;
    assert_eq!(other.error_code.as_deref(), Some("not_a_feed"));
    let jvn = import_path(&store, testdata("jvn/oka/dataFeed_jvndb_detail_oka.json")).await;
    assert!(
        jvn.error.is_some(),
        "MyJVN's published sample is not valid JSON"
    );
    let xml = std::fs::read(testdata("jvn/hnd/dataFeed_jvndb_detail_hnd.xml")).unwrap();
    let xml = import_bytes(&store, "detail.xml", xml[..xml.len() / 2].to_vec()).await;
    assert_eq!(xml.error_code.as_deref(), Some("malformed_feed"), "{xml:?}");
    assert_eq!(store.cve_count().await.unwrap(), 0);
    let status = feeds::status(&store, day("2026-12-01")).await.unwrap();
    assert!(status
        .iter()
        .filter(|s| s.source != "endoflife")
        .all(|s| s.records == 0));
    // The whole gzipped page imports: the cut ones failed on their own.
    let whole = import_bytes(&store, "whole.json.gz", gz).await;
    assert_eq!(whole.created, 38);
}

fn device(
    no: &str,
    kind: &str,
    model: &str,
    os: &str,
    version: &str,
    ip: &str,
    segment: &str,
) -> mimamori_domain::ledger::device::Device {
    DeviceInput {
        management_no: no.into(),
        kind: kind.into(),
        model: model.into(),
        os_name: os.into(),
        os_version: version.into(),
        status: "稼働".into(),
        interfaces: vec![InterfaceInput {
            ip: ip.into(),
            segment: segment.into(),
            ..Default::default()
        }],
        ..Default::default()
    }
    .validate()
    .unwrap()
    .device
}

async fn a_facility_sees_exploited_exposed_and_ended_devices(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    for file in [
        "CVE-2018-13379.json",
        "CVE-2022-42475.json",
        "CVE-2024-21762.json",
        "CVE-2020-0796.json",
    ] {
        import_path(&store, testdata(&format!("nvd/records/{file}"))).await;
    }
    import_bytes(&store, "kev.json", kev_catalogue()).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    for d in [
        device(
            "NW-01",
            "network",
            "FortiGate 60F",
            "FortiOS",
            "7.2.6",
            "203.0.113.10",
            "インターネット",
        ),
        device(
            "NW-02",
            "network",
            "FortiGate 40F",
            "FortiOS",
            "7.0.12",
            "10.0.0.1",
            "院内",
        ),
        device(
            "NW-03",
            "network",
            "FortiGate 60F",
            "",
            "",
            "10.0.0.2",
            "院内",
        ),
        device(
            "PC-01",
            "pc",
            "",
            "Windows 10 Pro",
            "1903",
            "10.0.1.1",
            "院内",
        ),
        device("PC-02", "pc", "", "Win8", "", "10.0.1.2", "院内"),
        device(
            "PC-03",
            "pc",
            "",
            "Windows 11 Pro",
            "25H2",
            "10.0.1.3",
            "院内",
        ),
        device(
            "MD-01",
            "medical_device",
            "",
            "専用OS",
            "",
            "10.0.2.1",
            "医療機器",
        ),
    ] {
        tx.create_device(facility, &d).await.unwrap();
    }
    tx.commit().await.unwrap();
    let report = report(&store, facility, day("2026-12-01")).await.unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let of = |no: &str| {
        json["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device"] == no)
            .unwrap()
            .clone()
    };
    let ids = |d: &serde_json::Value| {
        d["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        report.exploited_devices, 3,
        "NW-01, NW-02 and PC-01 (SMBGhost is in KEV)"
    );
    assert_eq!(
        report.exploited_exposed_devices, 2,
        "the two FortiGates are edge devices; PC-01 is inside"
    );
    assert_eq!(
        json["devices"][0]["device"], "NW-01",
        "exploited and exposed first"
    );
    assert_eq!(ids(&of("NW-01")), ["CVE-2024-21762"]);
    assert_eq!(of("NW-01")["vulnerabilities"][0]["kev"], true);
    assert!(of("NW-01")["exposure"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "edge"));
    assert_eq!(ids(&of("NW-02")), ["CVE-2024-21762"], "7.0.12 < 7.0.14");
    // No version written: every FortiOS flaw is "version unknown — check", never "affected".
    let unknown = of("NW-03");
    assert!(unknown["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["status"] == "version_unknown"));
    assert_eq!(unknown["vulnerabilities"].as_array().unwrap().len(), 3);
    assert_eq!(ids(&of("PC-01")), ["CVE-2020-0796"]);
    assert_eq!(of("PC-01")["end_of_life"][0]["ended_on"], "2020-12-08");
    assert_eq!(of("PC-02")["end_of_life_state"], "ended");
    assert_eq!(of("PC-03")["end_of_life"], serde_json::json!([]));
    assert_eq!(of("PC-03")["end_of_life_state"], "supported");
    assert_eq!(
        json["unidentified"],
        serde_json::json!([{"device": "MD-01", "device_id": of("MD-01")["device_id"], "text": "専用OS"}])
    );
    // Ended on the day the data says: FortiOS 7.2 was supported through 2026-09-30.
    let before = report_on(&store, facility, "2026-09-30").await;
    assert_eq!(
        before["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device"] == "NW-01")
            .unwrap()["end_of_life_state"],
        "supported"
    );
}

async fn report_on(store: &Store, facility: i64, on: &str) -> serde_json::Value {
    serde_json::to_value(report(store, facility, day(on)).await.unwrap()).unwrap()
}

async fn an_imported_lifecycle_reaches_the_findings(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(
        facility,
        &device(
            "NW-01",
            "network",
            "FortiGate 60F",
            "FortiOS",
            "7.4.3",
            "10.0.0.1",
            "院内",
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let today = day("2026-11-21");
    let hit = |store: Store| async move {
        let found = store.facility_findings(facility, today).await.unwrap();
        found
            .findings
            .iter()
            .any(|f| f.rule == "device.end_of_life_os")
    };
    assert!(
        !hit(store.clone()).await,
        "FortiOS 7.4 is supported until 2028"
    );
    // A newer product file (dated by its import) that ends 7.4 early reaches the cached findings.
    let file = std::fs::read_to_string(testdata("eol/products/fortios.md"))
        .unwrap()
        .replace("eol: 2028-11-11", "eol: 2026-01-31");
    let r = feeds::import(
        &store,
        &Actor::system("test"),
        "fortios.md",
        day("2026-11-30"),
        move || Ok(std::io::Cursor::new(file.into_bytes())),
    )
    .await
    .unwrap();
    assert_eq!((r.source.as_str(), r.created), ("endoflife", 1), "{r:?}");
    assert!(hit(store.clone()).await);
}

/// A VULDEF document as MyJVN serves it, for a FortiOS flaw NVD has not analysed yet.
fn vuldef(cve: &str, versions: &[&str]) -> Vec<u8> {
    let versions: String = versions
        .iter()
        .map(|v| format!("<VersionNumber>{v}</VersionNumber>"))
        .collect();
    format!(r#"<?xml version="1.0" encoding="UTF-8"?>
<VULDEF-Document version="3.2" xmlns="http://jvn.jp/vuldef/" xmlns:vuldef="http://jvn.jp/vuldef/" xml:lang="ja">
  <Vulinfo>
    <VulinfoID>JVNDB-2099-000001</VulinfoID>
    <VulinfoData>
      <Title>FortiOS の SSL-VPN における境界外書き込みの脆弱性</Title>
      <VulinfoDescription><Overview>FortiOS には境界外書き込みの脆弱性が存在します。</Overview></VulinfoDescription>
      <Affected><AffectedItem><Name>フォーティネット</Name><ProductName>FortiOS</ProductName>
        <Cpe version="2.2">cpe:/o:fortinet:fortios</Cpe>{versions}</AffectedItem></Affected>
      <Related><RelatedItem type="advisory"><Name>Common Vulnerabilities and Exposures (CVE)</Name><VulinfoID>{cve}</VulinfoID></RelatedItem></Related>
      <History><HistoryItem><HistoryNo>1</HistoryNo></HistoryItem></History>
      <DateLastUpdated>2026-11-28T12:00:00+09:00</DateLastUpdated>
    </VulinfoData>
  </Vulinfo>
</VULDEF-Document>"#)
    .into_bytes()
}

async fn jvn_alone_matches_by_its_cpe_and_japanese_version_phrases(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    for (no, version) in [("NW-01", "7.2.4"), ("NW-02", "7.2.6"), ("NW-03", "")] {
        tx.create_device(
            facility,
            &device(
                no,
                "network",
                "FortiGate 60F",
                "FortiOS",
                version,
                "10.0.0.1",
                "院内",
            ),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let jvn = import_bytes(
        &store,
        "jvndb.xml",
        vuldef(
            "CVE-2099-0001",
            &["7.2.5より前のバージョン", "6.4.15 およびそれ以前"],
        ),
    )
    .await;
    assert!(jvn.written, "{jvn:?}");
    let report = report_on(&store, facility, "2026-12-01").await;
    let of = |no: &str| {
        report["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device"] == no)
            .unwrap()["vulnerabilities"]
            .clone()
    };
    assert_eq!(of("NW-01")[0]["id"], "CVE-2099-0001");
    assert_eq!(of("NW-01")[0]["status"], "affected");
    assert_eq!(
        of("NW-01")[0]["title_ja"],
        "FortiOS の SSL-VPN における境界外書き込みの脆弱性"
    );
    assert_eq!(
        of("NW-01")[0]["sources"],
        serde_json::json!(["JVN"]),
        "JVN alone"
    );
    assert_eq!(of("NW-02"), serde_json::json!([]), "7.2.6 is past the fix");
    assert_eq!(of("NW-03")[0]["status"], "version_unknown");
    let status = feeds::status(&store, day("2026-12-01")).await.unwrap();
    assert_eq!(
        status.iter().find(|f| f.source == "nvd").unwrap().records,
        0,
        "JVN's CVE is not counted as NVD's"
    );
    // NVD's record of the same CVE, once it comes, is the one matched; both sources shown.
    let text = std::fs::read_to_string(testdata("nvd/records/CVE-2024-21762.json")).unwrap();
    let nvd = text.replace("CVE-2024-21762", "CVE-2099-0001");
    let imported = import_bytes(&store, "nvd.json", nvd.into_bytes()).await;
    assert_eq!(imported.updated + imported.created, 1, "{imported:?}");
    let report = report_on(&store, facility, "2026-12-01").await;
    let nw02 = report["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == "NW-02")
        .unwrap()["vulnerabilities"][0]
        .clone();
    assert_eq!(
        nw02["id"], "CVE-2099-0001",
        "NVD's ranges: 7.2.6 < 7.2.7 is affected"
    );
    // The template record carries its KEV fields (NVD gives them inside the record).
    assert_eq!(
        nw02["sources"],
        serde_json::json!(["NVD", "JVN", "CISA KEV"])
    );
}

async fn the_cpe_dictionary_suggests_and_a_mapped_name_is_matched(backend: Backend) {
    let (_db, store, facility) = setup(backend).await;
    let page = import_path(&store, testdata("nvd/cpe/nvdgo_cpes-2023_page.json.gz")).await;
    assert_eq!(
        (page.source.as_str(), page.error.as_deref()),
        ("cpe", None),
        "{page:?}"
    );
    assert!(page.created > 9_000, "{page:?}");
    let again = import_path(&store, testdata("nvd/cpe/nvdgo_cpes-2023_page.json.gz")).await;
    assert_eq!(
        again.created + again.updated,
        0,
        "a re-import changes nothing: {again:?}"
    );
    // The dictionary's Japanese titles answer a Japanese ledger's words.
    // A match criteria page adds the concrete names a range stands for.
    let matches = import_path(
        &store,
        testdata("nvd/cpe/nvdgo_cpematch-CVE-2022-32223.json"),
    )
    .await;
    assert_eq!(
        (matches.source.as_str(), matches.error.as_deref()),
        ("cpe", None),
        "{matches:?}"
    );
    assert!(matches.records > 0, "{matches:?}");
    let found = store.cpe_suggestions("スリーコム", 5).await.unwrap();
    assert!(found.iter().any(|e| e.name.contains(":3com:")), "{found:?}");
    assert!(store.cpe_suggestions("", 5).await.unwrap().is_empty());
    // A text no rule knows, mapped to a dictionary name, is matched with its written version.
    import_path(&store, testdata("nvd/records/CVE-2024-21762.json")).await;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    tx.create_device(
        facility,
        &device(
            "UTM-01",
            "network",
            "",
            "UTM専用OS",
            "7.2.6",
            "10.0.0.1",
            "院内",
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let before = report_on(&store, facility, "2026-12-01").await;
    assert_eq!(before["unidentified"][0]["text"], "UTM専用OS 7.2.6");
    let organisation = store.facility(facility).await.unwrap().organisation_id;
    mimamori_app::vulnerabilities::mappings::confirm(
        &store,
        &Actor::system("admin"),
        organisation,
        "UTM専用OS 7.2.6",
        "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
    )
    .await
    .unwrap();
    let after = report_on(&store, facility, "2026-12-01").await;
    assert_eq!(after["unidentified"], serde_json::json!([]));
    let utm = &after["devices"][0];
    assert_eq!(utm["vulnerabilities"][0]["id"], "CVE-2024-21762", "{utm}");
    assert_eq!(utm["vulnerabilities"][0]["status"], "affected");
    assert_eq!(
        utm["end_of_life_state"], "no_data",
        "no end of support is assumed"
    );
}

async fn myjvn_json_advisories_are_read_like_the_xml_ones(backend: Backend) {
    let (_db, store, _) = setup(backend).await;
    let json = import_path(
        &store,
        testdata("jvn/oka/getVulnDetailInfo_oka_JVNDB-2021-002774.json"),
    )
    .await;
    assert_eq!(
        (json.source.as_str(), json.created, json.error.as_deref()),
        ("jvn", 1, None),
        "{json:?}"
    );
    let xml = import_path(
        &store,
        testdata("jvn/hnd/getVulnDetailInfo_hnd_JVNDB-2021-002774.xml"),
    )
    .await;
    assert_eq!(xml.source, "jvn");
    // The same advisory in JSON and in XML: one CVE, with its Japanese title.
    let records = store
        .cves_for_products(&["trendmicro:serverprotect".to_string()])
        .await
        .unwrap();
    let cve = records
        .iter()
        .find(|r| r.id == "CVE-2021-36745")
        .expect("found by JVN's product");
    assert_eq!(
        cve.title_ja.as_deref(),
        Some("トレンドマイクロ製 ServerProtect における認証回避の脆弱性")
    );
    assert_eq!(cve.jvn_ids, ["JVNDB-2021-002774"]);
    let csaf = import_path(
        &store,
        testdata("jvn/oka/getVulnDetailInfo_oka_jvncsaf.json"),
    )
    .await;
    // MyJVN's CSAF example: its version branches carry their own CPE names.
    assert_eq!((csaf.written, csaf.created), (true, 1), "{csaf:?}");
    let example = store
        .cves_for_products(&["dendai.ac.jp:myjvn_api".to_string()])
        .await
        .unwrap();
    assert_eq!(example[0].id, "CVE-2025-0000");
    // The published data feed with `"retMax": ,` is refused by name and position, nothing kept.
    let broken = import_path(&store, testdata("jvn/oka/dataFeed_jvndb_detail_oka.json")).await;
    assert!(
        !broken.written
            && broken
                .error
                .as_deref()
                .unwrap()
                .contains("dataFeed_jvndb_detail_oka.json"),
        "{broken:?}"
    );
}
