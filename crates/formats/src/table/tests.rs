//! The reader on files as offices write them and as attackers build them. The hostile XLSX files
//! are built here part by part, so each test says exactly what the file holds.

use super::error::Limit;
use super::*;
use crate::test_files::{package, parts, sheet, zip_of};

fn limit_of(error: &TableError) -> Option<Limit> {
    match error {
        TableError::Limit(limit, _, _) => Some(*limit),
        TableError::InSheet(_, inner) => limit_of(inner),
        _ => None,
    }
}

#[test]
fn detects_cp932_and_bom() {
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("管理番号,状態\n001,稼働\n");
    let sheets = read_tables(&cp932, "台帳.csv", None).unwrap();
    assert_eq!(sheets[0].rows[1], vec!["001", "稼働"]);
    let bom = "\u{FEFF}管理番号,状態\n".as_bytes().to_vec();
    assert_eq!(
        read_tables(&bom, "x.csv", None).unwrap()[0].rows[0][0],
        "管理番号"
    );
}

#[test]
fn a_dimension_bomb_is_refused_without_allocating_its_range() {
    let bomb = package(
        &sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>管理番号</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        ),
        None,
        None,
    );
    assert!(bomb.len() < 3_000, "{} bytes", bomb.len());
    let error = read_tables(&bomb, "bomb.xlsx", None).unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Columns), "{error}");
    assert_eq!(error.row(), 1_048_576);
    assert_eq!(error.column(), "XFD");
    assert!(error.ja().contains("シート「台帳」"), "{}", error.ja());
    // Far rows alone are within Excel's own range; rows beyond it are not.
    let far = package(
        &sheet(r#"<row r="1048576"><c r="A1048576"><v>1</v></c></row>"#),
        None,
        None,
    );
    assert_eq!(
        read_tables(&far, "f.xlsx", None).unwrap()[0].rows.len(),
        1_048_576
    );
    let beyond = package(
        &sheet(r#"<row r="5000000"><c r="A5000000"><v>1</v></c></row>"#),
        None,
        None,
    );
    assert_eq!(
        limit_of(&read_tables(&beyond, "b.xlsx", None).unwrap_err()),
        Some(Limit::Rows)
    );
}

#[test]
fn a_zip_bomb_in_the_shared_strings_stops_at_the_cell_limit() {
    let parts = parts(
        &sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#),
        None,
        None,
    );
    let bomb = zip_of(
        &parts,
        Some((
            "xl/sharedStrings.xml",
            "<sst><si><t>",
            64 << 20,
            "</t></si></sst>",
        )),
    );
    assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
    let started = std::time::Instant::now();
    let error = read_tables(&bomb, "bomb.xlsx", None).unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::CellChars), "{error}");
    // It stops at the first megabyte instead of inflating 64 MiB (seconds in a debug build).
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn an_inflated_part_beyond_its_limit_is_refused() {
    let rows: String = (1..=2000)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
        .collect();
    let file = package(&sheet(&rows), None, None);
    let limits = Limits {
        part_bytes: 10_000,
        ..Limits::default()
    };
    let error = read_tables_within(&file, "x.xlsx", None, &limits).unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::PartBytes), "{error}");
    let cells = Limits {
        cells: 100,
        ..Limits::default()
    };
    let error = read_tables_within(&file, "x.xlsx", None, &cells).unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Cells));
    assert_eq!(error.row(), 101);
}

#[test]
fn dates_in_wareki_and_western_formats_read_as_iso_dates() {
    let styles = r#"<styleSheet><numFmts count="2"><numFmt numFmtId="176" formatCode="[$-ja-JP-x-gannen]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="yyyy/m/d\ h:mm"/><numFmt numFmtId="178" formatCode="0&quot;台&quot;"/></numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="14"/><xf numFmtId="178"/></cellXfs></styleSheet>"#;
    let file = package(
        &sheet(
            r#"<row r="2"><c r="A2" s="1"><v>44166</v></c><c r="B2" s="2"><v>46168.385416666664</v></c><c r="C2" s="3"><v>46168</v></c><c r="D2" s="4"><v>9</v></c><c r="E2"><v>0.5</v></c></row>"#,
        ),
        None,
        Some(styles),
    );
    let rows = &read_tables(&file, "x.xlsx", None).unwrap()[0].rows;
    assert_eq!(
        rows[1],
        [
            "2020-12-01",
            "2026-05-26 09:15:00",
            "2026-05-26",
            "9",
            "0.5"
        ]
    );
}

