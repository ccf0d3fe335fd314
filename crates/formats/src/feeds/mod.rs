//! Reading the feeds people download elsewhere and bring in as files: endoflife.date (API v1,
//! product files, release data), NVD CVE API 2.0 pages and records (`.json`, `.json.gz`), CISA
//! KEV, FIRST EPSS (CSV) and JVN (VULDEF XML). The kind is told from the content; records are
//! handed to `sink` one at a time, so memory holds one record whatever the file's size.

mod error;
mod guard;
mod json_stream;
mod jvn;
mod jvn_csaf;
#[cfg(test)]
mod tests;

use std::io::{BufRead, BufReader, Cursor, Read};

use chrono::NaiveDate;
use mimamori_domain::vulnerabilities::cve::{CveRecord, Kev};
use mimamori_domain::vulnerabilities::lifecycle::Product;
use mimamori_domain::vulnerabilities::nvd::NvdCve;
use mimamori_domain::vulnerabilities::{sources, FeedSource};
use serde::Deserialize;

pub use error::FeedError;
pub use guard::FeedLimits;
use guard::{Guarded, Meter, Over};

/// One record of a feed.
#[derive(Debug, Clone)]
pub enum FeedItem {
    Product(Product),
    Cve(CveRecord),
    Kev(String, Kev),
    Epss(String, f32),
    Jvn(JvnEntry),
    Cpe(mimamori_domain::vulnerabilities::cpe::CpeEntry),
}

/// What JVN says of one CVE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JvnEntry {
    pub cve: String,
    pub ids: Vec<String>,
    pub title_ja: Option<String>,
    pub summary_ja: Option<String>,
    /// The products it names, with JVN's version phrases.
    pub affected: Vec<mimamori_domain::vulnerabilities::jvn::JvnAffected>,
}

/// The kinds of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    EndOfLifeApi,
    EndOfLifeProductFile,
    EndOfLifeReleaseData,
    NvdPage,
    NvdRecord,
    Kev,
    Epss,
    JvnVuldef,
    /// MyJVN API 4.0 (OKA): a CSAF document per JVNDB entry.
    JvnCsaf,
    CpeDictionary,
    /// NVD's Match Criteria API 2.0: the concrete names a range stands for.
    CpeMatch,
}

impl FeedKind {
    pub fn source(self) -> FeedSource {
        match self {
            FeedKind::EndOfLifeApi
            | FeedKind::EndOfLifeProductFile
            | FeedKind::EndOfLifeReleaseData => FeedSource::EndOfLife,
            FeedKind::NvdPage | FeedKind::NvdRecord => FeedSource::Nvd,
            FeedKind::Kev => FeedSource::Kev,
            FeedKind::Epss => FeedSource::Epss,
            FeedKind::JvnVuldef | FeedKind::JvnCsaf => FeedSource::Jvn,
            FeedKind::CpeDictionary | FeedKind::CpeMatch => FeedSource::Cpe,
        }
    }
}

/// What reading a file found.
#[derive(Debug, Clone)]
pub struct FeedRead {
    pub kind: FeedKind,
    pub records: usize,
    /// CPE criteria naming nothing (`cpe:2.3:o:-:-:-`), skipped.
    pub junk_cpes: usize,
    /// The newest date the data is of, as the feed writes it.
    pub newest: Option<String>,
}

/// How much of a file is looked at to tell its kind.
const SNIFF: usize = 16 * 1024;

