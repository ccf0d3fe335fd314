//! The demo hospital's staff roster (~300 people) and the accounts of its five systems, with
//! what the account rules look for: leavers whose EHR accounts are still active, a shared
//! 「user01」, an administrator account nobody owns and nobody has used for months, an account
//! past its expiry, and a policy for the EHR. Deterministic; a second load changes nothing.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::{Account, AccountStatus, Privileges, STAFF};
use mimamori_domain::ledger::register::{Record, References};
use mimamori_store::accounts::PolicyCell;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};

const FAMILY: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
];
const GIVEN: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("美咲", "ミサキ"),
    ("健", "ケン"),
    ("陽子", "ヨウコ"),
    ("翔", "ショウ"),
    ("愛", "アイ"),
    ("誠", "マコト"),
    ("由美", "ユミ"),
    ("大輔", "ダイスケ"),
    ("さくら", "サクラ"),
    ("直樹", "ナオキ"),
    ("恵", "メグミ"),
    ("拓也", "タクヤ"),
];
/// (job type, department, how many, login prefix)
const JOBS: &[(&str, &str, usize, &str)] = &[
    ("doctor", "内科", 30, "d"),
    ("doctor", "外科", 20, "d"),
    ("resident", "臨床研修センター", 10, "r"),
    ("nurse", "看護部", 130, "n"),
    ("pharmacist", "薬剤部", 10, "p"),
    ("radiology_technologist", "放射線科", 10, "x"),
    ("lab_technologist", "臨床検査科", 12, "l"),
    ("physical_therapist", "リハビリテーション科", 10, "t"),
    ("dietitian", "栄養科", 4, "e"),
    ("clerk", "医事課", 40, "c"),
    ("system_admin", "情報システム室", 3, "s"),
    ("contractor", "委託（清掃・物流）", 11, "v"),
];

struct Member {
    number: String,
    name: String,
    job: &'static str,
    prefix: &'static str,
    left_on: Option<NaiveDate>,
}

fn roster(today: NaiveDate) -> Vec<Member> {
    let mut members = Vec::new();
    let mut n = 0usize;
    for (job, _, count, prefix) in JOBS {
        for _ in 0..*count {
            n += 1;
            let (family, _) = FAMILY[n % FAMILY.len()];
            let (given, _) = GIVEN[(n * 7) % GIVEN.len()];
            // Three staff left last month; their accounts are still active (the rule finds them).
            let left_on = [17, 88, 201]
                .contains(&n)
                .then(|| today - Duration::days(20 + n as i64 % 10));
            members.push(Member {
                number: format!("{:05}", 10000 + n),
                name: format!("{family} {given}"),
                job,
                prefix,
                left_on,
            });
        }
    }
    members
}

