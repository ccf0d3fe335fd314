//! The steps of access reviews and of ID applications (seed 004 Art. 12: application → approval by
//! the system manager → issue; report when eligibility is lost), as states and transitions.

use crate::i18n::Lang;

/// A reviewer's decision on one account in an access review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// Still needed as it is.
    Confirm,
    /// Needed, but its rights or owner must change (the note says how).
    Change,
    /// Not needed: the account is suspended.
    Disable,
}

impl ReviewDecision {
    pub const ALL: [ReviewDecision; 3] = [Self::Confirm, Self::Change, Self::Disable];

    pub fn code(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Change => "change",
            Self::Disable => "disable",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Confirm => lang.pick("継続", "Keep"),
            Self::Change => lang.pick("変更", "Change"),
            Self::Disable => lang.pick("停止", "Disable"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationKind {
    /// A new ID (利用申請).
    New,
    /// Changed rights, e.g. on transfer.
    Change,
    /// The ID is no longer needed (loss of eligibility, leaving).
    Revoke,
}

impl ApplicationKind {
    pub const ALL: [ApplicationKind; 3] = [Self::New, Self::Change, Self::Revoke];

    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Change => "change",
            Self::Revoke => "revoke",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::New => lang.pick("新規発行", "New ID"),
            Self::Change => lang.pick("権限変更", "Change of rights"),
            Self::Revoke => lang.pick("利用停止・削除", "Revoke"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    Applied,
    Approved,
    Rejected,
    /// Issued, changed or revoked in the ledger.
    Done,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 4] =
        [Self::Applied, Self::Approved, Self::Rejected, Self::Done];

    pub fn code(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Applied => lang.pick("申請中", "Applied"),
            Self::Approved => lang.pick("承認済（発行待ち）", "Approved (to issue)"),
            Self::Rejected => lang.pick("却下", "Rejected"),
            Self::Done => lang.pick("完了", "Done"),
        }
    }
}

/// What a person does to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStep {
    Approve,
    Reject,
    /// Issue the ID, apply the change or revoke the ID in the ledger.
    CarryOut,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("この申請は「{0}」のため、この操作はできません / the application is {0}")]
    WrongState(&'static str),
    #[error("申請者本人は承認・却下できません。別の責任者が判断してください / applicants cannot decide their own application")]
    OwnApplication,
}

impl ApplicationStatus {
    /// The state after `step`, or why the step is not allowed now. `own` is true when the
    /// person deciding is the applicant: approval needs a second person.
    pub fn after(
        self,
        step: ApplicationStep,
        own: bool,
    ) -> Result<ApplicationStatus, WorkflowError> {
        match (self, step) {
            (Self::Applied, ApplicationStep::Approve | ApplicationStep::Reject) if own => {
                Err(WorkflowError::OwnApplication)
            }
            (Self::Applied, ApplicationStep::Approve) => Ok(Self::Approved),
            (Self::Applied, ApplicationStep::Reject) => Ok(Self::Rejected),
            (Self::Approved, ApplicationStep::CarryOut) => Ok(Self::Done),
            (state, _) => Err(WorkflowError::WrongState(state.label(Lang::Ja))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;
    use ApplicationStep::*;

    #[test]
    fn applications_go_applied_approved_done_and_need_a_second_person() {
        assert_eq!(Applied.after(Approve, false), Ok(Approved));
        assert_eq!(Applied.after(Reject, false), Ok(Rejected));
        assert_eq!(Approved.after(CarryOut, true), Ok(Done));
        assert_eq!(
            Applied.after(Approve, true),
            Err(WorkflowError::OwnApplication)
        );
        assert!(
            Applied.after(CarryOut, false).is_err(),
            "not before approval"
        );
        assert!(Rejected.after(Approve, false).is_err());
        assert!(Done.after(CarryOut, false).is_err());
    }
}
