//! Work orders (issue 12, SPEC CHG-1..4): one engine for every order type.
//!
//! An order type is data ([`OrderType`]): its states (each with a working-day
//! SLA, or paused while waiting on the applicant, or terminal) and its
//! transitions (action, from → to, the permission that may take it, whether
//! only the responsible unit may, and the fields it requires). The store and
//! server never branch on a type's code: they ask [`OrderType::decide`] whether
//! a caller may take an action now and [`sla`] when the new state falls due.
//!
//! Built-in types live in [`types`]; the element diff of item versions in
//! [`diff`].

pub mod diff;
pub mod intake;
pub mod sla;
pub mod types;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One state of an order type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = OrderState)]
pub struct StateDef {
    pub key: String,
    pub name: String,
    /// Working days the order may stay in this state (MON-1 calendar); `None`:
    /// no clock.
    pub sla_days: Option<u32>,
    /// A field of the order's data that, when set, overrides `sla_days`
    /// (a complaint's promised days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_field: Option<String>,
    /// Waiting on the applicant: the clock of the state before is suspended.
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub terminal: bool,
}

/// Which unit may take a transition (on top of its permission and the
/// caller's data scope, which already hides orders outside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitRule {
    /// Anyone in scope holding the permission (operators).
    InScope,
    /// Only users of the order's responsible unit (department).
    ResponsibleUnit,
}

/// One transition of an order type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = OrderTransition)]
pub struct Transition {
    pub action: String,
    pub name: String,
    pub from: Vec<String>,
    pub to: String,
    pub permission: String,
    pub unit: UnitRule,
    /// Required inputs: `comment` (a non-empty comment) or names of `fields`.
    #[serde(default)]
    pub required: Vec<String>,
}

/// An order type: states and transitions, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderType {
    #[serde(rename = "type")]
    pub code: String,
    pub name: String,
    /// Where a new order starts.
    pub initial: String,
    pub states: Vec<StateDef>,
    pub transitions: Vec<Transition>,
}

/// Who is acting, as far as transitions care.
#[derive(Clone, Copy)]
pub struct Actor<'a> {
    pub permissions: &'a dyn Fn(&str) -> bool,
    /// The caller's own department, if any.
    pub department: Option<&'a str>,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The type has no such action at all (400).
    #[error("unknown action {0}")]
    UnknownAction(String),
    /// The action does not start from the order's state (409).
    #[error("action {action} is not possible in state {state}")]
    InvalidTransition { action: String, state: String },
    /// The caller lacks the permission or is not the responsible unit (403).
    #[error("action {action} needs {permission}")]
    NotAllowed { action: String, permission: String },
    /// A required input is missing (400).
    #[error("{0} is required")]
    Missing(String),
}

impl StateDef {
    /// The working days of this state for an order with `data`.
    pub fn budget(&self, data: &Map<String, Value>) -> Option<u32> {
        self.sla_field
            .as_ref()
            .and_then(|field| data.get(field))
            .and_then(Value::as_u64)
            .and_then(|days| u32::try_from(days).ok())
            .or(self.sla_days)
    }
}

impl OrderType {
    pub fn state(&self, key: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.key == key)
    }

    /// The display name of a state (the key itself when unknown).
    pub fn state_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.state(key).map_or(key, |s| s.name.as_str())
    }

    fn allowed(transition: &Transition, actor: &Actor, unit_code: &str) -> bool {
        (actor.permissions)(&transition.permission)
            && match transition.unit {
                UnitRule::InScope => true,
                UnitRule::ResponsibleUnit => actor.department == Some(unit_code),
            }
    }

    /// The transitions `actor` may take from `state` of an order of `unit_code`.
    pub fn actions_for(&self, state: &str, actor: &Actor, unit_code: &str) -> Vec<&Transition> {
        self.transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == state) && Self::allowed(t, actor, unit_code))
            .collect()
    }

    /// Decide whether `actor` may take `action` on an order in `state` of
    /// `unit_code` with these inputs. Checks in the order the API reports
    /// them: unknown action, wrong state (409), caller (403), inputs (400).
    pub fn decide(
        &self,
        state: &str,
        action: &str,
        actor: &Actor,
        unit_code: &str,
        comment: Option<&str>,
        fields: &Map<String, Value>,
    ) -> Result<&Transition, Refusal> {
        let named: Vec<&Transition> = self
            .transitions
            .iter()
            .filter(|t| t.action == action)
            .collect();
        if named.is_empty() {
            return Err(Refusal::UnknownAction(action.to_string()));
        }
        let from_here: Vec<&Transition> = named
            .into_iter()
            .filter(|t| t.from.iter().any(|f| f == state))
            .collect();
        let Some(first) = from_here.first() else {
            return Err(Refusal::InvalidTransition {
                action: action.to_string(),
                state: state.to_string(),
            });
        };
        let transition = from_here
            .iter()
            .find(|t| Self::allowed(t, actor, unit_code))
            .ok_or_else(|| Refusal::NotAllowed {
                action: action.to_string(),
                permission: first.permission.clone(),
            })?;
        for input in &transition.required {
            let present = if input == "comment" {
                comment.is_some_and(|c| !c.trim().is_empty())
            } else {
                fields.get(input).is_some_and(|v| match v {
                    Value::Null => false,
                    Value::String(s) => !s.trim().is_empty(),
                    _ => true,
                })
            };
            if !present {
                return Err(Refusal::Missing(input.clone()));
            }
        }
        Ok(transition)
    }

    /// Structural checks of a definition: known states, one initial state,
    /// transitions between known states.
    pub fn validate(&self) -> Result<(), String> {
        if self.state(&self.initial).is_none() {
            return Err(format!(
                "{}: unknown initial state {}",
                self.code, self.initial
            ));
        }
        for t in &self.transitions {
            for state in t.from.iter().chain(std::iter::once(&t.to)) {
                if self.state(state).is_none() {
                    return Err(format!(
                        "{}: {} names unknown state {state}",
                        self.code, t.action
                    ));
                }
            }
        }
        Ok(())
    }
}