fn staff_records(today: NaiveDate) -> Vec<Record> {
    let mut n = 0usize;
    let departments: Vec<&str> = JOBS
        .iter()
        .flat_map(|(_, dept, count, _)| std::iter::repeat_n(*dept, *count))
        .collect();
    roster(today)
        .into_iter()
        .zip(departments)
        .map(|(m, dept)| {
            n += 1;
            let (_, family_kana) = FAMILY[n % FAMILY.len()];
            let (_, given_kana) = GIVEN[(n * 7) % GIVEN.len()];
            let mut raw: BTreeMap<String, String> = [
                ("staff_number", m.number.clone()),
                ("name", m.name.clone()),
                ("kana", format!("{family_kana} {given_kana}")),
                ("department", dept.to_string()),
                ("job_type", m.job.to_string()),
                (
                    "employment",
                    if m.left_on.is_some() {
                        "left"
                    } else {
                        "employed"
                    }
                    .into(),
                ),
                ("hired_on", "2015-04-01".into()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            if let Some(left) = m.left_on {
                raw.insert("left_on".into(), left.to_string());
            }
            STAFF
                .validate(&raw, &References::default())
                .map(|c| c.record)
                .unwrap_or_default()
        })
        .collect()
}

fn account(system: &str, login: &str, name: &str, owners: &[&str], privileges: &str) -> Account {
    Account {
        id: 0,
        system: system.into(),
        login_id: login.into(),
        display_name: name.into(),
        owners: owners.iter().map(|s| s.to_string()).collect(),
        owner_state: if owners.is_empty() {
            OwnerState::Unknown
        } else {
            OwnerState::File
        },
        role: String::new(),
        privileges: Privileges::parse(privileges).unwrap_or_default(),
        privileged: false,
        status: AccountStatus::Active,
        created_on: NaiveDate::from_ymd_opt(2020, 4, 1),
        last_sign_in_on: None,
        expires_on: None,
    }
}

/// The accounts of each system, as its user export would list them.
fn accounts(today: NaiveDate) -> Vec<(&'static str, Vec<Account>)> {
    let members = roster(today);
    let recent = |i: usize| Some(today - Duration::days(1 + (i % 20) as i64));
    let ehr_rights = |job: &str| match job {
        "doctor" | "resident" => {
            "診療記録:更新,オーダ:更新,検査結果:参照,画像:参照,患者基本情報:参照"
        }
        "nurse" => "看護記録:更新,診療記録:参照,オーダ:参照,患者基本情報:参照",
        "pharmacist" => "調剤・薬剤:更新,オーダ:参照",
        "clerk" => "患者基本情報:更新,医事・会計:参照",
        "system_admin" => "システム管理:更新",
        _ => "患者基本情報:参照",
    };
    let mut ehr = Vec::new();
    let mut billing = Vec::new();
    let mut pacs = Vec::new();
    let mut lab = Vec::new();
    let mut online = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if m.job == "contractor" {
            continue;
        }
        // Login IDs carry the staff number, so owners are matched without a staff-number column.
        let mut a = account(
            "電子カルテ",
            &format!("{}{}", m.prefix, m.number),
            &m.name,
            &[],
            ehr_rights(m.job),
        );
        a.last_sign_in_on = if m.left_on.is_some() {
            m.left_on
        } else {
            recent(i)
        };
        a.privileged = m.job == "system_admin";
        ehr.push(a);
        if m.job == "clerk" {
            let mut a = account(
                "医事会計・レセコン",
                &m.number,
                &m.name,
                &[m.number.as_str()],
                "医事・会計:更新,患者基本情報:更新",
            );
            a.last_sign_in_on = recent(i);
            billing.push(a);
        }
        if matches!(m.job, "doctor" | "radiology_technologist") {
            let mut a = account(
                "PACS",
                &format!("{}{}", m.prefix, m.number),
                &m.name,
                &[],
                "画像:更新",
            );
            a.last_sign_in_on = recent(i);
            pacs.push(a);
        }
        if m.job == "lab_technologist" {
            let mut a = account(
                "検査システム",
                &format!("lab{}", m.number),
                &m.name,
                &[],
                "検査結果:更新",
            );
            a.last_sign_in_on = recent(i);
            lab.push(a);
        }
    }
    // A shared reception ID used by several clerks.
    let mut shared = account(
        "医事会計・レセコン",
        "user01",
        "受付共用",
        &["10251", "10252", "10253"],
        "医事・会計:参照",
    );
    shared.last_sign_in_on = recent(1);
    billing.push(shared);
    // The vendor's administrator account on PACS: nobody owns it, unused for half a year.
    let mut admin = account(
        "PACS",
        "admin",
        "保守用管理者",
        &[],
        "システム管理:更新,画像:更新",
    );
    admin.privileged = true;
    admin.last_sign_in_on = Some(today - Duration::days(190));
    pacs.push(admin);
    // A trainee's temporary EHR account past its expiry.
    let mut temp = account(
        "電子カルテ",
        "kenshu2026",
        "実習生 用",
        &[],
        "診療記録:参照",
    );
    temp.expires_on = Some(today - Duration::days(40));
    temp.last_sign_in_on = Some(today - Duration::days(45));
    ehr.push(temp);
    for (i, login) in ["uketsuke1", "uketsuke2"].iter().enumerate() {
        let mut a = account(
            "オンライン資格確認",
            login,
            "受付端末",
            &[],
            "患者基本情報:参照",
        );
        a.owners = vec![format!("{}", 10251 + i)];
        a.owner_state = OwnerState::File;
        a.last_sign_in_on = recent(i);
        online.push(a);
    }
    vec![
        ("電子カルテ", ehr),
        ("医事会計・レセコン", billing),
        ("PACS", pacs),
        ("検査システム", lab),
        ("オンライン資格確認", online),
    ]
}

/// The EHR's policy: what each job type may do with each category.
fn ehr_policy() -> Vec<PolicyCell> {
    let cells: &[(&str, &str, &str)] = &[
        ("doctor", "medical_record", "write"),
        ("doctor", "orders", "write"),
        ("doctor", "test_results", "read"),
        ("doctor", "images", "read"),
        ("doctor", "patient_profile", "read"),
        ("resident", "medical_record", "write"),
        ("resident", "orders", "read"),
        ("resident", "test_results", "read"),
        ("resident", "images", "read"),
        ("resident", "patient_profile", "read"),
        ("nurse", "nursing", "write"),
        ("nurse", "medical_record", "read"),
        ("nurse", "orders", "read"),
        ("nurse", "patient_profile", "read"),
        ("pharmacist", "pharmacy", "write"),
        ("pharmacist", "orders", "read"),
        ("clerk", "patient_profile", "write"),
        ("clerk", "billing", "read"),
        ("system_admin", "administration", "write"),
        ("radiology_technologist", "patient_profile", "read"),
        ("lab_technologist", "patient_profile", "read"),
        ("physical_therapist", "patient_profile", "read"),
        ("dietitian", "patient_profile", "read"),
    ];
    cells
        .iter()
        .map(|(job, category, level)| PolicyCell {
            job_type: job.to_string(),
            category: category.to_string(),
            level: level.to_string(),
        })
        .collect()
}

pub async fn load(store: &Store, facility: &Facility, today: NaiveDate) -> anyhow::Result<()> {
    let actor = Actor::system("demo");
    let mut tx = store.write(&actor).await?;
    tx.import_records(facility.id, &STAFF, &staff_records(today))
        .await?;
    tx.commit().await?;
    let people = store.people(facility.id).await?;
    for (system, incoming) in accounts(today) {
        let existing = store.all_accounts(facility.id, Some(system)).await?;
        let mut tx = store.write(&actor).await?;
        let import = tx
            .import_accounts(facility.id, system, &existing, &incoming, &people)
            .await?;
        let changes = &import.changes;
        if changes.created.is_empty()
            && changes.changed.is_empty()
            && changes.disabled.is_empty()
            && changes.sign_ins.is_empty()
        {
            continue; // nothing to record: roll back, leaving no audit entry
        }
        tx.commit().await?;
    }
    if store
        .policies(facility.id, Some("電子カルテ"))
        .await?
        .is_empty()
    {
        let mut tx = store.write(&actor).await?;
        tx.save_policy(facility.id, "電子カルテ", &ehr_policy())
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
