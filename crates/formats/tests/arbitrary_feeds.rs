//! Property tests of the feed readers: the real samples of every kind (NVD pages and records,
//! the CPE dictionary and match pages, CISA KEV, EPSS, JVN VULDEF XML, MyJVN CSAF JSON,
//! endoflife.date) cut short, with bytes flipped, spliced into each other or filled with junk,
//! gzipped or not, are read without a panic; a file that fails says which file, and every record
//! handed on stays within the limits. The JVN version-phrase reader and CPE names are fed
//! arbitrary text the same way. The seed is fixed so a failure repeats.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use mimamori_domain::vulnerabilities::jvn::{configurations, cpe_of, read_phrase, JvnAffected};
use mimamori_formats::feeds::{read_feed, FeedItem, FeedLimits};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SAMPLES: &[&str] = &[
    "nvd/records/CVE-2024-21762.json",
    "nvd/api2-pages/vunnel_full-page.json",
    "nvd/cpe/nvdgo_cpematch-CVE-2022-32223.json",
    "jvn/hnd/getVulnDetailInfo_hnd_JVNDB-2018-009328.xml",
    "jvn/hnd/dataFeed_jvndb_detail_hnd.xml",
    "jvn/oka/getVulnDetailInfo_oka_JVNDB-2021-002774.json",
    "jvn/oka/getVulnDetailInfo_oka_jvncsaf.json",
    "eol/api_v1/api_v1_categories_os.json",
    "eol/products/fortios.md",
];

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/testdata")
            .join(path),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn mutate(rng: &mut ChaCha8Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    match rng.gen_range(0..6) {
        0 => bytes.truncate(rng.gen_range(0..=bytes.len())),
        1 => {
            for _ in 0..rng.gen_range(1..40) {
                if !bytes.is_empty() {
                    let i = rng.gen_range(0..bytes.len());
                    bytes[i] = rng.gen();
                }
            }
        }
        2 => {
            let at = rng.gen_range(0..=bytes.len());
            let take = rng.gen_range(0..=other.len().min(4096));
            bytes.splice(at..at, other[..take].iter().copied());
        }
        3 => {
            let junk = [
                "{",
                "}",
                "[",
                "]",
                "\"",
                ",",
                ":",
                "null",
                "<",
                ">",
                "</Vulinfo>",
                "\\u0000",
                "未満",
                "\u{feff}",
            ];
            for _ in 0..rng.gen_range(1..30) {
                let at = rng.gen_range(0..=bytes.len());
                let word = junk[rng.gen_range(0..junk.len())].as_bytes();
                bytes.splice(at..at, word.iter().copied());
            }
        }
        4 => bytes = (0..rng.gen_range(0..2048)).map(|_| rng.gen()).collect(),
        _ => {}
    }
    if rng.gen_bool(0.2) {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        bytes = gz.finish().unwrap();
        if rng.gen_bool(0.5) {
            let cut = rng.gen_range(0..=bytes.len());
            bytes.truncate(cut);
        }
    }
    bytes
}

#[test]
fn mangled_feeds_never_panic_and_failures_name_their_file() {
    let samples: Vec<Vec<u8>> = SAMPLES.iter().map(|s| sample(s)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let limits = FeedLimits {
        total: 8 * 1024 * 1024,
        record: 256 * 1024,
    };
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for round in 0..600 {
        let base = &samples[rng.gen_range(0..samples.len())];
        let other = &samples[rng.gen_range(0..samples.len())];
        let bytes = mutate(&mut rng, base, other);
        let name = format!("mangled-{round}.json");
        let mut records = 0usize;
        let read = read_feed(
            std::io::Cursor::new(bytes),
            &name,
            day,
            limits,
            &mut |item| {
                records += 1;
                if let FeedItem::Jvn(j) = &item {
                    assert!(j
                        .affected
                        .iter()
                        .all(|a| a.versions.iter().all(|v| v.chars().count() <= 500)));
                }
                Ok(())
            },
        );
        match read {
            Ok(read) => assert_eq!(read.records, records),
            Err(error) => assert!(error.to_string().contains(&name), "{error}"),
        }
    }
}

#[test]
fn arbitrary_version_phrases_and_cpe_names_never_panic() {
    let pool: Vec<char> = "0123456789.-_ vVerBuildbuild()（）より前未満以前以下以降およびそれすべてのバージョンファームウェア全cpe:/2.3aoh*?\u{3000}９．"
        .chars()
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..5_000 {
        let text: String = (0..rng.gen_range(0..40))
            .map(|_| pool[rng.gen_range(0..pool.len())])
            .collect();
        let _ = read_phrase(&text);
        let _ = cpe_of(&text);
        let affected = [JvnAffected {
            cpe: format!("cpe:/a:vendor:{text}"),
            versions: vec![text.clone()],
        }];
        for config in configurations(&affected) {
            assert!(config.nodes.iter().all(|n| !n.matches.is_empty()));
        }
    }
}
