//! Cold start: from spawning `mimamori serve` to the first `200` on `/healthz`, on SQLite.
//! `cargo bench -p mimamori --bench cold_start` (release build). Prints median and p90 over
//! runs on (a) a new, empty data directory (migrations run) and (b) an existing database.

#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mimamori");

fn healthz(address: &str) -> bool {
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.1 200")
}

/// One start: returns the time to the first healthy answer.
fn start_once(data_dir: &std::path::Path) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("MIMAMORI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mimamori");
    let stdout = child.stdout.take().expect("stdout");
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(url) = line.strip_prefix("Mimamori listening on http://") {
            address = Some(url.trim().to_string());
            break;
        }
    }
    let address = address.expect("address printed");
    while !healthz(&address) {
        std::thread::sleep(Duration::from_micros(200));
    }
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    let p90 = times[(times.len() * 9 / 10).min(times.len() - 1)];
    println!(
        "| cold start to /healthz 200 | {label} | sqlite | {:.1} ms | {:.1} ms | {} runs |",
        ms(median),
        ms(p90),
        times.len()
    );
}

fn main() {
    let runs: usize = std::env::var("MIMAMORI_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    println!("| figure | dataset | backend | median | p90 | runs |");
    println!("|---|---|---|---|---|---|");
    let fresh: Vec<Duration> = (0..runs)
        .map(|_| {
            let dir = tempfile::tempdir().expect("tempdir");
            start_once(dir.path())
        })
        .collect();
    report("new data directory (migrations applied)", fresh);
    let dir = tempfile::tempdir().expect("tempdir");
    start_once(dir.path());
    let existing: Vec<Duration> = (0..runs).map(|_| start_once(dir.path())).collect();
    report("existing database", existing);
}
