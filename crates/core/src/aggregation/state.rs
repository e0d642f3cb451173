//! Case state derived from stage events.

use serde::Serialize;

/// A case's state derived from its stage events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseState {
    /// `submitted, accepted, suspended, decided, completed, rejected, withdrawn`.
    pub status: &'static str,
    pub accepted_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub last_event_at: Option<i64>,
}

/// Replay `(kind, at, seq)` events in time order (sequence breaks ties), so the
/// state is right whatever order the events arrived in.
pub fn case_state(events: &[(&str, i64, i64)]) -> CaseState {
    let mut ordered: Vec<_> = events.to_vec();
    ordered.sort_by_key(|(_, at, seq)| (*at, *seq));
    let mut state = CaseState {
        status: "submitted",
        accepted_at: None,
        completed_at: None,
        last_event_at: None,
    };
    let mut open_pauses = 0_i32;
    for (kind, at, _) in ordered {
        state.last_event_at = Some(at);
        if matches!(state.status, "completed" | "rejected" | "withdrawn") {
            continue; // terminal: later events are recorded but do not reopen the case
        }
        match kind {
            "accepted" => {
                state.accepted_at.get_or_insert(at);
                state.status = "accepted";
            }
            "rejected" => state.status = "rejected",
            "withdrawn" => state.status = "withdrawn",
            "supplement_start" | "special_start" => {
                open_pauses += 1;
                state.status = "suspended";
            }
            "supplement_end" | "special_end" => {
                open_pauses = (open_pauses - 1).max(0);
                if open_pauses == 0 {
                    state.status = if state.accepted_at.is_some() {
                        "accepted"
                    } else {
                        "submitted"
                    };
                }
            }
            "decided" => state.status = "decided",
            "completed" | "delivered" => {
                state.completed_at.get_or_insert(at);
                state.status = "completed";
            }
            _ => {}
        }
    }
    state
}

#[cfg(test)]
mod state_tests {
    use super::case_state;

    #[test]
    fn replays_in_time_order_whatever_the_arrival_order() {
        let events = [
            ("completed", 50, 5),
            ("accepted", 10, 2),
            ("submitted", 0, 1),
            ("supplement_start", 20, 3),
            ("supplement_end", 30, 4),
        ];
        let state = case_state(&events);
        assert_eq!(state.status, "completed");
        assert_eq!(state.accepted_at, Some(10));
        assert_eq!(state.completed_at, Some(50));
        let paused = case_state(&events[1..4]);
        assert_eq!(paused.status, "suspended");
        let resumed = case_state(&[
            ("accepted", 10, 2),
            ("special_start", 20, 3),
            ("special_end", 30, 4),
        ]);
        assert_eq!(resumed.status, "accepted");
        assert_eq!(
            case_state(&[("rejected", 5, 2), ("accepted", 9, 3)]).status,
            "rejected"
        );
    }
}
