//! Who may act on which account under separated admin duties (三员分立).
//!
//! The invariant: no admin duty acts on, creates, grants or takes over an
//! account that holds another admin duty. Concretely:
//!
//! - account administration (create, edit, disable, delete, reset password)
//!   belongs to the system admin, on accounts holding no admin duty or the
//!   system duty;
//! - granting roles (授权) belongs to the security admin, on accounts holding
//!   no admin duty, the security duty or the audit duty; the system admin,
//!   administering accounts, hands out only business roles and its own duty
//!   (district system admins) — never the security or audit duty;
//! - the audit admin's account is changed only by the security admin, who
//!   administers such accounts and no others;
//! - the audit admin administers no account.
//!
//! No admin duty can thus reach an account holding another one, and nobody
//! but the security admin makes an auditor.

use super::AdminDuty;
use std::collections::BTreeSet;

/// What an admin wants to do to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// Create, edit, disable, delete, reset the password.
    Administer,
    /// Change the roles (also the roles given at creation).
    GrantRoles,
}

/// Why an action on an account is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyRefusal {
    /// The caller's duty, if any.
    pub actor: Option<AdminDuty>,
    /// The duties the account holds before or would hold after.
    pub target: BTreeSet<AdminDuty>,
    pub action: AccountAction,
}

/// The single admin duty a set of duties stands for; `None` for none or a
/// (refused elsewhere) mix.
pub fn single_duty(duties: &BTreeSet<AdminDuty>) -> Option<AdminDuty> {
    match duties.len() {
        1 => duties.iter().next().copied(),
        _ => None,
    }
}

/// The duties an actor with `actor` duty may see on an account it acts on;
/// `None` when the duty does not do `action` at all.
fn reachable(actor: AdminDuty, action: AccountAction) -> Option<&'static [AdminDuty]> {
    use AccountAction::{Administer, GrantRoles};
    use AdminDuty::{Audit, Security, System};
    match (actor, action) {
        // Business roles come with account administration; the security and
        // audit duties are granted by the security admin only.
        (System, Administer | GrantRoles) => Some(&[System]),
        (Security, Administer) => Some(&[Audit]),
        (Security, GrantRoles) => Some(&[Security, Audit]),
        (Audit, _) => None,
    }
}

/// May an admin holding `actor` do `action` to an account holding `before`
/// duties, which would hold `after` duties afterwards?
pub fn check_account_action(
    actor: Option<AdminDuty>,
    action: AccountAction,
    before: &BTreeSet<AdminDuty>,
    after: &BTreeSet<AdminDuty>,
) -> Result<(), DutyRefusal> {
    let target: BTreeSet<AdminDuty> = before.union(after).copied().collect();
    let allowed = match actor {
        None => false,
        Some(duty) => {
            let within_reach = reachable(duty, action)
                .is_some_and(|reach| target.iter().all(|d| reach.contains(d)));
            // The security admin administers audit admin accounts, nothing else.
            let administers_only_auditors = duty != AdminDuty::Security
                || action != AccountAction::Administer
                || target.contains(&AdminDuty::Audit);
            within_reach && administers_only_auditors
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(DutyRefusal {
            actor,
            target,
            action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountAction::{Administer, GrantRoles};
    use AdminDuty::{Audit, Security, System};

    fn set(duties: &[AdminDuty]) -> BTreeSet<AdminDuty> {
        duties.iter().copied().collect()
    }

    fn allowed(
        actor: AdminDuty,
        action: AccountAction,
        before: &[AdminDuty],
        after: &[AdminDuty],
    ) -> bool {
        check_account_action(Some(actor), action, &set(before), &set(after)).is_ok()
    }

    #[test]
    fn the_system_admin_administers_plain_and_system_accounts_only() {
        assert!(allowed(System, Administer, &[], &[]));
        assert!(allowed(System, Administer, &[System], &[System]));
        assert!(!allowed(System, Administer, &[Security], &[Security]));
        assert!(!allowed(System, Administer, &[Audit], &[Audit]));
    }

    #[test]
    fn the_system_admin_grants_no_other_admin_duty() {
        assert!(allowed(System, GrantRoles, &[], &[]));
        assert!(allowed(System, GrantRoles, &[], &[System]));
        for duty in [Security, Audit] {
            assert!(!allowed(System, GrantRoles, &[], &[duty]), "grant {duty:?}");
            assert!(
                !allowed(System, GrantRoles, &[duty], &[]),
                "demote {duty:?}"
            );
        }
    }

    #[test]
    fn the_security_admin_grants_but_never_the_system_duty() {
        assert!(allowed(Security, GrantRoles, &[], &[]));
        assert!(allowed(Security, GrantRoles, &[], &[Audit]));
        assert!(allowed(Security, GrantRoles, &[Audit], &[]));
        assert!(allowed(Security, GrantRoles, &[Security], &[Security]));
        assert!(!allowed(Security, GrantRoles, &[], &[System]));
        assert!(!allowed(Security, GrantRoles, &[System], &[]));
    }

    #[test]
    fn only_the_security_admin_changes_the_audit_admins_account() {
        assert!(allowed(Security, Administer, &[Audit], &[Audit]));
        assert!(!allowed(Security, Administer, &[], &[]));
        assert!(!allowed(Security, Administer, &[Security], &[Security]));
        assert!(!allowed(System, Administer, &[Audit], &[Audit]));
        assert!(!allowed(Audit, Administer, &[Audit], &[Audit]));
    }

    #[test]
    fn the_audit_admin_and_plain_users_act_on_no_account() {
        for action in [Administer, GrantRoles] {
            assert!(!allowed(Audit, action, &[], &[]));
            assert!(check_account_action(None, action, &set(&[]), &set(&[])).is_err());
        }
    }

    #[test]
    fn a_single_duty_stands_for_its_set() {
        assert_eq!(single_duty(&set(&[Audit])), Some(Audit));
        assert_eq!(single_duty(&set(&[])), None);
        assert_eq!(single_duty(&set(&[Audit, System])), None);
    }
}
