//! Hostile feed files: the real samples cut and corrupted at random must give a result or a
//! located error — never a panic — and nothing over the limits.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};

use super::{read_feed, FeedLimits};

const SAMPLES: &[(&str, &[u8])] = &[
    (
        "page.json",
        include_bytes!("../../../domain/tests/data/nvd/vunnel_full-page.json"),
    ),
    (
        "CVE-2024-21762.json",
        include_bytes!("../../../domain/tests/data/nvd/CVE-2024-21762.json"),
    ),
    (
        "fortios.md",
        include_bytes!("../../../../catalog/lifecycle/fortios.md"),
    ),
    (
        "api.json",
        include_bytes!("../../../../catalog/lifecycle/api_v1_products_subset.json"),
    ),
];

fn read(name: &str, bytes: &[u8], limits: FeedLimits) -> Result<usize, String> {
    let mut n = 0;
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    read_feed(bytes, name, day, limits, &mut |_| {
        n += 1;
        Ok(())
    })
    .map(|_| n)
    .map_err(|e| e.to_string())
}

#[test]
fn cut_and_corrupted_samples_never_panic() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(22);
    for (name, bytes) in SAMPLES {
        assert!(
            read(name, bytes, FeedLimits::default()).unwrap() > 0,
            "{name} reads whole"
        );
        for _ in 0..40 {
            let mut copy = bytes.to_vec();
            copy.truncate(rng.gen_range(0..copy.len()));
            for _ in 0..rng.gen_range(0..8) {
                if copy.is_empty() {
                    break;
                }
                let at = rng.gen_range(0..copy.len());
                copy[at] = rng.gen();
            }
            let _ = read(name, &copy, FeedLimits::default());
        }
    }
}

#[test]
fn a_record_over_its_limit_is_refused_by_name() {
    let limits = FeedLimits {
        total: 1 << 30,
        record: 4096,
    };
    let error = read("page.json", SAMPLES[0].1, limits).unwrap_err();
    assert!(
        error.contains("1 レコード") && error.contains("page.json"),
        "{error}"
    );
    let big = format!("{{\"resultsPerPage\":1,\"format\":\"NVD_CVE\",\"vulnerabilities\":[{{\"cve\":{{\"id\":\"CVE-1\",\"x\":\"{}\"}}}}]}}", "a".repeat(100_000));
    assert!(read("big.json", big.as_bytes(), limits)
        .unwrap_err()
        .contains("上限"));
}