#[test]
fn strings_leave_out_furigana_and_keep_entities_runs_and_prefixes() {
    let strings = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>管理番号</t><rPh sb="0" eb="4"><t>カンリバンゴウ</t></rPh><phoneticPr fontId="1"/></si><si><r><t>A&amp;B</t></r><r><rPr><b/></rPr><t xml:space="preserve"> &#x3042;</t></r></si><si/></sst>"#;
    let sheet_xml = r#"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>直接</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"#;
    let file = package(sheet_xml, Some(strings), None);
    let rows = &read_tables(&file, "x.xlsx", None).unwrap()[0].rows;
    assert_eq!(rows[0], ["管理番号", "", "A&B あ", "", "true", "直接"]);
}

#[test]
fn old_excel_and_broken_zips_say_what_to_do() {
    let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    let error = read_tables(&xls, "a.xls", None).unwrap_err();
    assert!(error.ja().contains(".xlsx"), "{}", error.ja());
    let error = read_tables(b"PK\x03\x04garbage", "a.xlsx", None).unwrap_err();
    assert_eq!(error.code(), "unreadable_excel");
    assert_eq!(
        read_tables(b"", "a.csv", None).unwrap_err(),
        TableError::Empty
    );
    assert_eq!(
        read_tables(b" \r\n ", "a.csv", None).unwrap_err(),
        TableError::Empty
    );
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    read_tables(text.as_bytes(), "x.csv", None)
        .unwrap()
        .remove(0)
        .rows
}

fn csv_error(bytes: &[u8]) -> TableError {
    read_tables(bytes, "x.csv", None).unwrap_err()
}

#[test]
fn csv_quotes_blank_lines_and_delimiters_as_excel_writes_them() {
    let rows = csv_rows(
        "管理番号,備考\r\n\r\n001,\"改行\r\nあり, \"\"引用\"\"\"\r\n002,12\" モニタ\r\n003,\r\n",
    );
    assert_eq!(rows[0], ["管理番号", "備考"]);
    assert!(rows[1].is_empty());
    assert_eq!(rows[2], ["001", "改行\r\nあり, \"引用\""]);
    assert_eq!(rows[3], ["002", "12\" モニタ"]);
    assert_eq!(rows[4], ["003", ""]);
    assert_eq!(rows.len(), 5);
    let tabs = csv_rows("管理番号\t状態\n001\t稼働");
    assert_eq!(tabs[1], ["001", "稼働"]);
    // Excel's 「Unicode テキスト」: UTF-16 LE with its BOM, tab-separated.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "管理番号\t状態\r\n001\t稼働\r\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    assert_eq!(
        read_tables(&utf16, "u.txt", None).unwrap()[0].rows[1],
        ["001", "稼働"]
    );
}

#[test]
fn an_unclosed_quote_is_an_error_at_its_row_and_swallows_nothing() {
    let text =
        "氏名,電話,所属,備考\n担当1,03-1111,総務,\n\"担当6,03-6666,総務,\n担当7,03-7777,医事,\n";
    let error = csv_error(text.as_bytes());
    assert_eq!(error.code(), "unclosed_quote");
    assert_eq!(error.row(), 3);
    // Closed much later, the quote still swallows rows that look like rows.
    let later = "氏名,電話,所属,備考\n\"担当6,03-6666,総務,\n担当7,03-7777,医事,\"\n";
    assert_eq!(csv_error(later.as_bytes()).code(), "quote_swallows_rows");
    assert_eq!(csv_error(b"a,b\n\"x\"y,z\n").code(), "stray_quote");
}

