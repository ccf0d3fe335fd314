//! The demo hospital's checklist for the current fiscal year: its own form partly answered (one
//! いいえ with a target date, the rest to do), and two vendor forms. Findings come from the demo
//! ledger itself. Loaded once; a second load changes nothing.

use chrono::NaiveDate;
use mimamori_domain::checklist::{AnswerInput, Form};
use mimamori_domain::clock::fiscal_year;
use mimamori_store::checklist::AssessmentKey;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};

/// (item key, answer, target offset in days from the 1st check, note).
const OWN: &[(&str, &str, Option<i64>, &str)] = &[
    (
        "has_system",
        "yes",
        None,
        "電子カルテ・医事会計・PACS を運用",
    ),
    ("safety_officer", "yes", None, "院長を任命（辞令あり）"),
    (
        "ledger",
        "no",
        Some(120),
        "OS 未記入の端末が残っているため記入中",
    ),
    ("remote_maintenance", "yes", None, "保守3社に確認済み"),
    ("mds_sds", "yes", None, "電子カルテ・PACS の MDS を受領"),
    ("backup", "no", Some(90), "オフライン保管の世代を追加予定"),
];

/// Vendor forms: (vendor, system, how many items the vendor answered).
const VENDORS: &[(&str, &str, usize)] = &[
    ("株式会社カルテシステム", "電子カルテ", usize::MAX),
    ("画像システム株式会社", "PACS", 4),
];

pub async fn load(store: &Store, facility: &Facility, today: NaiveDate) -> anyhow::Result<()> {
    let actor = Actor::system("demo");
    let year = fiscal_year(today);
    let first = NaiveDate::from_ymd_opt(year, 6, 1)
        .unwrap_or(today)
        .min(today);
    let own = AssessmentKey {
        facility_id: facility.id,
        fiscal_year: year,
        form: Form::Facility,
        vendor: String::new(),
        system: String::new(),
    };
    if store.find_assessment(&own).await?.is_some() {
        return Ok(());
    }
    let Some(edition) = store.edition_for(year, Form::Facility).await? else {
        return Ok(());
    };
    let mut tx = store.write(&actor).await?;
    let id = tx.create_assessment(&own).await?;
    tx.commit().await?;
    let assessment = store.assessment(facility.id, id).await?;
    let (_, end) = mimamori_domain::checklist::fiscal_year_bounds(year);
    let mut tx = store.write(&actor).await?;
    for (key, answer, target, note) in OWN {
        let Some(item) = edition.edition.item(key) else {
            continue;
        };
        let target = target
            .map(|days| (first + chrono::Duration::days(days)).min(end).to_string())
            .unwrap_or_default();
        let input = AnswerInput {
            answer: answer.to_string(),
            first_checked_on: first.to_string(),
            target_on: target,
            note: note.to_string(),
            ..Default::default()
        };
        let answer = input
            .validate(item, year)
            .map_err(|issues| anyhow::anyhow!("{issues}"))?;
        tx.save_answer(&assessment, key, &answer).await?;
    }
    tx.add_evidence_record(&assessment, "ledger", "devices", None, "機器台帳（デモ）")
        .await?;
    tx.add_evidence_file(
        &assessment,
        "safety_officer",
        "安全管理責任者_辞令.txt",
        "text/plain",
        "辞令 医療情報システム安全管理責任者に任命する（デモ）".as_bytes(),
    )
    .await?;
    tx.commit().await?;
    let Some(vendor_edition) = store.edition_for(year, Form::Vendor).await? else {
        return Ok(());
    };
    for (vendor, system, answered) in VENDORS {
        let key = AssessmentKey {
            facility_id: facility.id,
            fiscal_year: year,
            form: Form::Vendor,
            vendor: vendor.to_string(),
            system: system.to_string(),
        };
        let mut tx = store.write(&actor).await?;
        let id = tx.create_assessment(&key).await?;
        tx.commit().await?;
        let assessment = store.assessment(facility.id, id).await?;
        let mut tx = store.write(&actor).await?;
        for item in vendor_edition.edition.items.iter().take(*answered) {
            let input = AnswerInput {
                answer: "yes".into(),
                first_checked_on: first.to_string(),
                ..Default::default()
            };
            let answer = input
                .validate(item, year)
                .map_err(|issues| anyhow::anyhow!("{issues}"))?;
            tx.save_answer(&assessment, &item.key, &answer).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
