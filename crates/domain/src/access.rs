//! Roles and what they may do. Every route names one [`Permission`]; [`Role::allows`] decides.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    SecurityOfficer,
    Editor,
    Viewer,
    Vendor,
    Inspector,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::SecurityOfficer,
        Role::Editor,
        Role::Viewer,
        Role::Vendor,
        Role::Inspector,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::SecurityOfficer => "security_officer",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
            Role::Vendor => "vendor",
            Role::Inspector => "inspector",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.code() == text.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Administrator => lang.pick("管理者", "Administrator"),
            Role::SecurityOfficer => lang.pick("安全管理責任者", "Security officer"),
            Role::Editor => lang.pick("編集者", "Editor"),
            Role::Viewer => lang.pick("閲覧者（経営層）", "Viewer (management)"),
            Role::Vendor => lang.pick("事業者", "Vendor"),
            Role::Inspector => lang.pick(
                "立入検査員（閲覧のみ・期限付き）",
                "Inspector (read-only, expires)",
            ),
        }
    }

    /// Whether this role, held for a facility (or organisation-wide), grants the action.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Administrator => true,
            Role::SecurityOfficer => matches!(
                action,
                ViewFacility | EditFacility | ManageGovernance | ViewAudit | ConfirmLedger
            ),
            Role::Editor => matches!(action, ViewFacility | EditFacility),
            // Management (経営層) confirms the ledgers periodically, as the guideline asks.
            Role::Viewer => matches!(action, ViewFacility | ConfirmLedger),
            Role::Inspector => matches!(action, ViewFacility),
            // Vendors see only what is assigned to them; later features grant that per record.
            Role::Vendor => false,
        }
    }
}

/// Actions on a facility's data, or on the organisation when the role is organisation-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    ViewFacility,
    EditFacility,
    ManageGovernance,
    ManageMembers,
    ViewAudit,
    /// 「台帳を確認しました」: the periodic management confirmation of a ledger.
    ConfirmLedger,
    /// Create facilities, manage users of the whole organisation.
    AdministerOrganisation,
}

/// The rule attached to a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Permission {
    /// Anyone, signed in or not (sign-in, setup, health, assets).
    Public,
    /// Any signed-in user (their own account, the dashboard).
    SignedIn,
    /// The action on the facility named by the `{code}` path parameter.
    Facility(Action),
    /// The action organisation-wide (requires an organisation-wide role).
    Organisation(Action),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_roles_cannot_edit() {
        for role in [Role::Viewer, Role::Inspector, Role::Vendor] {
            assert!(!role.allows(Action::EditFacility));
            assert!(!role.allows(Action::ManageMembers));
        }
        assert!(Role::Administrator.allows(Action::AdministerOrganisation));
        assert!(!Role::SecurityOfficer.allows(Action::AdministerOrganisation));
    }

    #[test]
    fn roles_round_trip_through_codes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
    }
}