#[test]
fn nul_mixed_encodings_and_undecodable_bytes_are_located() {
    let error = csv_error(b"a,b\n1,x\0y\n");
    assert_eq!(
        (error.code(), error.row(), error.column()),
        ("nul_character", 2, "B".to_string())
    );
    let mut mixed = "管理番号,状態\n".as_bytes().to_vec();
    mixed.extend(encoding_rs::SHIFT_JIS.encode("001,稼働\n").0.iter());
    let error = csv_error(&mixed);
    assert_eq!((error.code(), error.row()), ("mixed_encoding", 2));
    let error = csv_error(b"a,b\n1,\x82\n2,\xFF\xFF\n");
    assert_eq!(error.code(), "undecodable_text");
}

#[test]
fn csv_limits_are_located() {
    let limits = Limits {
        cell_chars: 10,
        columns: 5,
        rows: 3,
        ..Limits::default()
    };
    let read = |text: &str| read_tables_within(text.as_bytes(), "x.csv", None, &limits);
    assert_eq!(
        limit_of(&read("a,b\n12345678901,x\n").unwrap_err()),
        Some(Limit::CellChars)
    );
    assert_eq!(
        limit_of(&read("a,,,,,,,,\n").unwrap_err()),
        Some(Limit::Columns)
    );
    assert_eq!(limit_of(&read("a\n\n\n\n").unwrap_err()), Some(Limit::Rows));
    assert!(read("a,b\n1,2\n").is_ok());
    let long = format!("a\n{}\n", "x".repeat(10_000_000));
    let error = read_tables(long.as_bytes(), "x.csv", None).unwrap_err();
    assert!(error.ja().len() < 1_000 && error.en().len() < 1_000);
}

/// Arbitrary bytes and arbitrary mutations of real XLSX and CSV files: the reader returns rows
/// or an error, never panics, and never holds more than its limits.
#[test]
fn arbitrary_files_never_panic_or_exceed_the_limits() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
    let limits = Limits {
        rows: 200,
        columns: 20,
        cells: 500,
        cell_chars: 100,
        text_bytes: 10_000,
        part_bytes: 100_000,
        shared_bytes: 10_000,
    };
    let xlsx = package(
        &sheet(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>44166</v></c></row><row r="3"><c r="C3" t="inlineStr"><is><t>x</t></is></c></row>"#,
        ),
        Some(r#"<sst><si><t>管理番号</t><rPh><t>カ</t></rPh></si></sst>"#),
        Some(
            r#"<styleSheet><numFmts><numFmt numFmtId="176" formatCode="ge.m.d"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs></styleSheet>"#,
        ),
    );
    let csv = "管理番号,\"備考\"\r\n001,\"a\"\"b\"\r\n\r\n002,x\n"
        .as_bytes()
        .to_vec();
    let seeds = [
        xlsx,
        csv,
        encoding_rs::SHIFT_JIS
            .encode("番号,状態\n1,稼働")
            .0
            .to_vec(),
    ];
    for round in 0..3_000 {
        let bytes: Vec<u8> = if round % 3 == 0 {
            (0..rng.gen_range(0..400)).map(|_| rng.gen()).collect()
        } else {
            let mut bytes = seeds[round % seeds.len()].clone();
            for _ in 0..rng.gen_range(1..8) {
                let at = rng.gen_range(0..bytes.len());
                match rng.gen_range(0..3) {
                    0 => bytes[at] = rng.gen(),
                    1 => bytes.insert(at, *b"\"<>,\n\0&".get(rng.gen_range(0..7)).unwrap_or(&0)),
                    _ => {
                        bytes.truncate(at.max(1));
                    }
                }
            }
            bytes
        };
        if let Ok(sheets) = read_tables_within(&bytes, "f.csv", None, &limits) {
            let cells: usize = sheets
                .iter()
                .flat_map(|s| &s.rows)
                .map(|r| r.iter().filter(|c| !c.is_empty()).count())
                .sum();
            assert!(cells <= limits.cells);
            for sheet in &sheets {
                assert!(sheet.rows.len() <= limits.rows);
                assert!(sheet.rows.iter().all(|r| r.len() <= limits.columns));
            }
        }
    }
}

/// The rows of CSV bytes read `block` bytes at a time.
fn csv_in_blocks(bytes: &[u8], block: usize) -> Result<Vec<Vec<String>>, TableError> {
    let mut rows = Vec::new();
    csv::each_row_in_blocks(bytes, &Limits::default(), block, &mut |_, cells| {
        rows.push(cells);
        Ok(Flow::Continue)
    })?;
    Ok(rows)
}

