//! Runs the real `mimamori` binary: commands, and `serve` on a free loopback port.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mimamori");

/// `mimamori --data-dir DIR [--database-url URL] ARGS…` with optional stdin.
pub fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    let mut command = Command::new(BIN);
    command.arg("--data-dir").arg(data_dir);
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    command
        .args(args)
        .env_remove("MIMAMORI_DATABASE_URL")
        .env_remove("MIMAMORI_DATA_DIR");
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The allocator's options in a running process's environment (Linux /proc), as sorted
/// `MIMALLOC_…=value` entries; none when the process is gone.
pub fn allocator_options(pid: u32) -> Vec<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    let mut options: Vec<String> = environ
        .split(|b| *b == 0)
        .map(|entry| String::from_utf8_lossy(entry).into_owned())
        .filter(|entry| entry.starts_with("MIMALLOC_") || entry.starts_with("MALLOC_"))
        .collect();
    options.sort();
    options
}

/// A running `mimamori serve`, stopped on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub setup_url: Option<String>,
    pub lines: Vec<String>,
    pub data_dir: PathBuf,
}

impl Server {
    pub fn start(data_dir: &Path, database_url: Option<&str>, extra: &[&str]) -> Server {
        Server::start_with_env(data_dir, database_url, extra, &[])
    }

    /// [`Server::start`] with environment variables set (`Some`) or removed (`None`).
    pub fn start_with_env(
        data_dir: &Path,
        database_url: Option<&str>,
        extra: &[&str],
        env: &[(&str, Option<&str>)],
    ) -> Server {
        let mut command = Command::new(BIN);
        for (name, value) in env {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        command.arg("--data-dir").arg(data_dir);
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra);
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .stdin(Stdio::null());
        let mut child = command.spawn().unwrap();
        let reader = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        let mut setup_url = None;
        let mut base = None;
        for line in reader.lines() {
            let line = line.unwrap();
            if let Some(at) = line
                .find("http://")
                .filter(|_| line.contains("/setup?token="))
            {
                setup_url = Some(line[at..].trim().to_string());
            }
            if let Some(address) = line.strip_prefix("Mimamori listening on ") {
                base = Some(address.trim().to_string());
                lines.push(line);
                break;
            }
            lines.push(line);
        }
        let base = base.expect("server printed its address");
        let server = Server {
            child,
            base,
            setup_url,
            lines,
            data_dir: data_dir.to_path_buf(),
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let address = self.base.trim_start_matches("http://").to_string();
        while Instant::now() < deadline {
            if let Ok(mut stream) = std::net::TcpStream::connect(&address) {
                let _ = stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut reply = String::new();
                let _ = std::io::Read::read_to_string(&mut stream, &mut reply);
                if reply.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("server did not become healthy");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
