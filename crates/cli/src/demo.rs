//! `serve --demo`: a realistic 200-bed hospital (みまもり総合病院) with its staff accounts and
//! appointed roles. Loading twice does not duplicate anything; the demo passwords are renewed
//! and printed at every start.

use mimamori_domain::access::Role;
use mimamori_domain::facility::FacilityInput;
use mimamori_domain::governance::AppointmentInput;
use mimamori_domain::i18n::Lang;
use mimamori_store::{Actor, Store, StoreError};
use mimamori_web::{auth, secrets};

pub const DEMO_CODE: &str = "mimamori-general";

/// (role, e-mail, name)
const DEMO_USERS: &[(Role, &str, &str)] = &[
    (
        Role::Administrator,
        "admin@demo.mimamori.example",
        "佐藤 健一（情報システム課長）",
    ),
    (
        Role::SecurityOfficer,
        "anzen@demo.mimamori.example",
        "高橋 誠（副院長・安全管理責任者）",
    ),
    (
        Role::Editor,
        "system@demo.mimamori.example",
        "伊藤 美咲（情報システム課）",
    ),
    (
        Role::Viewer,
        "keiei@demo.mimamori.example",
        "渡辺 修（事務部長）",
    ),
    (
        Role::Inspector,
        "kensa@demo.mimamori.example",
        "保健所 立入検査担当",
    ),
];

/// (role, person, position, department, tenure, from)
const DEMO_APPOINTMENTS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "security_officer",
        "高橋 誠",
        "副院長",
        "",
        "dedicated",
        "令和6年4月1日",
    ),
    (
        "planning_manager",
        "佐藤 健一",
        "情報システム課長",
        "情報システム課",
        "",
        "R6.4.1",
    ),
    ("system_manager", "中村 直樹", "院長", "", "", "2022-04-01"),
    (
        "operations_manager",
        "佐藤 健一",
        "情報システム課長",
        "情報システム課",
        "",
        "2022-04-01",
    ),
    (
        "monitoring_manager",
        "小林 由美",
        "放射線科技師長",
        "放射線科",
        "",
        "2023-04-01",
    ),
    (
        "monitoring_manager",
        "加藤 亮",
        "臨床検査科技師長",
        "臨床検査科",
        "",
        "2023-04-01",
    ),
    (
        "monitoring_manager",
        "吉田 恵",
        "薬剤部長",
        "薬剤部",
        "",
        "2024-04-01",
    ),
    (
        "monitoring_manager",
        "山本 愛",
        "看護部長",
        "看護部",
        "",
        "2024-04-01",
    ),
    (
        "connected_device_manager",
        "伊藤 美咲",
        "主任",
        "情報システム課",
        "",
        "2024-04-01",
    ),
    (
        "audit_manager",
        "松本 浩二",
        "医療安全管理室長",
        "医療安全管理室",
        "",
        "2024-04-01",
    ),
];

fn demo_password() -> String {
    // Letters, digits and a symbol, 16 characters: meets the policy with or without TOTP.
    let token = secrets::random_token();
    format!("Demo-{}7", &token[..10])
}

/// Loads the demo hospital if missing and returns (role, e-mail, password) to print.
pub async fn load(store: &Store) -> anyhow::Result<Vec<(String, String, String)>> {
    let actor = Actor::system("demo");
    let today = store.clock().today_jst();
    let facility = match store.facility_by_code(DEMO_CODE).await {
        Ok(facility) => facility,
        Err(StoreError::NotFound) => {
            let profile = FacilityInput {
                code: DEMO_CODE.into(),
                name: "みまもり総合病院".into(),
                kind: "hospital".into(),
                beds: "200".into(),
                institution_code: "1312345678".into(),
                prefecture: "東京都".into(),
                address: "東京都千代田区見守町1-2-3".into(),
            }
            .validate()
            .map_err(|issues| anyhow::anyhow!("{issues}"))?;
            let mut tx = store.write(&actor).await?;
            let organisation = tx.create_organisation("医療法人社団みまもり会").await?;
            let facility = tx.create_facility(organisation.id, &profile).await?;
            for (role, person, position, department, tenure, from) in DEMO_APPOINTMENTS {
                let appointment = AppointmentInput {
                    role: role.to_string(),
                    person_name: person.to_string(),
                    position: position.to_string(),
                    department: department.to_string(),
                    tenure: tenure.to_string(),
                    from_on: from.to_string(),
                    ..Default::default()
                }
                .validate()
                .map_err(|issues| anyhow::anyhow!("{issues}"))?;
                tx.create_appointment(facility.id, &appointment).await?;
            }
            tx.commit().await?;
            facility
        }
        Err(e) => return Err(e.into()),
    };
    // The ledger, by 管理番号: missing devices are added and demo devices reset; a second load changes nothing.
    let mut tx = store.write(&actor).await?;
    tx.import_devices(facility.id, &crate::demo_ledger::devices())
        .await?;
    tx.commit().await?;
    let references = store.references(facility.id).await?;
    for (slug, rows) in crate::demo_ledger::registers() {
        let spec = mimamori_domain::ledger::registers::by_slug(slug)
            .ok_or_else(|| anyhow::anyhow!("register {slug}"))?;
        let mut records = Vec::new();
        for row in rows {
            let raw = row
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            records.push(
                spec.validate(&raw, &references)
                    .map_err(|issues| anyhow::anyhow!("{issues}"))?
                    .record,
            );
        }
        let mut tx = store.write(&actor).await?;
        tx.import_records(facility.id, spec, &records).await?;
        tx.commit().await?;
    }
    crate::demo_checklist::load(store, &facility, today).await?;
    crate::demo_accounts::load(store, &facility, today).await?;
    crate::demo_preparedness::load(store, &facility).await?;
    let mut credentials = Vec::new();
    let mut tx = store.write(&actor).await?;
    for (role, email, name) in DEMO_USERS {
        let password = demo_password();
        let hash = auth::password::hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
        match store.user_by_email(email).await {
            Ok(user) => tx.set_password(user.id, &hash).await?,
            Err(StoreError::NotFound) => {
                let user_id = tx.create_user(email, name, &hash, Lang::Ja).await?;
                let (facility_id, expires) = match role {
                    Role::Administrator => (None, None),
                    Role::Inspector => (
                        Some(facility.id),
                        Some((today + chrono::Duration::days(30)).to_string()),
                    ),
                    _ => (Some(facility.id), None),
                };
                tx.add_membership(
                    user_id,
                    facility.organisation_id,
                    facility_id,
                    *role,
                    expires.as_deref(),
                )
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
        credentials.push((role.code().to_string(), email.to_string(), password));
    }
    tx.commit().await?;
    Ok(credentials)
}
