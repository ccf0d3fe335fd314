//! Files built part by part for tests: XLSX packages as Excel and other systems write them, and
//! hostile ones as an attacker builds them. Shared by this crate's tests and, through the
//! `test-files` feature, by the other crates' tests; never part of a release build.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

/// An XLSX package with one sheet `sheet_xml`, and shared strings and styles when given.
pub fn package(sheet_xml: &str, strings: Option<&str>, styles: Option<&str>) -> Vec<u8> {
    zip_of(&parts(sheet_xml, strings, styles), None)
}

pub fn parts(
    sheet_xml: &str,
    strings: Option<&str>,
    styles: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut parts: Vec<(&str, String)> = vec![
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.into(),
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml.into()),
    ];
    if let Some(strings) = strings {
        parts.push(("xl/sharedStrings.xml", strings.into()));
    }
    if let Some(styles) = styles {
        parts.push(("xl/styles.xml", styles.into()));
    }
    parts
}

/// A zip of the parts; `huge` adds a part of that name holding `len` bytes of one repeated line.
pub fn zip_of(parts: &[(&str, String)], huge: Option<(&str, &str, usize, &str)>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        if let Some((name, head, len, tail)) = huge {
            zip.start_file(name, options).unwrap();
            zip.write_all(head.as_bytes()).unwrap();
            let chunk = vec![b'A'; 1 << 20];
            for _ in 0..len / chunk.len() {
                zip.write_all(&chunk).unwrap();
            }
            zip.write_all(tail.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

pub fn sheet(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// A row of inline-string cells (`t="inlineStr"`), as some systems write XLSX.
pub fn inline_row(row: usize, cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .enumerate()
        .filter(|(_, text)| !text.is_empty())
        .map(|(i, text)| {
            let reference = format!("{}{row}", crate::table::column_letters(i + 1));
            let text = text.replace('&', "&amp;").replace('<', "&lt;");
            format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
        })
        .collect();
    format!(r#"<row r="{row}">{cells}</row>"#)
}

/// 1.6 KB whose only cells are A1 and XFD1048576: a dense reader asks for the whole range.
pub fn dimension_bomb() -> Vec<u8> {
    package(
        &sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>管理番号</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        ),
        None,
        None,
    )
}

/// A small XLSX whose one shared string inflates to `inflated` bytes.
pub fn zip_bomb(inflated: usize) -> Vec<u8> {
    let parts = parts(
        &sheet(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>状態</t></is></c></row>"#,
        ),
        None,
        None,
    );
    zip_of(
        &parts,
        Some((
            "xl/sharedStrings.xml",
            "<sst><si><t>",
            inflated,
            "</t></si></sst>",
        )),
    )
}
