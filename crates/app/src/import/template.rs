//! The ひな形 (template) of a ledger: the workbook an office fills in, in the layout the import
//! reads and the export writes (title block, the ledger's own column titles), with no rows.
//! Downloaded beside the import, so that a clinic without a ledger yet starts from one.

use mimamori_formats::devices::{device_sheet, LedgerHeader};
use mimamori_formats::registers::record_table;
use mimamori_formats::write::{self, WriteError};

use super::Ledger;

/// The template workbook of `ledger` for the facility named `facility`, and its file name.
pub fn template(ledger: Ledger, facility: &str) -> Result<(Vec<u8>, String), WriteError> {
    let (table, title) = match ledger {
        Ledger::Devices => {
            let header = LedgerHeader {
                title: "機器台帳".into(),
                facility: facility.to_string(),
                last_updated: None,
                last_updated_by: None,
                last_confirmed: None,
            };
            (device_sheet(&header), "機器台帳".to_string())
        }
        Ledger::Register(spec) => {
            let preamble = vec![spec.title_ja.to_string(), format!("施設名：{facility}")];
            (record_table(spec, preamble, &[]), spec.title_ja.to_string())
        }
    };
    Ok((write::xlsx(&table)?, format!("{title}_ひな形.xlsx")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mimamori_domain::ledger::registers::ALL;

    /// Every template reads back as its ledger with a header and no data (the import refuses it
    /// as empty instead of reading it as "everything removed").
    #[test]
    fn every_template_reads_back_as_an_empty_ledger() {
        let (bytes, name) = template(Ledger::Devices, "テスト医院").unwrap();
        assert_eq!(name, "機器台帳_ひな形.xlsx");
        let sheets = mimamori_formats::read_tables(&bytes, &name, None).unwrap();
        let import = mimamori_formats::devices::parse_devices(&sheets);
        assert!(import.devices.is_empty());
        assert!(
            import.problems.iter().any(|p| p.code == "no_data_rows"),
            "{:?}",
            import.problems
        );
        for spec in ALL {
            let (bytes, name) = template(Ledger::Register(spec), "テスト医院").unwrap();
            let sheets = mimamori_formats::read_tables(&bytes, &name, None).unwrap();
            let import =
                mimamori_formats::registers::parse_records(spec, &sheets, &Default::default());
            assert!(
                import.problems.iter().any(|p| p.code == "no_data_rows"),
                "{}: {:?}",
                spec.slug,
                import.problems
            );
        }
    }
}
