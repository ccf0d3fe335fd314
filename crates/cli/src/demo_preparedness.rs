//! Demo incident preparedness: a contact chart partly filled, backups for the EHR and PACS (PACS
//! without an offline copy), a drill more than a year ago, BCP answers in progress, and one closed
//! past incident with its reports done.

use std::collections::BTreeMap;

use mimamori_domain::backups::BACKUPS;
use mimamori_domain::bcp::{BcpStatus, DRILLS};
use mimamori_domain::contacts::{CONTACTS, ESCALATION};
use mimamori_domain::incidents::reporting::{validate_record, ReportKind};
use mimamori_domain::incidents::{parse_datetime, Incident};
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_store::bcp::BcpAnswerInput;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};

type Rows = Vec<Vec<(&'static str, &'static str)>>;

fn registers() -> Vec<(&'static RegisterSpec, Rows)> {
    vec![
        (
            &ESCALATION,
            vec![
                vec![("order", "2"), ("role", "所属部署の責任者"), ("person", "各部署の所属長"), ("phone", "内線 2100"), ("deputy", "各部署の副所属長"), ("reports_to", "医療情報システム担当")],
                vec![("order", "3"), ("role", "医療情報システム担当"), ("person", "情報システム室 高橋 健"), ("phone", "内線 3300"), ("deputy", "情報システム室 中村 彩"), ("deputy_phone", "内線 3301"), ("reports_to", "医療情報システム安全管理責任者")],
                vec![("order", "4"), ("role", "医療情報システム安全管理責任者"), ("person", "副院長 山本 誠"), ("phone", "090-0000-1111"), ("deputy", "事務長 小林 聡"), ("deputy_phone", "090-0000-2222"), ("reports_to", "経営層（院長・理事長）")],
                // 経営層: the deputy is still missing (the chart shows it in orange).
                vec![("order", "5"), ("role", "経営層（院長・理事長）"), ("person", "院長 佐々木 一郎"), ("phone", "090-0000-3333")],
            ],
        ),
        (
            &CONTACTS,
            vec![vec![
                ("organisation", "セキュリティ事業者（初動対応・調査の依頼先）"),
                ("category", "security"),
                ("notes", "契約先を選定中（2026年度中）。"),
            ]],
        ),
        (
            &BACKUPS,
            vec![
                vec![("name", "電子カルテ 日次NAS"), ("system", "電子カルテ"), ("target", "カルテDB・文書"), ("method", "incremental"), ("frequency", "daily"), ("generations", "14"), ("media", "online_disk"), ("location", "サーバ室 BACKUP-NAS"), ("last_success", "2026-11-20"), ("restore_tested_on", "2026-03-12"), ("restore_result", "success"), ("restore_tested_by", "情報システム室 高橋"), ("restore_procedure", "電子カルテ復旧手順書 第3版（情報システム室 共有フォルダ）"), ("priority", "high"), ("rto_hours", "24"), ("rpo_hours", "24")],
                vec![("name", "電子カルテ 週次テープ"), ("system", "電子カルテ"), ("target", "カルテDB フル"), ("method", "full"), ("frequency", "weekly"), ("generations", "8"), ("media", "tape"), ("offline", "yes"), ("offsite", "yes"), ("encrypted", "yes"), ("location", "本部棟 金庫"), ("last_success", "2026-11-15"), ("priority", "high")],
                vec![("name", "PACS NAS"), ("system", "PACS"), ("target", "画像データ"), ("method", "replication"), ("frequency", "continuous"), ("media", "online_disk"), ("location", "サーバ室"), ("last_success", "2026-11-21"), ("priority", "medium")],
                vec![("name", "PACS クラウド"), ("system", "PACS"), ("target", "画像データ"), ("method", "incremental"), ("frequency", "daily"), ("generations", "30"), ("media", "cloud"), ("encrypted", "yes"), ("location", "ベンダーのクラウド"), ("last_success", "2026-11-20"), ("priority", "medium")],
            ],
        ),
        (
            &DRILLS,
            vec![vec![
                ("title", "ランサムウェア想定 連絡訓練"),
                ("held_on", "2025-10-20"),
                ("kind", "contact"),
                ("scenario", "夜間に電子カルテ端末の画面に脅迫文が表示された想定で、発見者から経営層までの連絡と保守事業者への連絡を行う。"),
                ("participants", "情報システム室、看護部、事務部"),
                ("lessons", "夜間の代理者の電話番号が古かった。"),
                ("follow_up", "連絡体制図の電話番号を年2回見直す。"),
                ("follow_up_status", "open"),
            ]],
        ),
    ]
}

const BCP: &[(&str, BcpStatus, &str)] = &[
    ("1-1.1", BcpStatus::Done, "機器台帳（みまもり）"),
    (
        "1-1.2",
        BcpStatus::Partial,
        "ネットワーク構成図 2024年版（更新中）",
    ),
    ("1-1.3", BcpStatus::Done, "BCP 第2章"),
    ("1-1.4", BcpStatus::Partial, "パッチ適用手順"),
    (
        "1-2.1",
        BcpStatus::Partial,
        "連絡体制図（代理者の一部未記入）",
    ),
    ("1-2.2", BcpStatus::NotDone, ""),
    ("1-2.3", BcpStatus::Done, "2025-10-20 連絡訓練"),
    ("3-4.1", BcpStatus::Done, "BCP 第3章 3.4"),
];

