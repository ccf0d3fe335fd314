//! One generated facility: its profile, ledger, registers, staff, accounts, checklist answers
//! and ledger confirmation, drawn from a random stream of its own so that facility n is the same
//! whatever the batch size or the number of facilities.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use mimamori_domain::accounts::account::OwnerState;
use mimamori_domain::accounts::{Account, AccountStatus, Privileges, STAFF};
use mimamori_domain::backups::BACKUPS;
use mimamori_domain::checklist::Answer;
use mimamori_domain::facility::{FacilityKind, FacilityProfile};
use mimamori_domain::governance::{AppointedRole, Appointment, Tenure};
use mimamori_domain::incidents::Incident;
use mimamori_domain::ledger::device::{Device, DeviceKind, DeviceStatus, Interface, Software};
use mimamori_domain::ledger::register::{Record, References, RegisterSpec};
use mimamori_domain::ledger::registers::{REMOTE_MAINTENANCE, SYSTEMS, VENDORS};
use mimamori_store::generated::{GeneratedAnswer, GeneratedFacility};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::words::*;

/// What the whole run shares.
pub struct Plan {
    pub seed: u64,
    pub devices_per_hospital: usize,
    pub today: NaiveDate,
    pub fiscal_year: i32,
    /// Item keys of the fiscal year's facility form and pharmacy form.
    pub facility_items: Vec<String>,
    pub pharmacy_items: Vec<String>,
}

impl Plan {
    /// Facility `n` (0-based) of the run.
    pub fn facility(&self, n: u64) -> GeneratedFacility {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n);
        Builder {
            plan: self,
            rng: &mut rng,
            n,
        }
        .build()
    }

    /// A device ledger of `count` devices in a hospital's mix, for the import files.
    pub fn ledger(&self, count: usize) -> Vec<Device> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5EED_1ED6);
        let mut builder = Builder {
            plan: self,
            rng: &mut rng,
            n: 0,
        };
        (0..count)
            .map(|i| builder.device(i, HOSPITAL_PLACES))
            .collect()
    }
}

struct Builder<'a> {
    plan: &'a Plan,
    rng: &'a mut ChaCha8Rng,
    n: u64,
}