/// Reads the feed in `reader` (gzip or not), handing each record to `sink`. `file` names it in
/// errors and tells the product of files that do not (release data: `ubuntu.json`); `as_of`
/// dates files that carry no date of their own (endoflife.date product files).
pub fn read_feed(
    reader: impl Read,
    file: &str,
    as_of: NaiveDate,
    limits: FeedLimits,
    sink: &mut dyn FnMut(FeedItem) -> Result<(), String>,
) -> Result<FeedRead, FeedError> {
    let mut raw = BufReader::new(reader);
    let gzip = raw
        .fill_buf()
        .map(|b| b.starts_with(&[0x1f, 0x8b]))
        .unwrap_or(false);
    let inner: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let (guarded, meter, over) = Guarded::new(inner, limits);
    let mut reader = BufReader::with_capacity(64 * 1024, guarded);
    let mut prefix = Vec::with_capacity(SNIFF);
    (&mut reader)
        .take(SNIFF as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| io_error(file, &meter, over.get(), &e.to_string(), limits))?;
    let kind = detect(&prefix).ok_or_else(|| not_a_feed(file, &prefix))?;
    let stream = Cursor::new(prefix).chain(reader);
    let context = Context {
        file,
        meter: &meter,
        over: &over,
        limits,
    };
    let mut read = FeedRead {
        kind,
        records: 0,
        junk_cpes: 0,
        newest: None,
    };
    let mut count = |item: FeedItem| {
        read.records += 1;
        sink(item)
    };
    match kind {
        FeedKind::NvdPage => {
            let mut junk = 0;
            let newest = json_stream::each_in_array(
                stream,
                "vulnerabilities",
                &["timestamp"],
                &context,
                |item: NvdItem| {
                    let (record, skipped) = item.cve.into_record();
                    junk += skipped;
                    count(FeedItem::Cve(record))
                },
            )?;
            read.junk_cpes = junk;
            read.newest = newest;
        }
        FeedKind::Kev => {
            read.newest = json_stream::each_in_array(
                stream,
                "vulnerabilities",
                &["dateReleased"],
                &context,
                |entry: KevEntry| {
                    let (id, kev) = entry.into_kev();
                    count(FeedItem::Kev(id, kev))
                },
            )?;
        }
        FeedKind::CpeDictionary => {
            read.newest = json_stream::each_in_array(
                stream,
                "products",
                &["timestamp"],
                &context,
                |item: CpeItem| match item.cpe.into_entry() {
                    Some(entry) => count(FeedItem::Cpe(entry)),
                    None => {
                        read.junk_cpes += 1;
                        Ok(())
                    }
                },
            )?;
        }
        FeedKind::CpeMatch => {
            read.newest = json_stream::each_in_array(
                stream,
                "matchStrings",
                &["timestamp"],
                &context,
                |item: MatchItem| {
                    for m in item.match_string.matches {
                        if mimamori_domain::vulnerabilities::cpe::Cpe::parse(&m.cpe_name).is_none()
                        {
                            read.junk_cpes += 1;
                            continue;
                        }
                        // No title: the dictionary's own entry, when held, keeps its titles.
                        count(FeedItem::Cpe(
                            mimamori_domain::vulnerabilities::cpe::CpeEntry {
                                name: m.cpe_name.chars().take(500).collect(),
                                title: String::new(),
                                title_ja: None,
                                deprecated: false,
                            },
                        ))?;
                    }
                    Ok(())
                },
            )?;
        }
        FeedKind::Epss => read.newest = read_epss(stream, &context, &mut count)?,
        FeedKind::JvnCsaf => {
            let text = whole(stream, &context)?;
            read.newest = jvn_csaf::read_advisory(&text, &mut count)
                .map_err(|e| context.malformed("", &e))?;
        }
        FeedKind::JvnVuldef => read.newest = jvn::read_vuldef(stream, &context, &mut count)?,
        FeedKind::NvdRecord => {
            let text = whole(stream, &context)?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| context.json(&e))?;
            let cve = value.get("cve").cloned().unwrap_or(value);
            let cve: NvdCve =
                serde_json::from_value(cve).map_err(|e| context.malformed("", &e.to_string()))?;
            let (record, junk) = cve.into_record();
            read.junk_cpes = junk;
            read.newest = record.modified.clone();
            count(FeedItem::Cve(record)).map_err(|e| context.stopped(e))?;
        }
        FeedKind::EndOfLifeApi
        | FeedKind::EndOfLifeProductFile
        | FeedKind::EndOfLifeReleaseData => {
            let text = whole(stream, &context)?;
            let products = match kind {
                FeedKind::EndOfLifeApi => {
                    sources::read_api_v1(&text, product_from_name(file).as_deref(), file)
                }
                FeedKind::EndOfLifeProductFile => {
                    sources::read_product_file(&text, file, as_of).map(|p| vec![p])
                }
                _ => {
                    let name = product_from_name(file).ok_or_else(|| {
                        context.malformed(
                            "",
                            "the product of a release-data file is its file name (ubuntu.json)",
                        )
                    })?;
                    sources::read_release_data(&text, &name, file, as_of).map(|p| vec![p])
                }
            }
            .map_err(|e| context.malformed("", &e.to_string()))?;
            read.newest = products
                .iter()
                .map(|p| p.source.as_of)
                .max()
                .map(|d| d.to_string());
            for product in products {
                count(FeedItem::Product(product)).map_err(|e| context.stopped(e))?;
            }
        }
    }
    Ok(read)
}

/// Where a read is, for its errors.
pub(crate) struct Context<'a> {
    pub file: &'a str,
    pub meter: &'a Meter,
    pub over: &'a std::rc::Rc<std::cell::Cell<Option<Over>>>,
    pub limits: FeedLimits,
}

