//! Writing the device ledger in the MHLW example's layout: one row per software, interface
//! values one per line, Japanese headers in the import's column order.

use chrono::NaiveDate;
use mimamori_domain::i18n::Lang;
use mimamori_domain::ledger::device::Device;

use crate::devices::COLUMNS;
use crate::write::{Cell, Table};

/// The header block's facts: facility, last update, last update by, last confirmation.
pub struct LedgerHeader {
    pub title: String,
    pub facility: String,
    pub last_updated: Option<String>,
    pub last_updated_by: Option<String>,
    pub last_confirmed: Option<String>,
}

/// The device ledger as a table in the MHLW layout (Japanese headers), one row per software.
pub fn device_table(header: &LedgerHeader, devices: &[Device]) -> Table {
    let mut table = device_sheet(header);
    table.rows = devices.iter().flat_map(device_rows).collect();
    table
}

/// The ledger's sheet without rows: title block, headers and widths.
pub fn device_sheet(header: &LedgerHeader) -> Table {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let preamble = vec![
        header.title.clone(),
        format!("施設名：{}", header.facility),
        format!(
            "最終更新日：{}　最終更新者：{}",
            dash(&header.last_updated),
            dash(&header.last_updated_by)
        ),
        format!("最終確認：{}", dash(&header.last_confirmed)),
    ];
    let headers = COLUMNS.iter().map(|c| c.titles[0].to_string()).collect();
    let widths = COLUMNS
        .iter()
        .map(|c| match c.key {
            "management_no" | "status" | "kind" | "remote_maintenance" => 10.0,
            "registered_on" | "disposed_on" | "os_name" | "os_version" | "software_version" => 12.0,
            "ip" | "hostname" | "mac" | "segment" | "maker" | "model" | "serial" => 16.0,
            "software" | "location" | "users" | "security_measures" | "auth_method"
            | "software_vendor" => 20.0,
            _ => 30.0,
        })
        .collect();
    Table {
        sheet_name: "機器台帳".into(),
        preamble,
        headers,
        widths,
        rows: Vec::new(),
    }
}

/// A device's rows in the ledger's column order: one per software (one if it has none).
pub fn device_rows(device: &Device) -> impl Iterator<Item = Vec<Cell>> + '_ {
    (0..device.software.len().max(1)).map(move |i| {
        let software = device.software.get(i);
        COLUMNS
            .iter()
            .map(|c| device_cell(device, software, c.key))
            .collect()
    })
}

fn joined(
    device: &Device,
    pick: impl Fn(&mimamori_domain::ledger::device::Interface) -> &Option<String>,
) -> Cell {
    if device.interfaces.is_empty() {
        return Cell::Empty;
    }
    let text = device
        .interfaces
        .iter()
        .map(|i| pick(i).clone().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    if text.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(text)
    }
}

fn date(value: Option<NaiveDate>) -> Cell {
    value.map(Cell::Date).unwrap_or(Cell::Empty)
}

fn device_cell(
    d: &Device,
    software: Option<&mimamori_domain::ledger::device::Software>,
    key: &str,
) -> Cell {
    match key {
        "management_no" => Cell::text(&d.management_no),
        "maker" => Cell::opt(&d.maker),
        "os_name" => Cell::opt(&d.os_name),
        "software" => software.map(|s| Cell::text(&s.name)).unwrap_or(Cell::Empty),
        "software_version" => software
            .map(|s| Cell::opt(&s.version))
            .unwrap_or(Cell::Empty),
        "software_vendor" => software
            .map(|s| Cell::opt(&s.vendor))
            .unwrap_or(Cell::Empty),
        "ip" => joined(d, |i| &i.ip),
        "hostname" => joined(d, |i| &i.hostname),
        "mac" => joined(d, |i| &i.mac),
        "segment" => joined(d, |i| &i.segment),
        "location" => Cell::opt(&d.location),
        "users" => Cell::opt(&d.users),
        "registered_on" => date(d.registered_on),
        "status" => Cell::text(d.status.label(Lang::Ja)),
        "description" => Cell::opt(&d.description),
        "kind" => Cell::text(d.kind.label(Lang::Ja)),
        "model" => Cell::opt(&d.model),
        "serial" => Cell::opt(&d.serial),
        "os_version" => Cell::opt(&d.os_version),
        "disposed_on" => date(d.disposed_on),
        "remote_maintenance" => Cell::text(if d.remote_maintenance { "有" } else { "無" }),
        "security_measures" => Cell::opt(&d.security_measures),
        "auth_method" => Cell::opt(&d.auth_method),
        _ => Cell::Empty,
    }
}