fn raw(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A record checked by its register's own validation, so generated data is data a user could
/// have entered; a failure is a bug in the generator.
fn checked(spec: &RegisterSpec, fields: &[(&str, String)], refs: &References) -> Record {
    match spec.validate(&raw(fields), refs) {
        Ok(checked) => checked.record,
        Err(issues) => panic!("generated {} record is invalid: {issues:?}", spec.slug),
    }
}

impl Builder<'_> {
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.gen_range(0..100) < percent
    }

    /// A date within `max` days before today with `percent` chance, else empty.
    fn maybe_days_ago(&mut self, percent: u32, max: i64) -> String {
        if self.chance(percent) {
            self.days_ago(max).to_string()
        } else {
            String::new()
        }
    }

    fn days_ago(&mut self, max: i64) -> NaiveDate {
        self.plan.today - Duration::days(self.rng.gen_range(0..max.max(1)))
    }

    fn person_name(&mut self) -> (String, String) {
        let f = self.rng.gen_range(0..FAMILY_NAMES.len());
        let g = self.rng.gen_range(0..GIVEN_NAMES.len());
        (
            format!("{} {}", FAMILY_NAMES[f], GIVEN_NAMES[g]),
            format!("{} {}", FAMILY_KANA[f], GIVEN_KANA[g]),
        )
    }

    fn build(mut self) -> GeneratedFacility {
        let kind = weighted(self.rng, &KIND_WEIGHTS);
        let prefecture = prefecture(self.rng);
        let place = pick(self.rng, PLACE_NAMES);
        let (code, name, beds) = match kind {
            FacilityKind::Hospital => {
                let beds = match self.rng.gen_range(0..10) {
                    0..=5 => self.rng.gen_range(20..100),
                    6..=8 => self.rng.gen_range(100..300),
                    _ => self.rng.gen_range(300..900),
                };
                (
                    format!("H{:07}", self.n),
                    format!("{place}記念病院"),
                    Some(beds),
                )
            }
            FacilityKind::Clinic => {
                let specialty = pick(self.rng, CLINIC_SPECIALTIES);
                (
                    format!("C{:07}", self.n),
                    format!("{place}{specialty}クリニック"),
                    None,
                )
            }
            FacilityKind::Pharmacy => (format!("P{:07}", self.n), format!("{place}薬局"), None),
            FacilityKind::MidwiferyHome => {
                (format!("M{:07}", self.n), format!("{place}助産院"), None)
            }
        };
        let profile = FacilityProfile {
            code,
            name,
            kind,
            beds,
            institution_code: None,
            prefecture: Some(prefecture.to_string()),
            address: Some(format!(
                "{prefecture}{place}町{}-{}",
                self.n % 9 + 1,
                self.n % 30 + 1
            )),
        };
        let devices = self.devices(kind, beds);
        let systems: &[(&str, &str, &str)] = match kind {
            FacilityKind::Hospital => {
                let count = (4 + beds.unwrap_or(50) as usize / 60).min(HOSPITAL_SYSTEMS.len());
                &HOSPITAL_SYSTEMS[..count]
            }
            FacilityKind::Clinic => &CLINIC_SYSTEMS[..self.rng.gen_range(1..=3)],
            FacilityKind::Pharmacy => PHARMACY_SYSTEMS,
            FacilityKind::MidwiferyHome => &[],
        };
        let mut records = self.registers(systems, &devices);
        let staff = self.staff(kind, beds);
        let accounts = self.accounts(systems, &staff);
        records.extend(staff.into_iter().map(|r| (&STAFF, r)));
        let appointments = self.appointments(kind);
        // Most facilities had the ledger confirmed within a year; some long ago; some never.
        let ledger_confirmed_at = match self.rng.gen_range(0..10) {
            0..=6 => Some(self.days_ago(330)),
            7 => Some(self.days_ago(900)),
            _ => None,
        }
        .map(|d| format!("{d}T03:00:00.000000Z"));
        let answers = self.answers(kind);
        let incidents = self.incidents(&devices);
        GeneratedFacility {
            profile,
            appointments,
            devices,
            records,
            accounts,
            ledger_confirmed_at,
            fiscal_year: self.plan.fiscal_year,
            answers,
            incidents,
        }
    }

    fn device_count(&mut self, kind: FacilityKind, beds: Option<i64>) -> usize {
        match kind {
            FacilityKind::Hospital => {
                // `devices_per_hospital` for a 200-bed hospital, in proportion to beds (±25 %).
                let base = self.plan.devices_per_hospital * beds.unwrap_or(200) as usize / 200;
                let spread = self.rng.gen_range(75..=125);
                (base * spread / 100).max(10)
            }
            FacilityKind::Clinic => self.rng.gen_range(5..=50),
            FacilityKind::Pharmacy => self.rng.gen_range(2..=6),
            FacilityKind::MidwiferyHome => self.rng.gen_range(1..=4),
        }
    }

    fn devices(&mut self, kind: FacilityKind, beds: Option<i64>) -> Vec<Device> {
        let count = self.device_count(kind, beds);
        let places = match kind {
            FacilityKind::Hospital => HOSPITAL_PLACES,
            FacilityKind::Pharmacy => PHARMACY_PLACES,
            _ => CLINIC_PLACES,
        };
        (0..count).map(|i| self.device(i, places)).collect()
    }

    fn device(&mut self, i: usize, places: &[&str]) -> Device {
        let kind = weighted(
            self.rng,
            &[
                (DeviceKind::Pc, 70),
                (DeviceKind::Server, 4),
                (DeviceKind::Network, 6),
                (DeviceKind::MedicalDevice, 8),
                (DeviceKind::Printer, 6),
                (DeviceKind::Mobile, 4),
                (DeviceKind::Storage, 2),
            ],
        );
        let (prefix, maker, os_table): (&str, &str, &[(&str, &str, u32)]) = match kind {
            DeviceKind::Server => ("SV", pick(self.rng, PC_MAKERS), SERVER_OS),
            DeviceKind::Network => ("NW", pick(self.rng, NETWORK_MAKERS), &[]),
            DeviceKind::MedicalDevice => ("ME", pick(self.rng, MEDICAL_MAKERS), PC_OS),
            DeviceKind::Printer => ("PR", "EPSON", &[]),
            DeviceKind::Mobile => ("MB", "Apple", &[("iPadOS", "17", 1)]),
            DeviceKind::Storage => ("ST", "Synology", &[("DSM", "7.2", 1)]),
            _ => ("PC", pick(self.rng, PC_MAKERS), PC_OS),
        };
        let (os_name, os_version) = if os_table.is_empty() {
            (String::new(), String::new())
        } else {
            let weights: Vec<(usize, u32)> = os_table
                .iter()
                .enumerate()
                .map(|(i, (_, _, w))| (i, *w))
                .collect();
            let chosen = weighted(self.rng, &weights);
            (
                os_table[chosen].0.to_string(),
                os_table[chosen].1.to_string(),
            )
        };
        let software = if matches!(kind, DeviceKind::Pc | DeviceKind::Server) {
            let count = self.rng.gen_range(1..=3);
            (0..count)
                .map(|_| {
                    let (name, vendor) = SOFTWARE[self.rng.gen_range(0..SOFTWARE.len())];
                    let version = if self.chance(2) {
                        None
                    } else {
                        Some(format!(
                            "{}.{}",
                            self.rng.gen_range(1..12),
                            self.rng.gen_range(0..10)
                        ))
                    };
                    Software {
                        name: name.to_string(),
                        version,
                        vendor: Some(vendor.to_string()),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let segment = if kind == DeviceKind::MedicalDevice {
            "医療機器LAN"
        } else {
            "院内LAN"
        };
        let mut interfaces = vec![Interface {
            ip: Some(format!(
                "10.{}.{}.{}",
                (i / 62_500) % 250 + 1,
                (i / 250) % 250,
                i % 250 + 1
            )),
            mac: None,
            hostname: Some(format!("{prefix}-{i:05}")),
            segment: Some(segment.to_string()),
        }];
        // A few terminals also sit on the internet-facing network (2枚挿し).
        if kind == DeviceKind::Pc && self.chance(1) {
            interfaces.push(Interface {
                ip: Some(format!("192.168.{}.{}", i % 250, i % 200 + 20)),
                mac: None,
                hostname: None,
                segment: Some("インターネット系".into()),
            });
        }
        let status = weighted(
            self.rng,
            &[
                (DeviceStatus::Active, 92),
                (DeviceStatus::Stopped, 3),
                (DeviceStatus::Spare, 4),
                (DeviceStatus::Disposed, 1),
            ],
        );
        Device {
            management_no: format!("{prefix}-{i:05}"),
            kind,
            maker: Some(maker.to_string()),
            model: Some(format!("MODEL-{}", self.rng.gen_range(100..999))),
            serial: Some(format!("SN{:08}", self.rng.gen_range(0..99_999_999u32))),
            os_name: Some(os_name).filter(|s| !s.is_empty()),
            os_version: Some(os_version).filter(|s| !s.is_empty()),
            location: Some(pick(self.rng, places).to_string()),
            users: None,
            registered_on: Some(self.days_ago(2_500)),
            status,
            disposed_on: (status == DeviceStatus::Disposed).then(|| self.days_ago(200)),
            description: None,
            remote_maintenance: matches!(kind, DeviceKind::Server | DeviceKind::MedicalDevice)
                && self.chance(60),
            security_measures: Some("ウイルス対策ソフト".into()).filter(|_| kind == DeviceKind::Pc),
            auth_method: Some("ID・パスワード".into()).filter(|_| kind == DeviceKind::Pc),
            software,
            interfaces,
        }
    }

    /// Vendors, systems, remote-maintenance connections and backups of `systems`.
    fn registers(
        &mut self,
        systems: &[(&str, &str, &str)],
        devices: &[Device],
    ) -> Vec<(&'static RegisterSpec, Record)> {
        let mut refs = References::default();
        let mut records = Vec::new();
        for (_, _, vendor) in systems {
            if refs.vendors.iter().any(|v| v == vendor) {
                continue;
            }
            refs.vendors.push(vendor.to_string());
            let phone = format!(
                "03-{:04}-{:04}",
                self.rng.gen_range(1000..9999),
                self.rng.gen_range(0..9999)
            );
            records.push((
                &VENDORS,
                checked(
                    &VENDORS,
                    &[
                        ("name", vendor.to_string()),
                        ("contact_person", "保守窓口".into()),
                        ("phone", phone),
                    ],
                    &refs,
                ),
            ));
        }
        let servers: Vec<&str> = devices
            .iter()
            .filter(|d| d.remote_maintenance)
            .map(|d| d.management_no.as_str())
            .collect();
        for (s, (name, category, vendor)) in systems.iter().enumerate() {
            refs.systems.push(name.to_string());
            let priority = if s == 0 { "high" } else { "medium" };
            records.push((
                &SYSTEMS,
                checked(
                    &SYSTEMS,
                    &[
                        ("name", name.to_string()),
                        ("category", category.to_string()),
                        ("vendor", vendor.to_string()),
                        ("recovery_priority", priority.into()),
                    ],
                    &refs,
                ),
            ));
            // The main systems are maintained remotely, mostly over a VPN with an ID per person.
            if s < 3 && !servers.is_empty() {
                let targets = servers
                    .iter()
                    .skip(s)
                    .step_by(3)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
                let restricted = self.chance(80);
                let two_factor = self.chance(60);
                let confirmed = self.maybe_days_ago(70, 400);
                records.push((
                    &REMOTE_MAINTENANCE,
                    checked(
                        &REMOTE_MAINTENANCE,
                        &[
                            ("name", format!("{name} 保守接続")),
                            ("vendor", vendor.to_string()),
                            ("targets", targets),
                            ("systems", name.to_string()),
                            (
                                "route",
                                if self.chance(70) {
                                    "ssl_vpn"
                                } else {
                                    "ipsec_vpn"
                                }
                                .into(),
                            ),
                            ("source_ip_restricted", yes_no(restricted)),
                            (
                                "id_policy",
                                if self.chance(85) {
                                    "individual"
                                } else {
                                    "shared"
                                }
                                .into(),
                            ),
                            ("two_factor", yes_no(two_factor)),
                            ("confirmed_on", confirmed),
                        ],
                        &refs,
                    ),
                ));
            }
            // A backup of every system; an offline copy and a recent restore test for most.
            let offline = self.chance(65);
            let tested = self.maybe_days_ago(70, 500);
            records.push((
                &BACKUPS,
                checked(
                    &BACKUPS,
                    &[
                        ("name", format!("{name} 日次バックアップ")),
                        ("system", name.to_string()),
                        ("target", "データベース".into()),
                        ("method", "full".into()),
                        ("frequency", "daily".into()),
                        ("media", if offline { "tape" } else { "online_disk" }.into()),
                        ("offline", if offline { "yes" } else { "no" }.into()),
                        ("last_success", self.days_ago(3).to_string()),
                        ("restore_tested_on", tested.clone()),
                        (
                            "restore_result",
                            if tested.is_empty() {
                                String::new()
                            } else {
                                "success".into()
                            },
                        ),
                    ],
                    &refs,
                ),
            ));
        }
        records
    }

    fn staff(&mut self, kind: FacilityKind, beds: Option<i64>) -> Vec<Record> {
        let (count, jobs) = match kind {
            FacilityKind::Hospital => (
                (beds.unwrap_or(100) as usize * 6 / 5).max(30),
                JOB_TYPES_HOSPITAL,
            ),
            FacilityKind::Clinic => (self.rng.gen_range(3..=20), JOB_TYPES_CLINIC),
            FacilityKind::Pharmacy => (self.rng.gen_range(2..=10), JOB_TYPES_PHARMACY),
            FacilityKind::MidwiferyHome => (self.rng.gen_range(1..=5), &[("midwife", 1)][..]),
        };
        let refs = References::default();
        (0..count)
            .map(|i| {
                let (name, kana) = self.person_name();
                let job = weighted(self.rng, jobs);
                // About 3 % have left; their accounts are what the stale-account rules find.
                let left = self.chance(3);
                let mut fields = vec![
                    ("staff_number", format!("{:05}", i + 1)),
                    ("name", name),
                    ("kana", kana),
                    ("department", pick(self.rng, DEPARTMENTS).to_string()),
                    ("job_type", job.to_string()),
                    (
                        "employment",
                        if left { "left" } else { "employed" }.to_string(),
                    ),
                ];
                if left {
                    fields.push(("left_on", self.days_ago(300).to_string()));
                }
                checked(&STAFF, &fields, &refs)
            })
            .collect()
    }

    /// An account per person on the main system, on others for some; a generic ID now and then.
    fn accounts(&mut self, systems: &[(&str, &str, &str)], staff: &[Record]) -> Vec<Account> {
        let mut accounts = Vec::new();
        for (s, (system, _, _)) in systems.iter().enumerate() {
            for person in staff {
                if s > 0 && !self.chance(30) {
                    continue;
                }
                let number = person.get("staff_number").unwrap_or_default().to_string();
                let left = person.get("employment") == Some("left");
                accounts.push(Account {
                    id: 0,
                    system: system.to_string(),
                    login_id: format!("u{number}"),
                    display_name: person.get("name").unwrap_or_default().to_string(),
                    owners: vec![number],
                    owner_state: OwnerState::File,
                    role: person.get("job_type").unwrap_or_default().to_string(),
                    privileges: Privileges::default(),
                    privileged: false,
                    status: AccountStatus::Active,
                    created_on: Some(self.days_ago(2_000)),
                    last_sign_in_on: Some(if left {
                        self.days_ago(400)
                    } else {
                        self.days_ago(20)
                    }),
                    expires_on: None,
                });
            }
            if self.chance(20) {
                accounts.push(Account {
                    id: 0,
                    system: system.to_string(),
                    login_id: "admin".into(),
                    display_name: "管理者".into(),
                    owners: Vec::new(),
                    owner_state: OwnerState::Unknown,
                    role: "system_admin".into(),
                    privileges: Privileges::default(),
                    privileged: true,
                    status: AccountStatus::Active,
                    created_on: Some(self.days_ago(3_000)),
                    last_sign_in_on: Some(self.days_ago(200)),
                    expires_on: None,
                });
            }
        }
        accounts
    }

    fn appointments(&mut self, kind: FacilityKind) -> Vec<Appointment> {
        // Most facilities have appointed a security officer; hospitals also a system manager.
        let mut roles = Vec::new();
        if self.chance(75) {
            roles.push(AppointedRole::SecurityOfficer);
        }
        if kind == FacilityKind::Hospital && self.chance(80) {
            roles.push(AppointedRole::SystemManager);
        }
        roles
            .into_iter()
            .map(|role| Appointment {
                role,
                person_name: self.person_name().0,
                position: None,
                department: None,
                tenure: Some(Tenure::Concurrent),
                from_on: Some(self.days_ago(1_500)),
                until_on: None,
                note: None,
            })
            .collect()
    }

    /// A lost device now and then (closed), and rarely a ransomware infection still open, whose
    /// reporting clocks then run.
    fn incidents(&mut self, devices: &[Device]) -> Vec<Incident> {
        let mut incidents = Vec::new();
        let device = |rng: &mut ChaCha8Rng| {
            devices
                .get(rng.gen_range(0..devices.len().max(1)))
                .map(|d| d.management_no.clone())
                .into_iter()
                .collect::<Vec<_>>()
        };
        if self.chance(3) {
            let on = self.days_ago(360);
            incidents.push(Incident {
                title: "ノートPCの紛失".into(),
                discovered_at: on.and_hms_opt(9, 30, 0).unwrap_or_default(),
                discovered_by: "事務長".into(),
                kind: "lost_or_stolen".into(),
                description: "持ち出し中に紛失。暗号化済みで個人データなし。".into(),
                systems: Vec::new(),
                devices: device(self.rng),
                personal_data: "none".into(),
                sensitive_data: false,
                improper_purpose: false,
                persons_affected: None,
                care_disrupted: false,
                severity: "low".into(),
                status: "closed".into(),
                closed_on: Some(on + Duration::days(7)),
            });
        }
        if self.rng.gen_range(0..1000) < 5 {
            incidents.push(Incident {
                title: "端末のランサムウェア感染".into(),
                discovered_at: self.days_ago(10).and_hms_opt(7, 45, 0).unwrap_or_default(),
                discovered_by: "看護師".into(),
                kind: "ransomware".into(),
                description: "画面に身代金要求。ネットワークから切り離し済み。".into(),
                systems: Vec::new(),
                devices: device(self.rng),
                personal_data: "possible".into(),
                sensitive_data: true,
                improper_purpose: true,
                persons_affected: None,
                care_disrupted: true,
                severity: "critical".into(),
                status: "contained".into(),
                closed_on: None,
            });
        }
        incidents
    }

    /// This fiscal year's own form: untouched for some, partly or fully answered for others.
    fn answers(&mut self, kind: FacilityKind) -> Option<Vec<GeneratedAnswer>> {
        let items = if kind == FacilityKind::Pharmacy {
            &self.plan.pharmacy_items
        } else {
            &self.plan.facility_items
        };
        if items.is_empty() || self.chance(30) {
            return None;
        }
        let share = self.rng.gen_range(20..=100);
        let (start, end_of_year) =
            mimamori_domain::checklist::fiscal_year_bounds(self.plan.fiscal_year);
        let mut answers = Vec::new();
        for key in items {
            if self.rng.gen_range(0..100) >= share {
                continue;
            }
            let no = self.chance(15);
            answers.push(GeneratedAnswer {
                item_key: key.clone(),
                answer: if no { Answer::No } else { Answer::Yes },
                first_checked_on: self.days_ago((self.plan.today - start).num_days() + 1),
                target_on: no.then_some(end_of_year),
            });
        }
        Some(answers)
    }
}
