//! IP and MAC addresses as typed into Excel: full-width digits, masked octets, any separators.

use crate::validation::{nfkc, Issue};

/// The outcome of reading an IP address cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpCell {
    Empty,
    Address(String),
    /// Deliberately masked (e.g. 192.168.〇.〇 in the MHLW example): unknown, with a warning.
    Masked,
    Invalid,
}

pub fn read_ip(text: &str) -> IpCell {
    let value = nfkc(text.trim()).replace(' ', "");
    if value.is_empty() {
        return IpCell::Empty;
    }
    if value
        .chars()
        .any(|c| matches!(c, '〇' | '○' | '●' | '◯' | '*' | '＊' | 'x' | 'X'))
    {
        return IpCell::Masked;
    }
    let address = value.split('/').next().unwrap_or("");
    match address.parse::<std::net::IpAddr>() {
        Ok(ip) => IpCell::Address(ip.to_string()),
        Err(_) => IpCell::Invalid,
    }
}

/// Checks an IP cell, pushing an error or a warning; returns the address when there is one.
pub fn check_ip(
    field: &'static str,
    text: &str,
    errors: &mut Vec<Issue>,
    warnings: &mut Vec<Issue>,
) -> Option<String> {
    match read_ip(text) {
        IpCell::Empty => None,
        IpCell::Address(ip) => Some(ip),
        IpCell::Masked => {
            warnings.push(Issue::new(field, "ip_masked").with("value", text.trim()));
            None
        }
        IpCell::Invalid => {
            errors.push(Issue::new(field, "invalid_ip").with("value", text.trim()));
            None
        }
    }
}

/// A MAC address in lower-case colon form, from aa-bb-cc-dd-ee-ff, AABB.CCDD.EEFF or aabbccddeeff.
pub fn normalise_mac(text: &str) -> Option<String> {
    let hex: String = nfkc(text)
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.' | ' '))
        .collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_lowercase();
    Some(
        (0..6)
            .map(|i| &hex[i * 2..i * 2 + 2])
            .collect::<Vec<_>>()
            .join(":"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_cells_as_offices_type_them() {
        assert_eq!(
            read_ip("１９２．１６８．１．１０"),
            IpCell::Address("192.168.1.10".into())
        );
        assert_eq!(read_ip("192.168.〇.〇"), IpCell::Masked);
        assert_eq!(read_ip("10.0.0.5/24"), IpCell::Address("10.0.0.5".into()));
        assert_eq!(read_ip("fe80::1"), IpCell::Address("fe80::1".into()));
        assert_eq!(read_ip("192.168.1.300"), IpCell::Invalid);
        assert_eq!(read_ip(" "), IpCell::Empty);
    }

    #[test]
    fn macs_are_normalised() {
        assert_eq!(
            normalise_mac("AA-BB-CC-DD-EE-0F").as_deref(),
            Some("aa:bb:cc:dd:ee:0f")
        );
        assert_eq!(
            normalise_mac("aabb.ccdd.eeff").as_deref(),
            Some("aa:bb:cc:dd:ee:ff")
        );
        assert_eq!(normalise_mac("zz"), None);
    }
}
