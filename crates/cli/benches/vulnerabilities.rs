//! Issue 22's benchmarks, each in a child process of its own so that its peak memory (VmHWM) is
//! its own:
//! 8. matching 100,000 devices, every one on a distinct version, against 300,000 synthetic CVE
//!    records shaped like NVD's (version ranges over a product, as FortiOS's records are);
//! 9. the findings of a facility brought up to date after one device edit, with the feeds held;
//! 10. importing a 2 GB NVD API 2.0 page, generated as a stream from a real record, at bounded
//!     memory.
//!
//! `cargo bench -p mimamori --bench vulnerabilities`; `MIMAMORI_BENCH_SMOKE=1` for tiny sizes,
//! `MIMAMORI_BENCH_FIGURES=match,reevaluate` for some of them.
//! Prints `RESULT` lines as the scale benchmark does (scripts/bench.sh makes the table).
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use mimamori_domain::clock::SystemClock;
use mimamori_domain::vulnerabilities::cpe::{Cpe, CpePart};
use mimamori_domain::vulnerabilities::cve::{Configuration, CpeMatch, CveRecord, Node};
use mimamori_domain::vulnerabilities::{match_platforms, Platform};
use mimamori_store::{Actor, Store};

fn smoke() -> bool {
    std::env::var("MIMAMORI_BENCH_SMOKE").is_ok_and(|v| v == "1")
}

fn number(name: &str, full: usize, small: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke() { small } else { full })
}

fn result(n: u8, figure: &str, dataset: &str, backend: &str, value: &str, target: &str) {
    println!("RESULT\t{n}\t{figure}\t{dataset}\t{backend}\t{value}\t{target}");
}

/// This process's peak resident memory, MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--bench"));
    match args.next().as_deref() {
        Some("match") => figure_match(),
        Some("reevaluate") => figure_reevaluate(),
        Some("stream") => figure_stream(),
        _ => {
            // Each figure in a child: `cargo bench` passes `--bench`, which the child ignores.
            let me = std::env::current_exe().unwrap();
            let figures = std::env::var("MIMAMORI_BENCH_FIGURES")
                .unwrap_or_else(|_| "match,reevaluate,stream".into());
            for figure in figures.split(',').map(str::trim) {
                let status = std::process::Command::new(&me)
                    .arg(figure)
                    .status()
                    .unwrap();
                assert!(status.success(), "{figure} failed");
            }
        }
    }
}

/// Products of the synthetic data: a device runs one, records are spread over all.
const PRODUCTS: usize = 2_000;

fn cpe(product: usize, version: &str) -> Cpe {
    Cpe {
        part: CpePart::OperatingSystem,
        vendor: format!("vendor{product}"),
        product: format!("os{product}"),
        version: version.into(),
        update: "*".into(),
        edition: "*".into(),
        sw_edition: "*".into(),
        target_sw: "*".into(),
        target_hw: "*".into(),
    }
}

/// A record as NVD writes a FortiOS flaw: several release lines of one product, each a range
/// `[x.y.0, x.y.fixed)`, CVSS and sometimes KEV.
fn synthetic_record(i: usize) -> CveRecord {
    let product = i % PRODUCTS;
    let lines = 1 + i % 6;
    let matches = (0..lines)
        .map(|line| CpeMatch {
            vulnerable: true,
            cpe: cpe(product, "*"),
            start_including: Some(format!("{}.{line}.0", 1 + i % 9)),
            start_excluding: None,
            end_including: None,
            end_excluding: Some(format!("{}.{line}.{}", 1 + i % 9, 5 + i % 40)),
        })
        .collect();
    CveRecord {
        id: format!("CVE-{}-{:05}", 2000 + i % 26, i),
        summary: "A synthetic flaw shaped like NVD's FortiOS records.".into(),
        cvss31: Some((i % 100) as f32 / 10.0),
        configurations: vec![Configuration {
            and: false,
            nodes: vec![Node {
                and: false,
                negate: false,
                matches,
            }],
        }],
        ..Default::default()
    }
}

