//! Property tests of every importer: arbitrary sheets — headers drawn from the ledgers' own
//! titles and from junk, cells of any text (control characters, huge values, formulas, dates in
//! every form, full width) in any shape — are read by the device, register and account parsers
//! without a panic, and every problem they report quotes a bounded value and has a row.
//! CI runs them with `cargo test`; the seed is fixed so a failure repeats.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mimamori_domain::accounts::{ColumnMapping, ACCOUNTS};
use mimamori_domain::ledger::register::References;
use mimamori_domain::ledger::registers::ALL;
use mimamori_formats::accounts::parse_accounts;
use mimamori_formats::devices::{parse_devices, COLUMNS};
use mimamori_formats::problem::VALUE_CHARS;
use mimamori_formats::registers::parse_records;
use mimamori_formats::{ImportProblem, Sheet};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CELLS: &[&str] = &[
    "",
    " ",
    "001",
    "００１",
    "合計",
    "以下余白",
    "＝＝＝",
    "2026/05/26 09:12",
    "R8.5.26",
    "令和元年5月1日",
    "44166",
    "2025-02-30",
    "192.168.〇.〇",
    "192.168.1.300",
    "00:11:22:33:44:55",
    "稼働",
    "廃棄",
    "有",
    "×",
    "=HYPERLINK(\"x\")",
    "'=1+1",
    "\u{0}",
    "\u{FEFF}",
    "\t",
    "\r\n",
    "\"",
    "参照",
    "管理者",
    "カルテ:更新、画像:参照",
    "診療記録:",
    ":",
    "Windows 8.1",
    "Win8",
    "利用不可",
    "ロック中",
    "A社",
    "a,b",
    "😀",
    "ｶﾙﾃ",
    "\u{202E}",
    "-",
    "0",
    "1",
];

fn cell(rng: &mut ChaCha8Rng, titles: &[&'static str]) -> String {
    match rng.gen_range(0..10) {
        0 => titles.choose(rng).copied().unwrap_or("").to_string(),
        1 => (0..rng.gen_range(0..40))
            .map(|_| char::from_u32(rng.gen_range(0..0x3100)).unwrap_or('?'))
            .collect(),
        2 => "長".repeat(rng.gen_range(100..5_000)),
        _ => CELLS.choose(rng).copied().unwrap_or("").to_string(),
    }
}

fn sheets(rng: &mut ChaCha8Rng, titles: &[&'static str]) -> Vec<Sheet> {
    (0..rng.gen_range(1..3))
        .map(|s| {
            let width = rng.gen_range(0..12);
            let mut rows: Vec<Vec<String>> = Vec::new();
            for r in 0..rng.gen_range(0..30) {
                let header = r == 0 || rng.gen_bool(0.05);
                rows.push(
                    (0..rng.gen_range(0..=width))
                        .map(|_| {
                            if header {
                                titles.choose(rng).copied().unwrap_or("").to_string()
                            } else {
                                cell(rng, titles)
                            }
                        })
                        .collect(),
                );
            }
            Sheet {
                name: format!("シート{s}"),
                rows,
            }
        })
        .collect()
}

fn check(problems: &[ImportProblem]) {
    for problem in problems {
        assert!(
            problem.value.chars().count() <= VALUE_CHARS + 20,
            "{problem:?}"
        );
        assert!(
            problem.message_ja.chars().count() < 2 * VALUE_CHARS + 400,
            "{problem:?}"
        );
        assert!(!problem.message_ja.is_empty() && !problem.message_en.is_empty());
    }
}

#[test]
fn the_device_importer_takes_any_sheet() {
    let titles: Vec<&'static str> = COLUMNS
        .iter()
        .flat_map(|c| c.titles.iter().copied())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..400 {
        let import = parse_devices(&sheets(&mut rng, &titles));
        check(&import.problems);
        for device in &import.devices {
            assert!(!device.device.management_no.is_empty());
        }
    }
}

#[test]
fn every_register_importer_takes_any_sheet() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for spec in ALL {
        let titles: Vec<&'static str> = spec
            .fields
            .iter()
            .flat_map(|f| f.titles.iter().copied())
            .collect();
        for _ in 0..120 {
            let import = parse_records(spec, &sheets(&mut rng, &titles), &References::default());
            check(&import.problems);
            // A file with a header and no record is always an error, never an empty register.
            if import.records.is_empty() {
                assert!(
                    import.errors() > 0,
                    "{}: no records and no error",
                    spec.slug
                );
            }
        }
    }
}

#[test]
fn the_account_importer_takes_any_sheet_with_or_without_a_mapping() {
    let titles: Vec<&'static str> = ACCOUNTS
        .fields
        .iter()
        .flat_map(|f| f.titles.iter().copied())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for round in 0..300 {
        let sheets = sheets(&mut rng, &titles);
        let mapping = (round % 2 == 0).then(|| {
            let mut mapping = ColumnMapping::default();
            for field in ACCOUNTS.fields {
                if rng.gen_bool(0.5) {
                    continue;
                }
                let title = titles.choose(&mut rng).copied().unwrap_or("");
                mapping.0.insert(field.key.to_string(), title.to_string());
            }
            mapping
        });
        let file = parse_accounts("電子カルテ", &sheets, mapping.as_ref());
        check(&file.problems);
        if file.accounts.is_empty() {
            assert!(file.errors() > 0, "no accounts and no error");
        }
    }
}
