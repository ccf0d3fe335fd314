//! The organisation overview's per-facility summary: what the findings engine and the checklist
//! say about one facility, reduced to the counters an organisation of thousands of facilities
//! sorts and filters by.

use chrono::NaiveDate;
use serde::Serialize;

use crate::findings::{FacilityFacts, Finding, Severity};
use crate::i18n::Lang;

/// Where a facility stands, from its open findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryStatus {
    /// Not computed yet (a new facility, just after start-up).
    Pending,
    /// Something urgent: an overdue deadline, a vulnerability exploited in the wild, or no
    /// security officer.
    Urgent,
    /// At least one high-severity finding (nothing urgent).
    Attention,
    /// Findings, none of them high.
    Open,
    /// No finding.
    Clear,
}

impl SummaryStatus {
    pub const ALL: [SummaryStatus; 5] = [
        Self::Urgent,
        Self::Attention,
        Self::Open,
        Self::Clear,
        Self::Pending,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Urgent => "urgent",
            Self::Attention => "attention",
            Self::Open => "open",
            Self::Clear => "clear",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Pending => lang.pick("未集計", "Not computed yet"),
            Self::Urgent => lang.pick(
                "至急（期限超過・悪用中の脆弱性・責任者不在）",
                "Urgent (overdue, exploited vulnerability or no officer)",
            ),
            Self::Attention => lang.pick("要対応（重要度高）", "Needs action (high)"),
            Self::Open => lang.pick("指摘あり", "Findings open"),
            Self::Clear => lang.pick("指摘なし", "No findings"),
        }
    }
}

/// Findings that make a facility urgent whatever else it has: a vulnerability exploited in the
/// wild on a device in use, and no security officer appointed.
const URGENT_RULES: [&str; 2] = ["device.exploited_vulnerability", "governance.appointments"];

/// The counters of one facility on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryCounts {
    pub status: SummaryStatus,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    /// Deadlines passed (see [`crate::deadlines`]).
    pub overdue: i64,
    pub fiscal_year: i32,
    /// Items of the facility's own form answered はい / いいえ / 該当なし this fiscal year.
    pub checklist_answered: i64,
    /// Items of the fiscal year's edition of that form (0 when there is none).
    pub checklist_total: i64,
    pub ledger_confirmed_on: Option<NaiveDate>,
}

impl SummaryCounts {
    /// Counts `findings` by severity and the checklist answers in `facts`; `checklist_total` is
    /// the number of items of the edition that applies to `facts.fiscal_year`.
    pub fn of(facts: &FacilityFacts, findings: &[Finding], checklist_total: usize) -> Self {
        let count =
            |severity: Severity| findings.iter().filter(|f| f.severity == severity).count() as i64;
        let (high, medium, low) = (
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
        );
        let overdue = crate::deadlines::due_items(facts)
            .iter()
            .filter(|d| d.overdue)
            .count() as i64;
        let urgent = overdue > 0
            || findings
                .iter()
                .any(|f| URGENT_RULES.contains(&f.rule.as_str()));
        let status = if urgent {
            SummaryStatus::Urgent
        } else if high > 0 {
            SummaryStatus::Attention
        } else if medium + low > 0 {
            SummaryStatus::Open
        } else {
            SummaryStatus::Clear
        };
        let answered = facts.answers.iter().filter(|a| a.answer.is_some()).count();
        Self {
            status,
            high,
            medium,
            low,
            overdue,
            fiscal_year: facts.fiscal_year,
            checklist_answered: answered.min(checklist_total) as i64,
            checklist_total: checklist_total as i64,
            ledger_confirmed_on: facts.ledger_confirmed_on,
        }
    }

    /// Answered share in thousandths, or -1 when the year has no edition (sorts last ascending).
    pub fn checklist_permille(&self) -> i64 {
        if self.checklist_total == 0 {
            -1
        } else {
            self.checklist_answered * 1000 / self.checklist_total
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Answer;
    use crate::facility::FacilityKind;
    use crate::findings::AnswerFacts;

    fn finding(severity: Severity) -> Finding {
        Finding {
            rule: "test".into(),
            severity,
            title_ja: String::new(),
            title_en: String::new(),
            detail_ja: String::new(),
            detail_en: String::new(),
            records: Vec::new(),
            items: Vec::new(),
            guideline_refs: Vec::new(),
        }
    }

    fn facts(answers: &[Option<Answer>]) -> FacilityFacts {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap_or_default();
        let mut facts = FacilityFacts::new(today, FacilityKind::Clinic);
        facts.answers = answers
            .iter()
            .enumerate()
            .map(|(i, a)| AnswerFacts {
                item_key: format!("k{i}"),
                number: format!("{i}"),
                answer: *a,
                target_on: None,
            })
            .collect();
        facts
    }

    #[test]
    fn status_follows_the_most_severe_finding() {
        let f = facts(&[]);
        assert_eq!(SummaryCounts::of(&f, &[], 0).status, SummaryStatus::Clear);
        let low = [finding(Severity::Low)];
        assert_eq!(SummaryCounts::of(&f, &low, 0).status, SummaryStatus::Open);
        let mixed = [
            finding(Severity::Low),
            finding(Severity::High),
            finding(Severity::Medium),
        ];
        let counts = SummaryCounts::of(&f, &mixed, 0);
        assert_eq!(counts.status, SummaryStatus::Attention);
        assert_eq!((counts.high, counts.medium, counts.low), (1, 1, 1));
        let mut exploited = finding(Severity::High);
        exploited.rule = "device.exploited_vulnerability".into();
        let counts = SummaryCounts::of(&f, &[finding(Severity::High), exploited], 0);
        assert_eq!(counts.status, SummaryStatus::Urgent);
    }

    #[test]
    fn an_overdue_deadline_makes_a_facility_urgent_without_any_high_finding() {
        let mut f = facts(&[Some(Answer::No)]);
        f.answers[0].target_on = NaiveDate::from_ymd_opt(2026, 11, 1);
        let counts = SummaryCounts::of(&f, &[finding(Severity::Low)], 0);
        assert_eq!((counts.status, counts.overdue), (SummaryStatus::Urgent, 1));
    }

    #[test]
    fn checklist_progress_counts_answered_items_of_the_edition() {
        let f = facts(&[Some(Answer::Yes), None, Some(Answer::No)]);
        let counts = SummaryCounts::of(&f, &[], 8);
        assert_eq!((counts.checklist_answered, counts.checklist_total), (2, 8));
        assert_eq!(counts.checklist_permille(), 250);
        assert_eq!(counts.fiscal_year, 2026);
        assert_eq!(SummaryCounts::of(&f, &[], 0).checklist_permille(), -1);
    }

    #[test]
    fn statuses_round_trip_through_codes() {
        for status in SummaryStatus::ALL {
            assert_eq!(SummaryStatus::parse(status.code()), Some(status));
        }
        assert_eq!(SummaryStatus::parse("other"), None);
    }
}
