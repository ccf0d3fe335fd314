//! Reads what the rules engine needs about one facility, in a handful of set queries (no query
//! per device), so findings stay fast for a 10,000-device hospital.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use mimamori_domain::accounts::Account;
use mimamori_domain::checklist::Form;
use mimamori_domain::findings::{
    evaluate, AnswerFacts, ConnectionFacts, DeviceFacts, FacilityFacts, Finding, IncidentFacts,
    RegisterRow, SystemFacts,
};
use mimamori_domain::ledger::device::{DeviceKind, DeviceStatus};
use mimamori_domain::ledger::registers::{REMOTE_MAINTENANCE, SYSTEMS};
use mimamori_domain::validation::search_key;
use mimamori_domain::vulnerabilities::assess::{exposure_of, ExposureInput};
use mimamori_domain::{backups, bcp, contacts};

use super::facts_changes::{Base, Opened};
use super::AssessmentKey;
use crate::cache::Counter;
use crate::{Result, Scope, Store};

/// A facility's facts and the findings the rules draw from them.
#[derive(Debug)]
pub struct Evaluated {
    pub facts: Arc<FacilityFacts>,
    pub findings: Vec<Finding>,
}

/// A facility's facts as kept, with the audit log position they include: every change up to
/// `seq` is in them (later ones may be too — bringing facts up to date reads rows again, so
/// taking a change in twice does no harm).
#[derive(Debug)]
pub(crate) struct KeptFacts {
    pub facts: Arc<FacilityFacts>,
    pub seq: i64,
}

/// How a store came by facilities' facts since it started: read in full, or brought up to date
/// from the audit log after a change (see `facts_changes`). For diagnostics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FactsReads {
    pub full: u64,
    pub updated: u64,
}

#[derive(Debug, Default)]
pub(crate) struct FactsCounters {
    pub(crate) full: Counter,
    pub(crate) updated: Counter,
}

impl Store {
    /// See [`FactsReads`].
    pub fn facts_reads(&self) -> FactsReads {
        FactsReads {
            full: self.facts_reads.full.current(),
            updated: self.facts_reads.updated.current(),
        }
    }

    /// What the rules engine needs about a facility on `today`: from the cache while the
    /// facility's data is unchanged (see `cache`), else read and kept.
    pub async fn facility_facts(
        &self,
        facility_id: i64,
        today: NaiveDate,
    ) -> Result<Arc<FacilityFacts>> {
        self.facts(facility_id, today, true).await
    }

    /// The facts and the findings of the rules engine on `today`, kept like the facts: the
    /// findings page, its API, the assessment and readiness pages all start from these.
    pub async fn facility_findings(
        &self,
        facility_id: i64,
        today: NaiveDate,
    ) -> Result<Arc<Evaluated>> {
        self.evaluated(facility_id, today, true).await
    }

    /// The facts and findings, from the cache or computed; `keep` stores computed ones, which
    /// are stored anyway when the facility already had a (now stale) entry: the background
    /// summary refresh then leaves fresh findings for whoever was looking at the facility.
    pub(crate) async fn evaluated(
        &self,
        facility_id: i64,
        today: NaiveDate,
        keep: bool,
    ) -> Result<Arc<Evaluated>> {
        let stamp = self.stamp(facility_id, Some(today)).await?;
        if let Some(evaluated) = self.findings_cache.get(facility_id, &stamp) {
            return Ok(evaluated);
        }
        // The stale findings go now, and with them their hold on the old facts, which the facts
        // cache can then bring up to date in place rather than copy.
        let keep = self.findings_cache.take(facility_id).is_some() || keep;
        let facts = self
            .stamped_facts(facility_id, today, stamp.clone(), keep)
            .await?;
        let evaluated = Arc::new(Evaluated {
            findings: evaluate(&facts),
            facts,
        });
        if keep {
            self.findings_cache
                .put(facility_id, stamp, evaluated.clone());
        }
        Ok(evaluated)
    }

    /// The facts, from the cache when they are there; `keep` stores freshly read ones (the
    /// background summary refresh does not, so that it does not fill memory with facilities
    /// nobody is looking at, unless the facility is in the cache already).
    pub(crate) async fn facts(
        &self,
        facility_id: i64,
        today: NaiveDate,
        keep: bool,
    ) -> Result<Arc<FacilityFacts>> {
        let stamp = self.stamp(facility_id, Some(today)).await?;
        self.stamped_facts(facility_id, today, stamp, keep).await
    }

