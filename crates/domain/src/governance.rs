//! Governance (checklist item 1-(1)): the appointed roles of a facility and the rules that flag
//! missing or lapsed appointments.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::facility::FacilityKind;
use crate::i18n::Lang;
use crate::jdate::parse_date;
use crate::validation::{optional_text, required_text, Issue, Issues};

/// Appointed roles: the MHLW guideline's two, and the responsibilities of a hospital's system
/// management rules (seed 004, Art. 3–8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointedRole {
    SecurityOfficer,
    PlanningManager,
    SystemManager,
    OperationsManager,
    MonitoringManager,
    ConnectedDeviceManager,
    AuditManager,
}

impl AppointedRole {
    pub const ALL: [AppointedRole; 7] = [
        Self::SecurityOfficer,
        Self::PlanningManager,
        Self::SystemManager,
        Self::OperationsManager,
        Self::MonitoringManager,
        Self::ConnectedDeviceManager,
        Self::AuditManager,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SecurityOfficer => "security_officer",
            Self::PlanningManager => "planning_manager",
            Self::SystemManager => "system_manager",
            Self::OperationsManager => "operations_manager",
            Self::MonitoringManager => "monitoring_manager",
            Self::ConnectedDeviceManager => "connected_device_manager",
            Self::AuditManager => "audit_manager",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == text.trim() || r.label(Lang::Ja) == text.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::SecurityOfficer => {
                lang.pick("医療情報システム安全管理責任者", "Security officer")
            }
            Self::PlanningManager => lang.pick("企画管理者", "Planning manager"),
            Self::SystemManager => lang.pick("システム管理責任者", "System manager"),
            Self::OperationsManager => lang.pick("運用責任者", "Operations manager"),
            Self::MonitoringManager => {
                lang.pick("監視責任者", "Monitoring manager (per department)")
            }
            Self::ConnectedDeviceManager => {
                lang.pick("接続機器管理責任者", "Connected-device manager")
            }
            Self::AuditManager => lang.pick("監査責任者", "Audit manager"),
        }
    }

    /// What the role does, in a line (our own summary of the guideline and seed 004).
    pub fn duty(self, lang: Lang) -> &'static str {
        match self {
            Self::SecurityOfficer => lang.pick(
                "医療情報システム全体の安全管理を統括し、対策の実施と点検に責任を負う。",
                "Leads the safety management of all medical information systems.",
            ),
            Self::PlanningManager => lang.pick(
                "安全管理の計画・規程の整備と、事業者との調整を担う。",
                "Plans safety management, maintains the rules and coordinates vendors.",
            ),
            Self::SystemManager => lang.pick(
                "総合運営システムの管理・運営を統括し、ソフトウェア導入を許可する。",
                "Runs the hospital information system and approves software.",
            ),
            Self::OperationsManager => lang.pick(
                "安全な運用、マニュアル整備、接続機器の配置決定、利用者研修を担う。",
                "Safe operation, manuals, placement of connected devices, user training.",
            ),
            Self::MonitoringManager => lang.pick(
                "部門システムの変更承認申請、障害報告、ウイルス・不正アクセス対策を担う。",
                "Per department: changes, problem reports, malware and intrusion measures.",
            ),
            Self::ConnectedDeviceManager => lang.pick(
                "接続機器の変更申請、障害報告、ウイルス・不正アクセス対策を担う。",
                "Changes, problem reports and protection of connected devices.",
            ),
            Self::AuditManager => lang.pick(
                "監査計画を立て、年1回以上の監査を実施し改善を提案する。",
                "Plans and carries out the yearly audit and proposes improvements.",
            ),
        }
    }

    /// Monitoring managers are appointed per department (seed 004 Art. 6: 各部門の長).
    pub fn per_department(self) -> bool {
        self == Self::MonitoringManager
    }
}

/// How the security officer holds the post (専任 / 専従 / 兼任).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tenure {
    Dedicated,
    Exclusive,
    Concurrent,
}

impl Tenure {
    pub const ALL: [Tenure; 3] = [Self::Dedicated, Self::Exclusive, Self::Concurrent];

    pub fn code(self) -> &'static str {
        match self {
            Self::Dedicated => "dedicated",
            Self::Exclusive => "exclusive",
            Self::Concurrent => "concurrent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.code() == text.trim() || t.label(Lang::Ja) == text.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Dedicated => lang.pick("専任", "Dedicated"),
            Self::Exclusive => lang.pick("専従", "Exclusive"),
            Self::Concurrent => lang.pick("兼任", "Concurrent"),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AppointmentInput {
    pub role: String,
    pub person_name: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub tenure: String,
    #[serde(default)]
    pub from_on: String,
    #[serde(default)]
    pub until_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub role: AppointedRole,
    pub person_name: String,
    pub position: Option<String>,
    pub department: Option<String>,
    pub tenure: Option<Tenure>,
    pub from_on: Option<NaiveDate>,
    pub until_on: Option<NaiveDate>,
    pub note: Option<String>,
}

impl Appointment {
    /// In office on the given day.
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.from_on.is_none_or(|from| from <= today)
            && self.until_on.is_none_or(|until| until >= today)
    }
}

impl AppointmentInput {
    pub fn validate(&self) -> Result<Appointment, Issues> {
        let mut issues = Issues::default();
        let role = AppointedRole::parse(&self.role);
        if role.is_none() {
            issues.push(Issue::new("role", "invalid_role"));
        }
        let person_name = required_text(&mut issues, "person_name", &self.person_name, 100);
        let position = optional_text(&mut issues, "position", &self.position, 100);
        let department = optional_text(&mut issues, "department", &self.department, 100);
        let tenure = match self.tenure.trim() {
            "" => None,
            text => {
                let tenure = Tenure::parse(text);
                if tenure.is_none() {
                    issues.push(Issue::new("tenure", "invalid_tenure"));
                }
                tenure
            }
        };
        if tenure.is_some() && role.is_some_and(|r| r != AppointedRole::SecurityOfficer) {
            issues.push(Issue::new("tenure", "tenure_only_security_officer"));
        }
        if role.is_some_and(AppointedRole::per_department) && department.is_none() {
            issues.push(Issue::new("department", "department_required"));
        }
        let from_on = optional_date(&mut issues, "from_on", &self.from_on);
        let until_on = optional_date(&mut issues, "until_on", &self.until_on);
        if let (Some(from), Some(until)) = (from_on, until_on) {
            if until < from {
                issues.push(Issue::new("until_on", "until_before_from"));
            }
        }
        let note = optional_text(&mut issues, "note", &self.note, 1000);
        let role = role.unwrap_or(AppointedRole::SecurityOfficer);
        issues.into_result(Appointment {
            role,
            person_name,
            position,
            department,
            tenure,
            from_on,
            until_on,
            note,
        })
    }
}

pub fn optional_date(issues: &mut Issues, field: &'static str, text: &str) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        return None;
    }
    let date = parse_date(text);
    if date.is_none() {
        issues.push(Issue::new(field, "invalid_date"));
    }
    date
}

