//! Device ledger benchmarks with the release binary:
//! 1. importing a 100,000-device CP932 CSV (read + validate + write, one transaction), SQLite and PostgreSQL;
//! 2. the list page and the list API (50 rows, filtered search) with those devices in the facility.
//!
//! `cargo bench -p mimamori --bench ledger` — MIMAMORI_BENCH_DEVICES (default 100000) and
//! MIMAMORI_BENCH_REQUESTS (default 200) scale it down for a smoke run.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mimamori");

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic ledger in the MHLW layout plus our columns, saved as Japanese Excel saves CSV.
fn ledger_csv(devices: usize) -> Vec<u8> {
    let locations = [
        "外来1診",
        "3階東病棟",
        "4階西病棟",
        "放射線科",
        "臨床検査科",
        "医事課",
        "薬剤部",
        "ICU",
    ];
    let mut text = String::from("最終更新日：2026年11月1日\r\n管理番号,メーカー,OS,ソフトウェア,ソフトウェアバージョン,IPアドレス,コンピュータ名,設置場所,利用者,登録日,状態,説明,種別\r\n");
    for i in 0..devices {
        let os = if i % 50 == 0 {
            "Windows 8.1"
        } else {
            "Windows 11 Pro"
        };
        let status = if i % 20 == 0 { "停止" } else { "稼働" };
        text.push_str(&format!(
            "PC-{i:06},富士通,{os},電子カルテ端末,5.2.{},10.{}.{}.{},HOST-{i:06},{},看護師{},R5.4.{},{status},,端末PC\r\n",
            i % 10,
            10 + i / 65_000,
            (i / 250) % 250,
            i % 250 + 1,
            locations[i % locations.len()],
            i % 300,
            i % 28 + 1
        ));
    }
    encoding_rs::SHIFT_JIS.encode(&text).0.into_owned()
}

fn mimamori(
    data_dir: &std::path::Path,
    url: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("MIMAMORI_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn postgres_url() -> Option<String> {
    let admin = std::env::var("MIMAMORI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("mimamori_bench_{}", std::process::id());
    let status = Command::new("psql")
        .arg(&admin)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .ok()?;
    status
        .success()
        .then(|| format!("{}/{name}", admin.rsplit_once('/').unwrap().0))
}

fn import_once(
    backend: &str,
    url: &str,
    dir: &std::path::Path,
    file: &std::path::Path,
    devices: usize,
) -> f64 {
    mimamori(
        dir,
        url,
        &[
            "facility",
            "create",
            "--code",
            "BENCH",
            "--name",
            "ベンチ病院",
            "--kind",
            "hospital",
        ],
        None,
    );
    let started = Instant::now();
    mimamori(
        dir,
        url,
        &[
            "import",
            "devices",
            file.to_str().unwrap(),
            "--facility",
            "BENCH",
        ],
        None,
    );
    let seconds = started.elapsed().as_secs_f64();
    println!("| import {devices} devices, CP932 CSV | {devices} devices | {backend} | {:.2} s | {:.0} devices/s |", seconds, devices as f64 / seconds);
    seconds
}

fn request(address: &str, path: &str, cookie: &str) -> (u16, Duration) {
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let status = std::str::from_utf8(&reply[9..12])
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    (status, started.elapsed())
}

/// Signs in over HTTP (second factor off for the benchmark server) and returns the cookies.
fn sign_in(address: &str) -> String {
    let (_, _) = request(address, "/login", "");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /login HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let csrf = reply
        .split("mimamori_csrf=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = format!("email=bench%40example.jp&password=Speed-test-2026%21&csrf={csrf}");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /login HTTP/1.1\r\nHost: bench\r\nCookie: mimamori_csrf={csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let session = reply
        .split("mimamori_session=")
        .nth(1)
        .expect("signed in")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    format!("mimamori_csrf={csrf}; mimamori_session={session}")
}

fn list_benchmark(
    backend: &str,
    url: &str,
    dir: &std::path::Path,
    devices: usize,
    requests: usize,
) {
    mimamori(
        dir,
        url,
        &[
            "admin",
            "create-user",
            "--email",
            "bench@example.jp",
            "--name",
            "bench",
            "--role",
            "viewer",
            "--facility",
            "BENCH",
            "--password-stdin",
        ],
        Some("Speed-test-2026!\n"),
    );
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("MIMAMORI_LOG", "warn")
        .env("MIMAMORI_WEB__REQUIRE_SECOND_FACTOR", "false")
        .env("MIMAMORI_WEB__SESSION_IDLE_MINUTES", "600")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let address = BufReader::new(stdout)
        .lines()
        .map(|l| l.unwrap())
        .find_map(|l| {
            l.strip_prefix("Mimamori listening on http://")
                .map(str::to_string)
        })
        .unwrap();
    let cookie = sign_in(&address);
    for (name, path) in [
        (
            "list page, search + filter",
            "/facilities/BENCH/devices?q=host-0012&status=active",
        ),
        (
            "list API, search + filter",
            "/api/v1/facilities/BENCH/devices?q=host-0012&status=active",
        ),
        (
            "list page, first page sorted by location",
            "/facilities/BENCH/devices?sort=location",
        ),
    ] {
        let mut times: Vec<Duration> = (0..requests)
            .map(|_| {
                let (status, time) = request(&address, path, &cookie);
                assert_eq!(status, 200, "{path}");
                time
            })
            .collect();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = times[times.len() / 2];
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        println!("| {name}, 1 client | {devices} devices | {backend} | {:.1} ms median | {:.1} ms p99 | {:.0} req/s |", ms(median), ms(p99), 1000.0 / ms(median));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn main() {
    let devices = env_number("MIMAMORI_BENCH_DEVICES", 100_000);
    let requests = env_number("MIMAMORI_BENCH_REQUESTS", 200);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("ledger-cp932.csv");
    std::fs::write(&file, ledger_csv(devices)).unwrap();
    println!("| figure | dataset | backend | time | rate |");
    println!("|---|---|---|---|---|");
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", sqlite_dir.path().join("bench.db").display());
    import_once("sqlite", &sqlite_url, sqlite_dir.path(), &file, devices);
    list_benchmark("sqlite", &sqlite_url, sqlite_dir.path(), devices, requests);
    match postgres_url() {
        Some(url) => {
            let dir = tempfile::tempdir().unwrap();
            import_once("postgres", &url, dir.path(), &file, devices);
            list_benchmark("postgres", &url, dir.path(), devices, requests);
        }
        None => println!("| PostgreSQL not reachable: skipped | | | | |"),
    }
}
