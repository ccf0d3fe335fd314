//! The labelled set of ledger texts and the CVEs of the sample NVD records they are affected by
//! (tests/data/cve-cases.tsv), run through identification and matching as the product does,
//! with precision and recall reported. A blank version must give "version unknown", never
//! "affected" and never nothing.

use super::cve::CveRecord;
use super::identify::{identify, DeviceText, Identification};
use super::matching::{exposure, Exposure, Platform};
use super::nvd::NvdCve;

const CASES: &str = include_str!("../../tests/data/cve-cases.tsv");

fn records() -> Vec<CveRecord> {
    [
        include_str!("../../tests/data/nvd/CVE-2018-13379.json"),
        include_str!("../../tests/data/nvd/CVE-2022-42475.json"),
        include_str!("../../tests/data/nvd/CVE-2024-21762.json"),
        include_str!("../../tests/data/nvd/CVE-2023-4966.json"),
        include_str!("../../tests/data/nvd/CVE-2020-0796.json"),
    ]
    .iter()
    .map(|json| {
        let cve: NvdCve = serde_json::from_str(json).expect("an NVD record");
        cve.into_record().0
    })
    .collect()
}

fn ids(field: &str) -> Vec<String> {
    let mut ids: Vec<String> = field
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "-")
        .map(String::from)
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_labelled_cve_cases_hold_with_precision_and_recall() {
    let records = records();
    let (mut true_positive, mut false_positive, mut false_negative) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    let mut cases = 0;
    for line in CASES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "six columns: {line}");
        cases += 1;
        let platform = match identify(DeviceText {
            os_name: f[0],
            os_version: f[1],
            maker: f[2],
            model: f[3],
        }) {
            Identification::Identified(id) => Platform {
                items: id.cpe.into_iter().collect(),
            },
            _ => Platform::default(),
        };
        let (mut affected, mut unknown) = (Vec::new(), Vec::new());
        for r in &records {
            match exposure(r, &platform) {
                Some(Exposure::Affected) => affected.push(r.id.clone()),
                Some(Exposure::VersionUnknown) => unknown.push(r.id.clone()),
                None => {}
            }
        }
        affected.sort();
        unknown.sort();
        let (want, want_unknown) = (ids(f[4]), ids(f[5]));
        true_positive += affected.iter().filter(|a| want.contains(a)).count();
        false_positive += affected.iter().filter(|a| !want.contains(a)).count();
        false_negative += want.iter().filter(|w| !affected.contains(w)).count();
        if affected != want || unknown != want_unknown {
            wrong.push(format!(
                "{line:?}: affected {affected:?} (want {want:?}), unknown {unknown:?} (want {want_unknown:?})"
            ));
        }
    }
    let precision = true_positive as f64 / (true_positive + false_positive).max(1) as f64;
    let recall = true_positive as f64 / (true_positive + false_negative).max(1) as f64;
    println!(
        "{cases} cases: precision {precision:.3}, recall {recall:.3}, {} wrong",
        wrong.len()
    );
    assert!(cases >= 60, "{cases} cases");
    assert!(
        precision >= 0.98 && recall >= 0.95 && wrong.is_empty(),
        "precision {precision:.3}, recall {recall:.3}:\n{}",
        wrong.join("\n")
    );
}
