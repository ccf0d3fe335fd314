//! The device form: scalar fields plus repeated software and interface rows (sw_* and if_*),
//! read from the form's pairs in order.

use mimamori_domain::ledger::device::{DeviceInput, InterfaceInput, SoftwareInput};

pub fn device_input(pairs: &[(String, String)]) -> DeviceInput {
    let mut input = DeviceInput::default();
    let collect = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let one = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    input.management_no = one("management_no");
    input.kind = one("kind");
    input.maker = one("maker");
    input.model = one("model");
    input.serial = one("serial");
    input.os_name = one("os_name");
    input.os_version = one("os_version");
    input.location = one("location");
    input.users = one("users");
    input.registered_on = one("registered_on");
    input.status = one("status");
    input.disposed_on = one("disposed_on");
    input.description = one("description");
    input.remote_maintenance = if pairs
        .iter()
        .any(|(k, v)| k == "remote_maintenance" && v == "yes")
    {
        "yes".into()
    } else {
        "no".into()
    };
    input.security_measures = one("security_measures");
    input.auth_method = one("auth_method");
    let (names, versions, vendors) = (
        collect("sw_name"),
        collect("sw_version"),
        collect("sw_vendor"),
    );
    let at = |list: &Vec<String>, i: usize| list.get(i).cloned().unwrap_or_default();
    input.software = (0..names.len().max(versions.len()))
        .map(|i| SoftwareInput {
            name: at(&names, i),
            version: at(&versions, i),
            vendor: at(&vendors, i),
        })
        .collect();
    let (ips, macs, hosts, segments) = (
        collect("if_ip"),
        collect("if_mac"),
        collect("if_hostname"),
        collect("if_segment"),
    );
    input.interfaces = (0..ips.len().max(hosts.len()))
        .map(|i| InterfaceInput {
            ip: at(&ips, i),
            mac: at(&macs, i),
            hostname: at(&hosts, i),
            segment: at(&segments, i),
        })
        .collect();
    input
}

/// The form's rows: the device's own, then empty ones to add more.
pub fn with_blank_rows(mut input: DeviceInput) -> DeviceInput {
    for _ in 0..3 {
        input.software.push(SoftwareInput::default());
    }
    for _ in 0..2 {
        input.interfaces.push(InterfaceInput::default());
    }
    input
}