    /// The facts under `stamp`: kept ones as they are, stale ones brought up to date from the
    /// audit log (see `facts_changes`), else read whole.
    async fn stamped_facts(
        &self,
        facility_id: i64,
        today: NaiveDate,
        stamp: crate::cache::Stamp,
        keep: bool,
    ) -> Result<Arc<FacilityFacts>> {
        if let Some(kept) = self.facts_cache.get(facility_id, &stamp) {
            return Ok(kept.facts.clone());
        }
        // The log's position is read before any data, so the facts read next include every
        // change up to it.
        let seq = self.audit_seq().await?;
        let stale = self.facts_cache.take(facility_id);
        let keep = keep || stale.is_some();
        let facts = match stale {
            Some((old, kept)) => {
                let small_current = old.day == stamp.day && old.global == stamp.global;
                let base = Base::kept(kept, small_current);
                self.brought_up_to_date(facility_id, today, base, seq)
                    .await?
            }
            None => self.cold_facts(facility_id, today, seq).await?,
        };
        let facts = Arc::new(self.with_feeds(facts).await?);
        if keep {
            let kept = KeptFacts {
                facts: facts.clone(),
                seq,
            };
            self.facts_cache.put(facility_id, stamp, Arc::new(kept));
        }
        Ok(facts)
    }

    /// `facts` with what the feeds say of its devices (read last: the devices decide which
    /// records), their vulnerabilities to be matched afresh.
    async fn with_feeds(&self, mut facts: FacilityFacts) -> Result<FacilityFacts> {
        let (cves, feeds) = self.feed_facts(&facts.devices, &facts.mappings).await?;
        facts.cves = cves;
        facts.feeds = feeds;
        facts.vulnerabilities = Default::default();
        facts.assessments = Default::default();
        Ok(facts)
    }

    /// The facts of a facility this process holds nothing of. The small parts are read while
    /// the snapshot is fetched and decoded — or, without one, while the large parts are read —
    /// rather than after: they are read after the log's position `seq`, so they stand whatever
    /// the log holds since the snapshot (the snapshot of 60,000 accounts is ~5 MB to fetch).
    async fn cold_facts(
        &self,
        facility_id: i64,
        today: NaiveDate,
        seq: i64,
    ) -> Result<FacilityFacts> {
        enum Large {
            Snapshot(Option<Opened>),
            Read(Vec<DeviceFacts>, Vec<Account>),
        }
        let large = async {
            Ok(match self.facts_snapshot(facility_id).await {
                Some(base) => {
                    Large::Snapshot(self.opened(facility_id, base.seq, base.large).await?)
                }
                None => {
                    let (devices, accounts) = self.large_parts(facility_id).await?;
                    Large::Read(devices, accounts)
                }
            })
        };
        let (large, small) = tokio::try_join!(large, self.small_facts(facility_id, today))?;
        match large {
            Large::Snapshot(opened) => {
                self.taken_in(facility_id, today, seq, opened, None, Some(small))
                    .await
            }
            Large::Read(devices, accounts) => Ok(self
                .read_whole(facility_id, seq, small, devices, accounts)
                .await),
        }
    }

    /// Everything read again, the small parts too unless `small` holds them (read after `seq`).
    pub(crate) async fn read_in_full(
        &self,
        facility_id: i64,
        today: NaiveDate,
        seq: i64,
        small: Option<FacilityFacts>,
    ) -> Result<FacilityFacts> {
        let small = async {
            match small {
                Some(small) => Ok(small),
                None => self.small_facts(facility_id, today).await,
            }
        };
        let ((devices, accounts), small) = tokio::try_join!(self.large_parts(facility_id), small)?;
        Ok(self
            .read_whole(facility_id, seq, small, devices, accounts)
            .await)
    }

    /// The devices and the live accounts, read side by side: on SQLite each uses its own
    /// connection and worker thread, so decoding one overlaps reading the other.
    async fn large_parts(&self, facility_id: i64) -> Result<(Vec<DeviceFacts>, Vec<Account>)> {
        tokio::try_join!(
            self.device_facts(facility_id),
            self.live_accounts(facility_id)
        )
    }

    /// Facts read in full from their parts (counted as such, see [`FactsReads`]), the large
    /// parts of a large facility snapshotted for the next process that needs them (see
    /// `facts_snapshot`).
    async fn read_whole(
        &self,
        facility_id: i64,
        seq: i64,
        mut facts: FacilityFacts,
        devices: Vec<DeviceFacts>,
        accounts: Vec<Account>,
    ) -> FacilityFacts {
        self.facts_reads.full.bump();
        facts.devices = devices;
        facts.accounts = accounts;
        self.save_facts_snapshot(facility_id, &facts, seq).await;
        facts
    }