/// The reader decodes and tokenizes a block at a time: wherever a block ends — inside a
/// character (UTF-8, CP932, UTF-16), a quoted cell with line breaks, a `""`, a CRLF or a
/// delimiter — the rows are the ones the whole text gives, and faults keep their rows.
#[test]
fn blocks_cut_nothing_a_row_a_character_or_a_quote() {
    let text = "管理番号,状態,備考\r\n\r\nX1,\"改行\r\nあり \"\"引用\"\"\",端末\r\nX2,ｶﾅ漢字,\r\nX3,,\r\n\"X4\" ,稼働,\"\"\r\n9999,停止,サーバ";
    let whole = csv_rows(text);
    assert_eq!(whole.len(), 7);
    assert_eq!(whole[2][1], "改行\r\nあり \"引用\"");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let encodings = [
        text.as_bytes().to_vec(),
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        encoding_rs::SHIFT_JIS.encode(text).0.into_owned(),
        utf16,
    ];
    for bytes in &encodings {
        for block in 1..40 {
            assert_eq!(csv_in_blocks(bytes, block).unwrap(), whole, "block {block}");
        }
    }
    let faults: [(&[u8], &str, usize); 3] = [
        (b"a,b\n1,2\n\"3,4\n5,6\n", "unclosed_quote", 3),
        (b"a,b\n1,2\n3,\"x\"y\n", "stray_quote", 3),
        (b"a,b\n1,2\n3,4\n5,\x82\xA0\xFF\n", "undecodable_text", 4),
    ];
    for (bytes, code, row) in faults {
        for block in 1..12 {
            let error = csv_in_blocks(bytes, block).unwrap_err();
            assert_eq!((error.code(), error.row()), (code, row), "block {block}");
        }
    }
    let mut mixed = "管理番号,状態\n001,稼働\n".as_bytes().to_vec();
    mixed.extend(encoding_rs::SHIFT_JIS.encode("002,稼働\n").0.iter());
    for block in 1..12 {
        let error = csv_in_blocks(&mixed, block).unwrap_err();
        assert_eq!(
            (error.code(), error.row()),
            ("mixed_encoding", 3),
            "block {block}"
        );
    }
}

/// Whatever the bytes, reading them in small blocks gives what reading them in one does: the
/// same rows, or the same fault at the same row (differential test of the block-wise reader).
#[test]
fn any_bytes_read_alike_in_any_blocks() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2112);
    let text = "管理番号,\"備考\"\r\n001,\"a\"\"b\r\nc\"\r\n\r\n002,ｶﾅ\t漢字\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let seeds = [
        text.as_bytes().to_vec(),
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        encoding_rs::SHIFT_JIS.encode(text).0.to_vec(),
        utf16,
    ];
    let outcome = |result: Result<Vec<Vec<String>>, TableError>| {
        result.map_err(|e| (e.code(), e.row(), e.column()))
    };
    for round in 0..2_000 {
        let bytes: Vec<u8> = if round % 5 == 0 {
            (0..rng.gen_range(0..120))
                .map(|_| {
                    *b"a,\"\n\r\t \x82\xA0\xE3\x81\xFF"
                        .get(rng.gen_range(0..13))
                        .unwrap_or(&0)
                })
                .collect()
        } else {
            let mut bytes = seeds[round % seeds.len()].clone();
            for _ in 0..rng.gen_range(1..5) {
                let at = rng.gen_range(0..bytes.len());
                match rng.gen_range(0..3) {
                    0 => bytes[at] = rng.gen(),
                    1 => bytes.insert(at, *b"\",\n\r\x82".get(rng.gen_range(0..5)).unwrap_or(&0)),
                    _ => bytes.truncate(at.max(1)),
                }
            }
            bytes
        };
        let whole = outcome(csv_in_blocks(&bytes, 1 << 20));
        for block in [1, 2, 3, 5, 8, 13] {
            assert_eq!(
                outcome(csv_in_blocks(&bytes, block)),
                whole,
                "block {block}, bytes {bytes:?}"
            );
        }
    }
}