fn figure_match() {
    let records_n = number("MIMAMORI_BENCH_CVES", 300_000, 3_000);
    let devices_n = number("MIMAMORI_BENCH_VULN_DEVICES", 100_000, 1_000);
    let records: Vec<CveRecord> = (0..records_n).map(synthetic_record).collect();
    // Every device on a version of its own: no two platforms alike (the worst case).
    let platforms: Vec<Platform> = (0..devices_n)
        .map(|d| Platform {
            items: vec![cpe(
                d % PRODUCTS,
                &format!(
                    "{}.{}.{}",
                    1 + d % 9,
                    (d / PRODUCTS) % 6,
                    d / (PRODUCTS * 6)
                ),
            )],
        })
        .collect();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let matched = match_platforms(&records, platforms.iter());
        times.push(started.elapsed().as_secs_f64());
        found = matched.values().map(Vec::len).sum::<usize>();
    }
    times.sort_by(f64::total_cmp);
    result(
        8,
        "match devices × CVE records (all versions distinct)",
        &format!("{devices_n} devices × {records_n} records, {found} matches"),
        "in process",
        &format!("{:.2} s · peak {:.0} MiB", times[1], peak_mib()),
        "≤ 5 s, ≤ 1 GB",
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A real NVD record (CVE-2024-21762) as the template of the generated ones.
const TEMPLATE: &str = include_str!("../../domain/tests/data/nvd/CVE-2024-21762.json");

fn figure_reevaluate() {
    let devices_n = number("MIMAMORI_BENCH_REEVAL_DEVICES", 10_000, 200);
    runtime().block_on(async {
        let work = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", work.path().join("bench.db").display());
        let store = Store::connect(&url, Arc::new(SystemClock)).await.unwrap();
        let actor = Actor::system("bench");
        // The real FortiOS record and 2,000 of its shape, as an NVD page.
        let page = nvd_page(2_000);
        let today = store.clock().today_jst();
        mimamori_app::feeds::import(&store, &actor, "page.json", today, move || {
            Ok(std::io::Cursor::new(page))
        })
        .await
        .unwrap();
        let mut tx = store.write(&actor).await.unwrap();
        let organisation = tx.create_organisation("法人").await.unwrap();
        let facility = tx
            .create_facility(
                organisation.id,
                &mimamori_testkit::facility_profile("BENCH", "ベンチ病院"),
            )
            .await
            .unwrap();
        let devices: Vec<_> = (0..devices_n)
            .map(|i| device(&format!("PC-{i:06}"), i))
            .collect();
        tx.create_devices(facility.id, &devices).await.unwrap();
        tx.commit().await.unwrap();
        store.facility_findings(facility.id, today).await.unwrap();
        let mut times = Vec::new();
        for round in 0..7 {
            let before = store
                .all_devices(facility.id, &Default::default())
                .await
                .unwrap()
                .into_iter()
                .find(|d| d.device.management_no == "PC-000007")
                .unwrap();
            let mut edited = before.device.clone();
            edited.os_version = Some(format!("7.2.{}", round % 9));
            let mut tx = store.write(&actor).await.unwrap();
            tx.update_device(&before, &edited).await.unwrap();
            tx.commit().await.unwrap();
            // The facts brought up to date, then the rules: what the findings page does.
            let started = Instant::now();
            let facts = store.facility_facts(facility.id, today).await.unwrap();
            let read = started.elapsed().as_secs_f64() * 1000.0;
            let findings = mimamori_domain::findings::evaluate(&facts);
            let total = started.elapsed().as_secs_f64() * 1000.0;
            times.push((total, read));
            assert!(!findings.is_empty());
        }
        times.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (total, read) = times[times.len() / 2];
        // Where the rules' time goes, on facts changed once more (nothing derived kept).
        let facts = store.facility_facts(facility.id, today).await.unwrap();
        let mut fresh = (*facts).clone();
        fresh.devices[7].os_version = Some("7.2.1".into());
        let mut slowest: Vec<(f64, &str)> = mimamori_domain::findings::RULES
            .iter()
            .map(|rule| {
                let started = Instant::now();
                let _ = (rule.check)(&fresh);
                (started.elapsed().as_secs_f64() * 1000.0, rule.id)
            })
            .collect();
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        eprintln!("slowest rules: {:?}", &slowest[..4]);
        result(
            9,
            "findings after one device edit (vulnerabilities matched again)",
            &format!("{devices_n} devices, 2,001 FortiOS-shaped records"),
            "sqlite",
            &format!(
                "{total:.1} ms (facts {read:.1} ms, rules {:.1} ms)",
                total - read
            ),
            "≤ 50 ms",
        );
    });
}

fn device(no: &str, i: usize) -> mimamori_domain::ledger::device::Device {
    let (os, version) = match i % 4 {
        0 => ("FortiOS", format!("7.{}.{}", (i / 4) % 3 * 2, i % 15)),
        1 => ("Windows 11 Pro", "23H2".to_string()),
        2 => ("Windows 10 Pro", "22H2".to_string()),
        _ => ("Ubuntu", "22.04".to_string()),
    };
    mimamori_domain::ledger::device::DeviceInput {
        management_no: no.into(),
        kind: "pc".into(),
        os_name: os.into(),
        os_version: version,
        status: "稼働".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
    .device
}

/// The generated records: the template with its id changed.
fn record_text(i: usize) -> String {
    TEMPLATE.replacen("CVE-2024-21762", &format!("CVE-2099-{i:07}"), 1)
}

fn nvd_page(n: usize) -> Vec<u8> {
    let mut page = String::from(
        r#"{"resultsPerPage":0,"startIndex":0,"totalResults":0,"format":"NVD_CVE","version":"2.0","timestamp":"2026-12-01T00:00:00.000","vulnerabilities":["#,
    );
    page.push_str(&format!(r#"{{"cve":{TEMPLATE}}}"#));
    for i in 0..n {
        page.push_str(&format!(r#",{{"cve":{}}}"#, record_text(i)));
    }
    page.push_str("]}");
    page.into_bytes()
}

/// An NVD page of about `bytes`, produced as it is read (never held whole).
struct NvdStream {
    target: u64,
    produced: u64,
    next: usize,
    buffer: Vec<u8>,
    at: usize,
    done: bool,
}

impl NvdStream {
    fn new(target: u64) -> Self {
        let head = r#"{"resultsPerPage":0,"startIndex":0,"totalResults":0,"format":"NVD_CVE","version":"2.0","timestamp":"2026-12-01T00:00:00.000","vulnerabilities":["#;
        NvdStream {
            target,
            produced: 0,
            next: 0,
            buffer: head.as_bytes().to_vec(),
            at: 0,
            done: false,
        }
    }

    fn refill(&mut self) {
        self.buffer.clear();
        self.at = 0;
        if self.done {
            return;
        }
        if self.produced >= self.target {
            self.buffer.extend_from_slice(b"]}");
            self.done = true;
            return;
        }
        let comma = if self.next == 0 { "" } else { "," };
        self.buffer.extend_from_slice(
            format!(r#"{comma}{{"cve":{}}}"#, record_text(self.next)).as_bytes(),
        );
        self.next += 1;
    }
}

impl Read for NvdStream {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buffer.len() {
            self.refill();
            if self.buffer.is_empty() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        self.produced += n as u64;
        Ok(n)
    }
}

fn figure_stream() {
    let bytes = number("MIMAMORI_BENCH_NVD_MB", 2_048, 4) as u64 * 1024 * 1024;
    runtime().block_on(async {
        let work = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", work.path().join("bench.db").display());
        let store = Store::connect(&url, Arc::new(SystemClock)).await.unwrap();
        let today = store.clock().today_jst();
        let started = Instant::now();
        let report = mimamori_app::feeds::import(
            &store,
            &Actor::system("bench"),
            "nvd-2gb.json",
            today,
            move || Ok(NvdStream::new(bytes)),
        )
        .await
        .unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert!(report.written, "{report:?}");
        result(
            10,
            "import an NVD API 2.0 page as a stream",
            &format!("{} MiB, {} records", bytes / 1024 / 1024, report.records),
            "sqlite",
            &format!(
                "{:.0} s · {:.0} records/s · {:.0} MiB/s · peak {:.0} MiB",
                seconds,
                report.records as f64 / seconds,
                bytes as f64 / 1024.0 / 1024.0 / seconds,
                peak_mib()
            ),
            "≤ 300 MB",
        );
    });
}
