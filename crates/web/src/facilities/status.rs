//! Where a facility stands, as the dashboard card and the facility's own overview show it:
//! open findings worst first, what is overdue or due soon, checklist progress and the next
//! three things to do — every line a link to where it is done.

use mimamori_domain::checklist::Form;
use mimamori_domain::deadlines::due_items;
use mimamori_domain::findings::Severity;
use mimamori_domain::i18n::Lang;
use mimamori_store::facilities::Facility;
use mimamori_store::Store;

use crate::checklist::record_link;
use crate::error::AppResult;

/// Findings listed by name; the rest are counted, with a link to the findings page.
const LISTED_FINDINGS: usize = 5;
/// Deadlines listed.
const LISTED_DUE: usize = 5;
/// Next actions.
const NEXT_ACTIONS: usize = 3;

/// A line with a link.
#[derive(Debug, Clone)]
pub struct Line {
    /// The badge's class: `sev-high` / `sev-medium` / `sev-low` / `overdue` / `due-soon`.
    pub tone: &'static str,
    pub badge: String,
    pub text: String,
    pub link: String,
}

#[derive(Debug, Clone)]
pub struct FacilityStatus {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub beds: Option<i64>,
    /// Open findings by severity, worst first: (tone, label, count).
    pub counts: Vec<(&'static str, &'static str, usize)>,
    pub findings_total: usize,
    pub findings: Vec<Line>,
    pub due: Vec<Line>,
    pub overdue: usize,
    /// Answered items and items of the fiscal year's form (None without an edition).
    pub checklist: Option<(usize, usize)>,
    pub next: Vec<Line>,
}

impl FacilityStatus {
    pub fn findings_link(&self) -> String {
        format!("/facilities/{}/findings", self.code)
    }

    pub fn checklist_link(&self) -> String {
        format!("/facilities/{}/checklist", self.code)
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "sev-high",
        Severity::Medium => "sev-medium",
        Severity::Low => "sev-low",
    }
}

/// The facility's status today, from the findings the store keeps.
pub async fn facility_status(
    store: &Store,
    facility: &Facility,
    lang: Lang,
) -> AppResult<FacilityStatus> {
    let today = store.clock().today_jst();
    let evaluated = store.facility_findings(facility.id, today).await?;
    let (facts, all) = (&evaluated.facts, &evaluated.findings);
    let code = &facility.profile.code;
    let mut findings: Vec<_> = all.iter().collect();
    findings.sort_by_key(|f| f.severity);
    let finding_line = |f: &mimamori_domain::findings::Finding| Line {
        tone: severity_class(f.severity),
        badge: f.severity.label(lang).to_string(),
        text: f.title(lang).to_string(),
        link: format!("/facilities/{code}/findings#rule-{}", f.rule),
    };
    let due: Vec<Line> = due_items(facts)
        .iter()
        .map(|d| Line {
            tone: if d.overdue { "overdue" } else { "due-soon" },
            badge: match (d.overdue, d.due_on) {
                (true, Some(day)) => lang
                    .pick(&format!("期限超過 {day}"), &format!("Overdue {day}"))
                    .to_string(),
                (true, None) => lang.pick("期限超過", "Overdue").to_string(),
                (false, Some(day)) => lang
                    .pick(&format!("{day} まで"), &format!("By {day}"))
                    .to_string(),
                (false, None) => lang.pick("速やかに", "Promptly").to_string(),
            },
            text: d.what(lang).to_string(),
            link: record_link(code, &d.record),
        })
        .collect();
    let overdue = due.iter().filter(|d| d.tone == "overdue").count();
    // Overdue deadlines, then high findings, then what is due soon, then the rest.
    let high = findings.iter().filter(|f| f.severity == Severity::High);
    let rest = findings.iter().filter(|f| f.severity != Severity::High);
    let next: Vec<Line> = due
        .iter()
        .filter(|d| d.tone == "overdue")
        .cloned()
        .chain(high.map(|f| finding_line(f)))
        .chain(due.iter().filter(|d| d.tone == "due-soon").cloned())
        .chain(rest.map(|f| finding_line(f)))
        .take(NEXT_ACTIONS)
        .collect();
    let total = store
        .edition_for(facts.fiscal_year, Form::own(facts.kind))
        .await?
        .map(|e| e.edition.items.len());
    let answered = facts.answers.iter().filter(|a| a.answer.is_some()).count();
    Ok(FacilityStatus {
        code: code.clone(),
        name: facility.profile.name.clone(),
        kind: facility.profile.kind.label(lang).to_string(),
        beds: facility.profile.beds,
        counts: Severity::ALL
            .iter()
            .map(|s| {
                let n = all.iter().filter(|f| f.severity == *s).count();
                (severity_class(*s), s.label(lang), n)
            })
            .filter(|(_, _, n)| *n > 0)
            .collect(),
        findings_total: all.len(),
        findings: findings
            .iter()
            .take(LISTED_FINDINGS)
            .map(|f| finding_line(f))
            .collect(),
        due: due.into_iter().take(LISTED_DUE).collect(),
        overdue,
        checklist: total.map(|t| (answered.min(t), t)),
        next,
    })
}