    /// Everything the rules read but the devices and the accounts: the facility, its staff,
    /// registers, checklist answers and preparedness.
    pub(crate) async fn small_facts(
        &self,
        facility_id: i64,
        today: NaiveDate,
    ) -> Result<FacilityFacts> {
        let facility = self.facility(facility_id).await?;
        let mut facts = FacilityFacts::new(today, facility.profile.kind);
        facts.lifecycle = self.lifecycle().await?;
        facts.suppressions = self.suppressions(facility_id).await?;
        facts.mappings = Arc::new(self.mappings(facility.organisation_id).await?);
        facts.beds = facility.profile.beds;
        facts.people = self.people(facility_id).await?;
        facts.appointments = self
            .appointments(facility_id)
            .await?
            .into_iter()
            .map(|a| a.appointment)
            .collect();
        facts.ledger_confirmed_on = self
            .device_ledger_status(facility_id)
            .await?
            .last_confirmed_at
            .and_then(|t| mimamori_domain::clock::jst_date(&t));
        let flag_of = |v: Option<&str>| match v {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        };
        facts.connections = self
            .all_records(facility_id, &REMOTE_MAINTENANCE)
            .await?
            .into_iter()
            .map(|r| {
                let v = &r.record;
                ConnectionFacts {
                    id: r.id,
                    name: v.get("name").unwrap_or_default().to_string(),
                    vendor: v.get("vendor").map(str::to_string),
                    targets: v
                        .get("targets")
                        .unwrap_or_default()
                        .split([',', '、'])
                        .map(|t| search_key(t.trim()))
                        .filter(|t| !t.is_empty())
                        .collect(),
                    source_ip_restricted: flag_of(v.get("source_ip_restricted")),
                    shared_id: v.get("id_policy") == Some("shared"),
                    two_factor: flag_of(v.get("two_factor")),
                    confirmed_on: v.date("confirmed_on"),
                }
            })
            .collect();
        facts.policies = self.policies(facility_id, None).await?;
        facts.unused_days = self.unused_days(facility_id).await?;
        facts.completed_reviews = self
            .reviews(facility_id)
            .await?
            .into_iter()
            .filter_map(|r| {
                let on = mimamori_domain::clock::jst_date(r.completed_at.as_deref()?)?;
                Some((r.title, on))
            })
            .collect();
        facts.systems = self
            .all_records(facility_id, &SYSTEMS)
            .await?
            .into_iter()
            .map(|r| SystemFacts {
                id: r.id,
                name: r.record.get("name").unwrap_or_default().to_string(),
                vendor: r.record.get("vendor").map(str::to_string),
            })
            .collect();
        let assessments = self
            .assessments(facility_id, Some(facts.fiscal_year))
            .await?;
        facts.vendor_forms = assessments
            .iter()
            .filter(|a| a.form == Form::Vendor)
            .map(|a| (search_key(&a.vendor), search_key(&a.system)))
            .collect();
        let own = Form::own(facility.profile.kind);
        let key = AssessmentKey {
            facility_id,
            fiscal_year: facts.fiscal_year,
            form: own,
            vendor: String::new(),
            system: String::new(),
        };
        if let Some(assessment) = self.find_assessment(&key).await? {
            let edition = self.edition_for(facts.fiscal_year, own).await?;
            let number = |k: &str| {
                edition
                    .as_ref()
                    .and_then(|e| e.edition.item(k))
                    .and_then(|i| i.number.clone())
                    .unwrap_or_else(|| k.to_string())
            };
            facts.assessment_id = Some(assessment.id);
            let mut answers: Vec<AnswerFacts> = self
                .answers(assessment.id)
                .await?
                .into_values()
                .map(|a| AnswerFacts {
                    number: number(&a.item_key),
                    item_key: a.item_key,
                    answer: a.answer.answer,
                    target_on: a.answer.target_on,
                })
                .collect();
            answers.sort_by(|a, b| a.item_key.cmp(&b.item_key));
            facts.answers = answers;
        }
        self.preparedness_facts(facility_id, &mut facts).await?;
        Ok(facts)
    }

    /// The contact chart, backups, drills, BCP progress and open incidents' clocks.
    async fn preparedness_facts(&self, facility_id: i64, facts: &mut FacilityFacts) -> Result<()> {
        let rows = |records: Vec<crate::ledger::registers::StoredRecord>| -> Vec<RegisterRow> {
            records
                .into_iter()
                .map(|r| RegisterRow {
                    id: r.id,
                    record: r.record,
                })
                .collect()
        };
        facts.escalation = rows(self.all_records(facility_id, &contacts::ESCALATION).await?);
        facts.contacts = rows(self.all_records(facility_id, &contacts::CONTACTS).await?);
        facts.backups = rows(self.all_records(facility_id, &backups::BACKUPS).await?);
        facts.drills = rows(self.all_records(facility_id, &bcp::DRILLS).await?);
        let answers = self.bcp_answers(facility_id).await?;
        facts.bcp_progress = bcp::progress(bcp::catalog(), |key| {
            answers
                .iter()
                .find(|a| a.check_key == key)
                .map(|a| a.status)
        });
        facts.incidents = self
            .open_incident_clocks(facility_id, facts.today)
            .await?
            .into_iter()
            .map(|(stored, clocks)| IncidentFacts {
                id: stored.id,
                label: format!("{} {}", stored.label(), stored.incident.title),
                clocks,
            })
            .collect();
        Ok(())
    }

