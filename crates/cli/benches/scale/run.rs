//! Running the release binary: commands, the server, requests, wrk, memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mimamori");
pub const PASSWORD: &str = "Speed-test-2026!";

/// The `mimamori` command against `url`, quiet but for warnings.
fn command(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("MIMAMORI_LOG", "warn");
    command
}

/// Runs `mimamori` against `url` and returns its stdout; panics with stderr on failure.
pub fn mimamori(dir: &Path, url: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = command(dir, url, args)
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
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `mimamori` like [`mimamori`] and returns (exit code, seconds, peak resident MiB): the
/// peak is the kernel's high-water mark (VmHWM), read until the process ends.
pub fn mimamori_measured(dir: &Path, url: &str, args: &[&str]) -> (i32, f64, f64) {
    let started = Instant::now();
    let mut child = command(dir, url, args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0.0f64;
    let code = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
                .unwrap_or(0.0);
            peak_kib = peak_kib.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (code, started.elapsed().as_secs_f64(), peak_kib / 1024.0)
}

/// Seconds the `sqlite3` command-line tool takes to `.import` the same rows as UTF-8 CSV into
/// a table of text columns (no checking, one transaction): the floor an import can approach.
/// `None` when the tool is not installed.
pub fn sqlite3_import_seconds(dir: &Path, cp932_csv: &Path) -> Option<f64> {
    let bytes = std::fs::read(cp932_csv).ok()?;
    let text = encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned();
    let header = text.lines().next()?.to_string();
    let utf8 = dir.join("sqlite3-import.csv");
    std::fs::write(&utf8, text.as_bytes()).ok()?;
    let columns: Vec<String> = (0..header.split(',').count())
        .map(|i| format!("c{i} TEXT"))
        .collect();
    let db = dir.join("sqlite3-import.db");
    let _ = std::fs::remove_file(&db);
    let script = format!(
        "CREATE TABLE t ({});\n.mode csv\n.import --skip 1 {} t\n",
        columns.join(", "),
        utf8.display()
    );
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let ok = child.wait().ok()?.success();
    let seconds = started.elapsed().as_secs_f64();
    ok.then_some(seconds)
}

/// Seconds a closure takes.
pub fn timed(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64()
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A fresh database: a SQLite file in `dir`, or a new PostgreSQL database.
pub fn fresh_database(backend: &str, dir: &Path, tag: &str) -> Option<String> {
    if backend == "sqlite" {
        return Some(format!(
            "sqlite://{}",
            dir.join(format!("{tag}.db")).display()
        ));
    }
    let admin = std::env::var("MIMAMORI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("mimamori_bench_{}_{tag}", std::process::id());
    let ok = Command::new("psql")
        .env("PGOPTIONS", "--client-min-messages=warning")
        .arg(&admin)
        .args([
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .stdout(Stdio::null())
        .status()
        .ok()?
        .success();
    ok.then(|| format!("{}/{name}", admin.rsplit_once('/').unwrap().0))
}

pub fn drop_database(url: &str) {
    if let Some((admin, name)) = url.rsplit_once('/').filter(|_| url.starts_with("postgres")) {
        let _ = Command::new("psql")
            .env("PGOPTIONS", "--client-min-messages=warning")
            .arg(format!("{admin}/postgres"))
            .args([
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ])
            .stdout(Stdio::null())
            .status();
    }
}

pub fn create_user(dir: &Path, url: &str, email: &str, role: &str, facility: Option<&str>) {
    let mut args = vec![
        "admin",
        "create-user",
        "--email",
        email,
        "--name",
        "bench",
        "--role",
        role,
        "--password-stdin",
    ];
    if let Some(code) = facility {
        args.extend(["--facility", code]);
    }
    mimamori(dir, url, &args, Some(&format!("{PASSWORD}\n")));
}

pub struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    pub fn start(dir: &Path, url: &str) -> Server {
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
        Server { child, address }
    }

    /// Resident memory now and at its peak, in MiB (Linux /proc).
    pub fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
                .unwrap_or(0.0)
                / 1024.0
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// One GET with the session cookie: status and time.
    pub fn get(&self, path: &str, cookie: &str) -> (u16, Duration) {
        let started = Instant::now();
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
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

    /// Median milliseconds of `runs` sequential requests (each must answer 200).
    pub fn median_ms(&self, path: &str, cookie: &str, runs: usize) -> f64 {
        median(
            (0..runs)
                .map(|_| {
                    let (status, time) = self.get(path, cookie);
                    assert_eq!(status, 200, "{path}");
                    time.as_secs_f64() * 1000.0
                })
                .collect(),
        )
    }

    /// Signs in with the password (second factor off for the benchmark server).
    pub fn sign_in(&self, email: &str) -> String {
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
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
        // The form's token is bound to the cookie (and the server's key); every response says it.
        let token = reply
            .lines()
            .find_map(|line| line.strip_prefix("x-csrf-token: "))
            .expect("the CSRF token header")
            .trim()
            .to_string();
        let body = format!(
            "email={}&password={}&csrf={token}",
            urlencode(email),
            urlencode(PASSWORD)
        );
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// wrk's requests per second and 99th percentile latency (ms) for `path`.
pub fn wrk(
    address: &str,
    path: &str,
    cookie: &str,
    connections: usize,
    seconds: u64,
) -> (f64, f64) {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
        ])
        .arg(format!("Cookie: {cookie}"))
        .arg(format!("http://{address}{path}"))
        .output()
        .expect("wrk is installed (scripts/bench.sh installs it)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Non-2xx"), "{path}: {text}");
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| parse_wrk_time(v.trim()))
        .unwrap_or(f64::NAN);
    (rate, p99)
}

/// "12.34ms" / "1.02s" / "850.00us" in milliseconds.
fn parse_wrk_time(text: &str) -> f64 {
    let (number, factor) = if let Some(v) = text.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = text.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = text.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (text, 1.0)
    };
    number.parse::<f64>().unwrap_or(f64::NAN) * factor
}

/// Time from spawning `serve` on an existing database to the first 200 on /healthz.
pub fn cold_start(dir: &Path, url: &str) -> f64 {
    let started = Instant::now();
    let server = Server::start(dir, url);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(&server.address) {
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut reply = String::new();
            let _ = stream.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    started.elapsed().as_secs_f64() * 1000.0
}
