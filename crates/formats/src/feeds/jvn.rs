//! JVN iPedia's VULDEF documents (MyJVN API 3.2, `getVulnDetailInfo` and the detail data feed):
//! per `<Vulinfo>`, its JVNDB id, Japanese title and overview, and the CVEs it relates to. Read
//! as a stream with quick-xml, which resolves no DTD and no entity beyond XML's own five.

use std::io::{BufReader, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use mimamori_domain::vulnerabilities::jvn::JvnAffected;

use super::{Context, FeedError, FeedItem, JvnEntry};

#[derive(Default)]
struct Vulinfo {
    id: String,
    title: String,
    overview: String,
    cves: Vec<String>,
    modified: Option<String>,
    affected: Vec<JvnAffected>,
}

/// Hands a [`FeedItem::Jvn`] per CVE of each `<Vulinfo>`; returns the newest `DateLastUpdated`.
pub(crate) fn read_vuldef(
    stream: impl Read,
    context: &Context<'_>,
    sink: &mut dyn FnMut(FeedItem) -> Result<(), String>,
) -> Result<Option<String>, FeedError> {
    let mut reader = Reader::from_reader(BufReader::new(stream));
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<Vulinfo> = None;
    let mut newest: Option<String> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            context.malformed(
                &format!(
                    "{} バイト目 / byte {}",
                    reader.buffer_position(),
                    reader.buffer_position()
                ),
                &e.to_string(),
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                if name == "Vulinfo" {
                    current = Some(Vulinfo::default());
                }
                if let (Some(v), "AffectedItem") = (current.as_mut(), name.as_str()) {
                    v.affected.push(JvnAffected::default());
                }
                path.push(name);
            }
            Event::End(_) => {
                let closed = path.pop();
                if let (Some("Vulinfo"), Some(v)) = (
                    closed.as_deref(),
                    current.take_if(|_| closed.as_deref() == Some("Vulinfo")),
                ) {
                    context.meter.record_ended();
                    if let Some(m) = &v.modified {
                        if newest.as_ref().is_none_or(|n| m > n) {
                            newest = Some(m.clone());
                        }
                    }
                    emit(v, sink).map_err(|e| context.stopped(e))?;
                }
            }
            Event::Text(t) => {
                let text = t.decode().map(|s| s.into_owned()).unwrap_or_default();
                let text = quick_xml::escape::unescape(&text)
                    .map(|s| s.into_owned())
                    .unwrap_or(text);
                if let Some(v) = current.as_mut() {
                    take_text(v, &path, text.trim());
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !path.is_empty() {
        return Err(context.malformed("", "the document ends inside an element (cut short)"));
    }
    Ok(newest)
}

fn take_text(v: &mut Vulinfo, path: &[String], text: &str) {
    if text.is_empty() {
        return;
    }
    let last = path.last().map(String::as_str).unwrap_or_default();
    let parent = path
        .len()
        .checked_sub(2)
        .and_then(|i| path.get(i))
        .map(String::as_str);
    match (parent, last) {
        (Some("Vulinfo"), "VulinfoID") => v.id = text.to_string(),
        (Some("VulinfoData"), "Title") => v.title = text.to_string(),
        (Some("VulinfoDescription"), "Overview") => v.overview = text.to_string(),
        (Some("RelatedItem"), "VulinfoID") if text.starts_with("CVE-") => {
            v.cves.push(text.to_string())
        }
        (_, "DateLastUpdated") => v.modified = Some(text.to_string()),
        (Some("AffectedItem"), "Cpe") => {
            if let Some(item) = v.affected.last_mut() {
                item.cpe = text.to_string();
            }
        }
        (Some("AffectedItem"), "VersionNumber") => {
            if let Some(item) = v.affected.last_mut() {
                // A phrase, not a document: bounded like a cell.
                item.versions.push(text.chars().take(500).collect());
            }
        }
        _ => {}
    }
}

fn emit(v: Vulinfo, sink: &mut dyn FnMut(FeedItem) -> Result<(), String>) -> Result<(), String> {
    let mut cves = v.cves;
    cves.sort();
    cves.dedup();
    for cve in cves {
        sink(FeedItem::Jvn(JvnEntry {
            cve,
            ids: vec![v.id.clone()],
            title_ja: (!v.title.is_empty()).then(|| v.title.clone()),
            summary_ja: (!v.overview.is_empty()).then(|| v.overview.clone()),
            affected: v.affected.clone(),
        }))?;
    }
    Ok(())
}