    /// The lean device view the rules read: one query for devices, one for software without a
    /// version, one for the segments of their interfaces.
    pub async fn device_facts(&self, facility_id: i64) -> Result<Vec<DeviceFacts>> {
        self.device_facts_in(facility_id, &Scope::All).await
    }

    /// [`Store::device_facts`] of the devices in `scope`.
    pub(crate) async fn device_facts_in(
        &self,
        facility_id: i64,
        scope: &Scope,
    ) -> Result<Vec<DeviceFacts>> {
        // Each query's rows come as one JSON text (see `Backend::json_rows`).
        #[derive(serde::Deserialize)]
        struct Columns(
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
        );
        let backend = self.backend;
        let sql = backend.json_rows(
            "id, management_no, kind, status, os_name, os_version, maker, model, remote_maintenance, description",
            &format!(
                "devices WHERE facility_id = $1{}",
                scope.condition(backend, "id")
            ),
            "management_no",
        );
        let rows: Vec<Columns> = self.facility_json_rows(&sql, facility_id, scope).await?;
        let mut index = HashMap::with_capacity(rows.len());
        let mut descriptions: HashMap<i64, String> = HashMap::new();
        let mut devices: Vec<DeviceFacts> = rows
            .into_iter()
            .enumerate()
            .map(
                |(
                    i,
                    Columns(
                        id,
                        management_no,
                        kind,
                        status,
                        os_name,
                        os_version,
                        maker,
                        model,
                        remote,
                        description,
                    ),
                )| {
                    index.insert(id, i);
                    if let Some(text) = description.filter(|t| !t.is_empty()) {
                        descriptions.insert(id, text);
                    }
                    DeviceFacts {
                        id,
                        management_no,
                        kind: DeviceKind::parse(&kind),
                        status: DeviceStatus::parse(&status),
                        os_name,
                        os_version,
                        maker,
                        model,
                        remote_maintenance: remote != 0,
                        software_without_version: 0,
                        segments: Vec::new(),
                        software: Vec::new(),
                        exposure: Vec::new(),
                    }
                },
            )
            .collect();
        // Software: counted when it has no version, kept as (name, version) for matching.
        let sql = backend.json_rows(
            "device_id, name, version",
            &format!("(SELECT s.device_id, s.name, s.version FROM device_software s JOIN devices d ON d.id = s.device_id WHERE d.facility_id = $1{}) software", scope.condition(backend, "d.id")),
            "device_id, name",
        );
        for (id, name, version) in self
            .facility_json_rows::<(i64, String, Option<String>)>(&sql, facility_id, scope)
            .await?
        {
            if let Some(&i) = index.get(&id) {
                let device = &mut devices[i];
                if version.as_deref().is_none_or(str::is_empty) {
                    device.software_without_version += 1;
                }
                device.software.push((name, version));
            }
        }
        // Interfaces: distinct segments, and with the description what exposes the device.
        let sql = backend.json_rows(
            "device_id, ip, hostname, segment",
            &format!("(SELECT i.device_id, i.ip, i.hostname, i.segment FROM device_interfaces i JOIN devices d ON d.id = i.device_id WHERE d.facility_id = $1{}) interfaces", scope.condition(backend, "d.id")),
            "device_id",
        );
        let mut interfaces: HashMap<i64, Vec<(String, String, String)>> = HashMap::new();
        for (id, ip, hostname, segment) in self
            .facility_json_rows::<(i64, Option<String>, Option<String>, Option<String>)>(
                &sql,
                facility_id,
                scope,
            )
            .await?
        {
            if let Some(&i) = index.get(&id) {
                let segment = segment.unwrap_or_default();
                let segments = &mut devices[i].segments;
                if !segment.is_empty() && !segments.contains(&segment) {
                    segments.push(segment.clone());
                }
                interfaces.entry(id).or_default().push((
                    ip.unwrap_or_default(),
                    hostname.unwrap_or_default(),
                    segment,
                ));
            }
        }
        for device in &mut devices {
            let description = descriptions.remove(&device.id).unwrap_or_default();
            let input = ExposureInput {
                kind: device.kind,
                model: device.model.as_deref().unwrap_or_default(),
                description: &description,
                os_name: device.os_name.as_deref().unwrap_or_default(),
                remote_maintenance: device.remote_maintenance,
            };
            let own = interfaces.remove(&device.id).unwrap_or_default();
            device.exposure = exposure_of(
                input,
                own.iter()
                    .map(|(ip, h, s)| (ip.as_str(), h.as_str(), s.as_str())),
            );
        }
        Ok(devices)
    }
}