pub async fn load(store: &Store, facility: &Facility) -> anyhow::Result<()> {
    let actor = Actor::system("demo");
    let references = store.references(facility.id).await?;
    let mut tx = store.write(&actor).await?;
    // Vendors came after the facility: add their contacts, then fill in part of the chart.
    tx.seed_contact_chart(facility.id, facility.profile.prefecture.as_deref())
        .await?;
    for (spec, rows) in registers() {
        let mut records = Vec::new();
        for row in rows {
            let mut raw: BTreeMap<String, String> = row
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            if let Ok(existing) = store
                .record_by_key(
                    facility.id,
                    spec,
                    raw.get(spec.key_field).map(String::as_str).unwrap_or(""),
                )
                .await
            {
                // Keep what the seed wrote (notes, reports_to) where the demo says nothing.
                for (k, v) in existing.record.values {
                    raw.entry(k).or_insert(v);
                }
            }
            records.push(
                spec.validate(&raw, &references)
                    .map_err(|issues| anyhow::anyhow!("{issues}"))?
                    .record,
            );
        }
        tx.import_records(facility.id, spec, &records).await?;
    }
    tx.commit().await?;

    let stored = store.bcp_answers(facility.id).await?;
    let inputs: Vec<BcpAnswerInput> = BCP
        .iter()
        .map(|(key, status, evidence)| BcpAnswerInput {
            check_key: key.to_string(),
            status: Some(*status),
            evidence: evidence.to_string(),
            note: String::new(),
        })
        .collect();
    let mut tx = store.write(&actor).await?;
    tx.save_bcp_answers(facility.id, &stored, &inputs).await?;
    tx.commit().await?;

    if store.incidents(facility.id, true).await?.is_empty() {
        past_incident(store, &actor, facility.id).await?;
    }
    Ok(())
}

/// A FAX of a referral letter sent to the wrong clinic in June: reported, closed.
async fn past_incident(store: &Store, actor: &Actor, facility_id: i64) -> anyhow::Result<()> {
    let raw: BTreeMap<String, String> = [
        ("title", "紹介状のFAX誤送信"),
        ("discovered_at", "2026-06-03 16:20"),
        ("discovered_by", "地域連携室 職員"),
        ("kind", "misdelivery"),
        ("description", "紹介状1通（患者1名分、病名を含む）を別の診療所へFAXで誤送信。受信先に連絡し、原本の廃棄を確認した。"),
        ("personal_data", "yes"),
        ("sensitive_data", "yes"),
        ("persons_affected", "1"),
        ("severity", "low"),
        ("status", "closed"),
        ("closed_on", "2026-07-10"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let now = parse_datetime("2026-07-10 17:00").unwrap_or_default();
    let incident = Incident::validate(&raw, now).map_err(|issues| anyhow::anyhow!("{issues}"))?;
    let mut tx = store.write(actor).await?;
    let id = tx.create_incident(facility_id, &incident).await?;
    tx.commit().await?;
    let stored = store.incident(facility_id, id).await?;
    let mut tx = store.write(actor).await?;
    for (at, entry) in [
        (
            "2026-06-03 16:40",
            "受信先の診療所に電話し、FAXの廃棄を依頼",
        ),
        (
            "2026-06-04 10:00",
            "受信先から廃棄済みの連絡。患者本人に電話で謝罪・説明",
        ),
        ("2026-06-05 15:00", "個人情報保護委員会へ速報"),
        (
            "2026-06-30 11:00",
            "個人情報保護委員会へ確報。再発防止策: FAX送信前の番号ダブルチェック",
        ),
    ] {
        let at = parse_datetime(at).unwrap_or_default();
        tx.add_timeline(&stored, &at, entry).await?;
    }
    let at = parse_datetime("2026-06-03 16:40").unwrap_or_default();
    for step in [
        "tell_management",
        "assess_personal_data",
        "contact_authorities",
    ] {
        tx.set_incident_step(&stored, step, Some((&at, "地域連携室長", "")))
            .await?;
    }
    for (kind, state, on, note) in [
        (ReportKind::PpcPreliminary, "done", Some("2026-06-05"), ""),
        (ReportKind::PpcFinal, "done", Some("2026-06-30"), ""),
        (
            ReportKind::Persons,
            "done",
            Some("2026-06-04"),
            "電話で説明",
        ),
        (
            ReportKind::Mhlw,
            "not_needed",
            None,
            "サイバー攻撃・システム障害ではなく、診療への支障もないため",
        ),
    ] {
        let on = on.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let recorded = validate_record(kind, state, on, note, "demo")
            .map_err(|issues| anyhow::anyhow!("{issues}"))?;
        tx.record_incident_report(&stored, &recorded).await?;
    }
    tx.commit().await?;
    Ok(())
}