impl Context<'_> {
    pub fn malformed(&self, position: &str, reason: &str) -> FeedError {
        if let Some(over) = self.over.get() {
            return too_large(self.file, self.meter, over, self.limits);
        }
        let position = if position.is_empty() {
            format!(
                "{} バイト目 / byte {}",
                self.meter.total(),
                self.meter.total()
            )
        } else {
            position.to_string()
        };
        FeedError::Malformed {
            file: self.file.to_string(),
            position,
            reason: reason.chars().take(300).collect(),
        }
    }

    pub fn json(&self, e: &serde_json::Error) -> FeedError {
        self.malformed(
            &format!(
                "{} 行 {} 列 / line {}, column {}",
                e.line(),
                e.column(),
                e.line(),
                e.column()
            ),
            &e.to_string(),
        )
    }

    pub fn stopped(&self, reason: String) -> FeedError {
        FeedError::Stopped {
            file: self.file.to_string(),
            reason,
        }
    }
}

fn too_large(file: &str, meter: &Meter, over: Over, limits: FeedLimits) -> FeedError {
    let mib = |b: u64| format!("{} MiB", b / 1024 / 1024);
    FeedError::TooLarge {
        file: file.to_string(),
        limit: match over {
            Over::Total => format!("ファイル全体 / whole file {}", mib(limits.total)),
            Over::Record => format!("1 レコード / one record {}", mib(limits.record)),
        },
        position: format!("{} バイト目 / byte {}", meter.total(), meter.total()),
    }
}

fn io_error(
    file: &str,
    meter: &Meter,
    over: Option<Over>,
    reason: &str,
    limits: FeedLimits,
) -> FeedError {
    match over {
        Some(over) => too_large(file, meter, over, limits),
        None => FeedError::Malformed {
            file: file.to_string(),
            position: format!("{} バイト目 / byte {}", meter.total(), meter.total()),
            reason: reason.to_string(),
        },
    }
}

/// A whole small document (endoflife.date data, one NVD record), within the record limit.
fn whole(mut stream: impl Read, context: &Context<'_>) -> Result<String, FeedError> {
    let mut text = String::new();
    stream
        .read_to_string(&mut text)
        .map_err(|e| context.malformed("", &e.to_string()))?;
    Ok(text)
}

/// Tells the kind of a feed from its first bytes.
pub fn detect(prefix: &[u8]) -> Option<FeedKind> {
    let text = String::from_utf8_lossy(prefix);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("---") {
        return Some(FeedKind::EndOfLifeProductFile);
    }
    if text.starts_with("#model_version") || text.starts_with("cve,epss") {
        return Some(FeedKind::Epss);
    }
    if text.starts_with('<') {
        return (text.contains("VULDEF-Document") || text.contains("jvn.jp/vuldef"))
            .then_some(FeedKind::JvnVuldef);
    }
    if !text.starts_with('{') {
        return None;
    }
    let has = |key: &str| text.contains(&format!("\"{key}\""));
    if text.contains("myjvn_vuldef") || (has("csaf_version") && has("product_tree")) {
        Some(FeedKind::JvnCsaf)
    } else if text.contains("\"NVD_CPEMatchString\"") || has("matchStrings") {
        Some(FeedKind::CpeMatch)
    } else if text.contains("\"NVD_CPE\"") || (has("products") && has("cpeName")) {
        Some(FeedKind::CpeDictionary)
    } else if has("catalogVersion") || (has("cveID") && has("dateAdded")) {
        Some(FeedKind::Kev)
    } else if text.contains("\"NVD_CVE\"") || (has("vulnerabilities") && has("cve")) {
        Some(FeedKind::NvdPage)
    } else if (has("id") && text.contains("\"CVE-"))
        && (has("sourceIdentifier") || has("descriptions") || has("configurations"))
        || (has("cve") && has("sourceIdentifier"))
    {
        Some(FeedKind::NvdRecord)
    } else if has("schema_version") && has("result") {
        Some(FeedKind::EndOfLifeApi)
    } else if has("releases") && has("versions") {
        Some(FeedKind::EndOfLifeReleaseData)
    } else {
        None
    }
}

/// The error for a file of no kind known, naming a kind recognised but not imported.
fn not_a_feed(file: &str, prefix: &[u8]) -> FeedError {
    let text = String::from_utf8_lossy(prefix);
    let unsupported = |what_ja, what_en| FeedError::Unsupported {
        file: file.to_string(),
        what_ja,
        what_en,
    };
    if text.contains("\"NVD_CPE\"") || text.contains("matchStrings") {
        unsupported(
            "NVD の CPE 辞書・CPE マッチ",
            "the NVD CPE dictionary or match criteria",
        )
    } else if text.contains("rdf:RDF") || text.contains("\"objects\"") || text.contains("MyJVN") {
        unsupported(
            "JVN の一覧・製品辞書（VULDEF 詳細以外）",
            "JVN lists and product dictionaries (only VULDEF details are)",
        )
    } else {
        FeedError::NotAFeed {
            file: file.to_string(),
        }
    }
}

