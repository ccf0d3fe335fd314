//! The labelled set: ledger text as Japanese offices type it, with the product and the
//! end-of-support state on 2026-12-01 a person assigned from the lifecycle data. Reports
//! precision and recall of "past end of support"; every case must hold.

use chrono::NaiveDate;

use super::end_of_life::{end_of_life, EndOfLife};
use super::identify::{identify, DeviceText, Identification};
use super::lifecycle::Lifecycle;

const CASES: &str = include_str!("../../tests/data/identification-cases.tsv");

fn state(found: &Identification, lifecycle: &Lifecycle, day: NaiveDate) -> (String, &'static str) {
    match found {
        Identification::Blank => ("-".into(), "blank"),
        Identification::Unidentified { .. } => ("-".into(), "unidentified"),
        Identification::Identified(id) => {
            let state = match end_of_life(id, lifecycle, day) {
                EndOfLife::Ended(_) => "ended",
                EndOfLife::Supported { .. } => "supported",
                EndOfLife::Undetermined { .. } => "undetermined",
                EndOfLife::NoData => "nodata",
            };
            (id.lifecycle.unwrap_or("-").to_string(), state)
        }
    }
}

#[test]
fn the_labelled_ledger_texts_are_identified_and_judged_as_labelled() {
    let lifecycle = Lifecycle::embedded();
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let (mut cases, mut wrong) = (0, Vec::new());
    let (mut true_pos, mut false_pos, mut false_neg) = (0, 0, 0);
    for line in CASES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let c: Vec<&str> = line.split('\t').collect();
        let device = DeviceText {
            os_name: c[0],
            os_version: c[1],
            maker: c[2],
            model: c[3],
        };
        let (product, got) = state(&identify(device), &lifecycle, day);
        let (want_product, want) = (c[4], c[5]);
        cases += 1;
        match (want == "ended", got == "ended") {
            (true, true) => true_pos += 1,
            (false, true) => false_pos += 1,
            (true, false) => false_neg += 1,
            _ => {}
        }
        if product != want_product || got != want {
            wrong.push(format!(
                "{line:?}: got {product} {got}, want {want_product} {want}"
            ));
        }
    }
    let precision = true_pos as f64 / (true_pos + false_pos).max(1) as f64;
    let recall = true_pos as f64 / (true_pos + false_neg).max(1) as f64;
    println!("{cases} cases: end-of-life precision {precision:.3}, recall {recall:.3}");
    assert!(cases >= 200, "the set holds {cases} cases");
    assert!(
        wrong.is_empty(),
        "{} of {cases} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(precision >= 0.98 && recall >= 0.95);
}