/// A governance finding: something an inspector would ask about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GovernanceFinding {
    pub code: &'static str,
    pub role: AppointedRole,
    pub severity: Severity,
}

pub use crate::findings::Severity;

impl GovernanceFinding {
    pub fn message(&self, lang: Lang) -> String {
        let role = self.role.label(lang);
        match self.code {
            "missing_appointment" => match lang {
                Lang::Ja => format!("{role}が任命されていません（チェックリスト1-(1)）。"),
                Lang::En => format!("No {role} is appointed (checklist 1-(1))."),
            },
            "dedicated_officer_recommended" => lang
                .pick(
                    "200床以上の病院で診療録管理体制加算を算定する場合、安全管理責任者は専任が求められます。",
                    "Hospitals with 200+ beds claiming the medical-records management add-on need a dedicated security officer.",
                )
                .to_string(),
            _ => self.code.to_string(),
        }
    }
}

/// Rules over the appointments in office today.
pub fn governance_findings(
    kind: FacilityKind,
    beds: Option<i64>,
    appointments: &[Appointment],
    today: NaiveDate,
) -> Vec<GovernanceFinding> {
    let current: Vec<&Appointment> = appointments
        .iter()
        .filter(|a| a.is_current(today))
        .collect();
    let mut findings = Vec::new();
    // The guideline requires both roles of every facility; a clinic may give both to one person.
    for role in [
        AppointedRole::SecurityOfficer,
        AppointedRole::PlanningManager,
    ] {
        if !current.iter().any(|a| a.role == role) {
            let severity = if role == AppointedRole::SecurityOfficer {
                Severity::High
            } else {
                Severity::Medium
            };
            findings.push(GovernanceFinding {
                code: "missing_appointment",
                role,
                severity,
            });
        }
    }
    let large_hospital = kind == FacilityKind::Hospital && beds.unwrap_or(0) >= 200;
    let officer_dedicated = current.iter().any(|a| {
        a.role == AppointedRole::SecurityOfficer
            && matches!(a.tenure, Some(Tenure::Dedicated | Tenure::Exclusive))
    });
    let has_officer = current
        .iter()
        .any(|a| a.role == AppointedRole::SecurityOfficer);
    if large_hospital && has_officer && !officer_dedicated {
        findings.push(GovernanceFinding {
            code: "dedicated_officer_recommended",
            role: AppointedRole::SecurityOfficer,
            severity: Severity::Low,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appoint(role: &str, tenure: &str, until: &str) -> Appointment {
        AppointmentInput {
            role: role.into(),
            person_name: "山田 太郎".into(),
            tenure: tenure.into(),
            department: "放射線科".into(),
            until_on: until.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn missing_roles_are_flagged() {
        let findings = governance_findings(FacilityKind::Clinic, None, &[], today());
        assert_eq!(findings.len(), 2);
        let ok = [
            appoint("security_officer", "", ""),
            appoint("planning_manager", "", ""),
        ];
        assert!(governance_findings(FacilityKind::Clinic, None, &ok, today()).is_empty());
    }

    #[test]
    fn lapsed_appointments_do_not_count() {
        let lapsed = [
            appoint("security_officer", "", "R7.3.31"),
            appoint("planning_manager", "", ""),
        ];
        let findings = governance_findings(FacilityKind::Clinic, None, &lapsed, today());
        assert_eq!(findings[0].role, AppointedRole::SecurityOfficer);
    }

    #[test]
    fn large_hospitals_want_a_dedicated_officer() {
        let concurrent = [
            appoint("security_officer", "兼任", ""),
            appoint("planning_manager", "", ""),
        ];
        let findings = governance_findings(FacilityKind::Hospital, Some(200), &concurrent, today());
        assert_eq!(findings[0].code, "dedicated_officer_recommended");
    }

    #[test]
    fn tenure_is_only_for_the_security_officer() {
        let input = AppointmentInput {
            role: "audit_manager".into(),
            person_name: "x".into(),
            tenure: "専任".into(),
            ..Default::default()
        };
        assert_eq!(
            input.validate().unwrap_err().0[0].code,
            "tenure_only_security_officer"
        );
    }
}
