//! /healthz while three large imports run (issue 21): files are read on the blocking pool, so the
//! server keeps answering. A test binary of its own, so that no other test's work shares the two
//! cores with the measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imports_support;

use imports_support::*;
use mimamori_formats::test_files::{inline_row, package, sheet};
use mimamori_testkit::{backend_tests, Backend, TestApp};
use serde_json::Value;
use std::time::{Duration, Instant};

backend_tests!(healthz_answers_while_three_large_imports_run);

/// A large ledger XLSX: `rows` devices in inline strings.
fn large_workbook(rows: usize) -> Vec<u8> {
    let mut xml = inline_row(
        1,
        &["管理番号", "メーカー", "OS", "設置場所", "利用者", "説明"],
    );
    for r in 0..rows {
        let number = format!("PC-{r:06}");
        xml.push_str(&inline_row(
            r + 2,
            &[
                &number,
                "NEC",
                "Windows 11 Pro",
                "外来",
                "看護部",
                "電子カルテ端末",
            ],
        ));
    }
    package(&sheet(&xml), None, None)
}

async fn healthz_answers_while_three_large_imports_run(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = editor(&app).await;
    let file = large_workbook(40_000);
    let token = client.csrf().await;
    let imports: Vec<_> = (0..3)
        .map(|_| {
            let request = client
                .http
                .post(client.url(&format!("{DEVICES}&dry_run=true")))
                .header("x-csrf-token", &token)
                .body(file.clone());
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    // The probe runs on a thread of its own: a probe on the server's runtime would be stalled
    // with it and measure nothing.
    let address = client
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let mut latencies = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) && latencies.len() < 400 {
                latencies.push(healthz_latency(&address));
                std::thread::sleep(Duration::from_millis(25));
            }
            latencies
        })
    };
    let mut reports = Vec::new();
    for import in imports {
        reports.push(import.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let latencies = probe.join().unwrap();
    for (status, report) in reports {
        assert_eq!((status, report["created"].as_u64()), (200, Some(40_000)));
    }
    let slowest = latencies.iter().max().copied().unwrap_or_default();
    eprintln!("/healthz: {} checks, slowest {slowest:?}", latencies.len());
    assert!(
        latencies.len() >= 5,
        "the imports ended before /healthz was asked ({} checks)",
        latencies.len()
    );
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?} while imports ran"
    );
}

/// One `GET /healthz` over a plain socket, answered 200, and how long it took.
fn healthz_latency(address: &str) -> Duration {
    use std::io::{Read, Write};
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    started.elapsed()
}