/// The product a file's name gives: `ubuntu.json` → ubuntu; the API's
/// `products_ubuntu_releases_22.04.json` → ubuntu.
fn product_from_name(file: &str) -> Option<String> {
    let name = std::path::Path::new(file)
        .file_name()?
        .to_string_lossy()
        .to_string();
    if let Some(start) = name.find("products_") {
        let rest = &name[start + "products_".len()..];
        return rest.find("_releases").map(|end| rest[..end].to_string());
    }
    let stem = name.split('.').next()?.to_string();
    (!stem.is_empty()).then_some(stem)
}

#[derive(Deserialize)]
struct NvdItem {
    cve: NvdCve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vulnerability_name: Option<String>,
    date_added: Option<String>,
    required_action: Option<String>,
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

impl KevEntry {
    fn into_kev(self) -> (String, Kev) {
        let day = |t: Option<String>| {
            t.and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
        };
        (
            self.cve_id,
            Kev {
                added: day(self.date_added),
                due: day(self.due_date),
                name: self.vulnerability_name,
                required_action: self.required_action,
                ransomware: self.known_ransomware_campaign_use,
            },
        )
    }
}

/// FIRST EPSS CSV: `#model_version:…,score_date:…`, then `cve,epss,percentile` rows.
fn read_epss(
    stream: impl Read,
    context: &Context<'_>,
    sink: &mut dyn FnMut(FeedItem) -> Result<(), String>,
) -> Result<Option<String>, FeedError> {
    let mut newest = None;
    for (n, line) in BufReader::new(stream).lines().enumerate() {
        let line = line.map_err(|e| {
            context.malformed(&format!("{} 行目 / line {}", n + 1, n + 1), &e.to_string())
        })?;
        context.meter.record_ended();
        let line = line.trim();
        if let Some(meta) = line.strip_prefix('#') {
            newest = meta
                .split(',')
                .find_map(|kv| kv.strip_prefix("score_date:"))
                .map(|d| d.get(..10).unwrap_or(d).to_string());
            continue;
        }
        if line.is_empty() || line.starts_with("cve,") {
            continue;
        }
        let mut fields = line.split(',');
        let (Some(cve), Some(score)) = (fields.next(), fields.next()) else {
            return Err(context.malformed(
                &format!("{} 行目 / line {}", n + 1, n + 1),
                "expected cve,epss,percentile",
            ));
        };
        let score: f32 = score.trim().parse().map_err(|_| {
            context.malformed(
                &format!("{} 行目 / line {}", n + 1, n + 1),
                "the EPSS score is not a number",
            )
        })?;
        sink(FeedItem::Epss(cve.trim().to_string(), score)).map_err(|e| context.stopped(e))?;
    }
    Ok(newest)
}

/// One entry of a CPE API 2.0 page.
#[derive(Deserialize)]
struct CpeItem {
    cpe: CpeDef,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CpeDef {
    cpe_name: String,
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    titles: Vec<CpeTitle>,
}

#[derive(Deserialize)]
struct CpeTitle {
    title: String,
    #[serde(default)]
    lang: String,
}

impl CpeDef {
    /// The entry, or `None` for a name that names nothing (junk vendors or products).
    fn into_entry(self) -> Option<mimamori_domain::vulnerabilities::cpe::CpeEntry> {
        mimamori_domain::vulnerabilities::cpe::Cpe::parse(&self.cpe_name)?;
        let title_in = |lang: &str| {
            self.titles
                .iter()
                .find(|t| t.lang.eq_ignore_ascii_case(lang))
                .map(|t| t.title.chars().take(300).collect::<String>())
        };
        Some(mimamori_domain::vulnerabilities::cpe::CpeEntry {
            title: title_in("en")
                .or_else(|| self.titles.first().map(|t| t.title.clone()))
                .unwrap_or_default(),
            title_ja: title_in("ja"),
            name: self.cpe_name.chars().take(500).collect(),
            deprecated: self.deprecated,
        })
    }
}

/// One entry of a Match Criteria API 2.0 page.
#[derive(Deserialize)]
struct MatchItem {
    #[serde(rename = "matchString")]
    match_string: MatchString,
}

#[derive(Deserialize)]
struct MatchString {
    #[serde(default)]
    matches: Vec<MatchName>,
}

#[derive(Deserialize)]
struct MatchName {
    #[serde(rename = "cpeName")]
    cpe_name: String,
}
