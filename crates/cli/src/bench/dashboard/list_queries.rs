//! The lists of issue 10, who reads them, and random queries valid for each:
//! the filters of the list's query struct (crates/server/src/**) with values
//! the generated data holds, and a sort from the list's `ListSpec`.

use govpulse_core::dashboard::cube::STAGES;
use govpulse_store::{aggregation, audit, exports, identity, monitoring, org, workorders};
use std::collections::BTreeMap;

use super::list_data::{AUDIT_ACTIONS, AUDIT_ACTORS, AUDIT_OBJECTS, SOURCES};
use super::{
    date, department_code, item_code, Rng, DEPARTMENTS_PER_DISTRICT, DISTRICTS, FOCUS_DISTRICT,
    ITEMS_PER_DISTRICT, PERIODS,
};

/// A demo account (crates/server/src/seed/mod.rs).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Who {
    City,
    District,
    Auditor,
    Admin,
}

impl Who {
    pub(super) fn username(self) -> &'static str {
        match self {
            Who::City => "city",
            Who::District => "chaoyang",
            Who::Auditor => "auditor",
            Who::Admin => "admin",
        }
    }

    pub(super) fn password(self) -> &'static str {
        match self {
            Who::City => "City@12345",
            Who::District => "Chaoyang@123",
            Who::Auditor => "Audit@12345",
            Who::Admin => "Admin@12345",
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum List {
    Cases,
    Consultations,
    Evaluations,
    Warnings,
    Messages,
    Items,
    Users,
    Departments,
    Audit,
    Exports,
    Reconciliation,
    WorkOrders,
}

pub(super) const LISTS: [List; 12] = [
    List::Cases,
    List::Consultations,
    List::Evaluations,
    List::Warnings,
    List::Messages,
    List::Items,
    List::Users,
    List::Departments,
    List::Audit,
    List::Exports,
    List::Reconciliation,
    List::WorkOrders,
];

/// What the queries draw from: the day the data ends and each district's streets.
pub(super) struct Ctx {
    pub(super) today: i64,
    pub(super) streets: BTreeMap<String, Vec<String>>,
}

/// Words of the generated questions (the hot-word click-through asks `q=`).
const QUESTION_WORDS: [&str; 8] = [
    "营业执照",
    "社保卡",
    "公积金",
    "居住证",
    "养老保险",
    "需要哪些",
    "怎么办理",
    "材料",
];
const ITEM_WORDS: [&str; 5] = ["许可", "登记", "养老", "证", "审批"];
const DEPARTMENT_WORDS: [&str; 4] = ["局", "委", "市场监管", "110105"];

/// A query string under construction.
struct Query {
    path: String,
}

impl Query {
    fn add(&mut self, name: &str, value: &str) {
        self.path.push_str(&format!("&{name}={}", encode(value)));
    }

    /// Add `name` with probability `p`.
    fn maybe(&mut self, rng: &mut Rng, p: f64, name: &str, value: impl FnOnce(&mut Rng) -> String) {
        if (rng.next() % 1000) as f64 / 1000.0 < p {
            let value = value(rng);
            self.add(name, &value);
        }
    }

    /// `from`/`to` (days, `YYYY-MM-DD`) half the time: 7, 30, 90 or 365 days
    /// ending within the last month.
    fn period(&mut self, rng: &mut Rng, today: i64) {
        if rng.coin() {
            let last = today - rng.below(30) as i64;
            let days = PERIODS[rng.below(PERIODS.len())];
            self.add("from", &date(last - days + 1));
            self.add("to", &date(last));
        }
    }
}

/// Percent-encoding of a query value (unreserved characters kept).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn pick<T: Copy>(rng: &mut Rng, options: &[T]) -> T {
    options[rng.below(options.len())]
}

impl List {
    pub(super) fn path(self) -> &'static str {
        match self {
            List::Cases => "/api/v1/cases",
            List::Consultations => "/api/v1/consultations",
            List::Evaluations => "/api/v1/evaluations",
            List::Warnings => "/api/v1/warnings",
            List::Messages => "/api/v1/messages",
            List::Items => "/api/v1/items",
            List::Users => "/api/v1/users",
            List::Departments => "/api/v1/departments",
            List::Audit => "/api/v1/audit",
            List::Exports => "/api/v1/exports",
            List::Reconciliation => "/api/v1/reconciliation",
            List::WorkOrders => "/api/v1/work-orders",
        }
    }

    /// The accounts that read the list: the city and a district user, or the
    /// one demo account with the list's permission (`audit:read`, `user:read`).
    pub(super) fn readers(self) -> &'static [Who] {
        match self {
            List::Audit => &[Who::Auditor],
            List::Users => &[Who::Admin],
            _ => &[Who::City, Who::District],
        }
    }

    /// The sortable fields, from the store's list spec.
    fn sortable(self) -> Vec<&'static str> {
        match self {
            List::Cases => aggregation::CASE_LIST.sortable(),
            List::Consultations => aggregation::CONSULTATION_LIST.sortable(),
            List::Evaluations => aggregation::EVALUATION_LIST.sortable(),
            List::Warnings => monitoring::WARNING_LIST.sortable(),
            List::Messages => monitoring::MESSAGE_LIST.sortable(),
            List::Items => aggregation::ITEM_LIST.sortable(),
            List::Users => identity::USER_LIST.sortable(),
            List::Departments => org::DEPARTMENT_LIST.sortable(),
            List::Audit => audit::AUDIT_LIST.sortable(),
            List::Exports => exports::EXPORT_JOB_LIST.sortable(),
            List::Reconciliation => aggregation::RECONCILIATION_LIST.sortable(),
            List::WorkOrders => workorders::WORK_ORDER_LIST.sortable(),
        }
    }

    /// The first page of the list's default sort, 20 rows, no filter.
    pub(super) fn plain(self) -> String {
        format!("{}?size=20", self.path())
    }

    /// Size 20 (50, 100 now and then) and a sort (the default a quarter of the time).
    fn head(self, rng: &mut Rng) -> Query {
        let size = match rng.below(10) {
            0 => 100,
            1 | 2 => 50,
            _ => 20,
        };
        let mut q = Query {
            path: format!("{}?size={size}", self.path()),
        };
        if rng.below(4) > 0 {
            let fields = self.sortable();
            let field = pick(rng, &fields);
            let sign = if rng.coin() { "-" } else { "" };
            q.add("sort", &format!("{sign}{field}"));
        }
        q
    }

    /// A random first page without filters: everything the reader may see.
    pub(super) fn unfiltered(self, rng: &mut Rng) -> String {
        self.head(rng).path
    }

    /// A random first-page query as `who`: [`Self::head`] and a random set of filters.
    pub(super) fn random(self, rng: &mut Rng, ctx: &Ctx, who: Who) -> String {
        let mut q = self.head(rng);
        // The place the filters are drawn from: any district for the city
        // user, the user's own for the district user.
        let district = if who == Who::District {
            FOCUS_DISTRICT
        } else {
            pick(rng, &DISTRICTS)
        };
        let streets = ctx.streets.get(district).cloned().unwrap_or_default();
        let region = |rng: &mut Rng| {
            if rng.coin() || streets.is_empty() {
                district.to_string()
            } else {
                streets[rng.below(streets.len())].clone()
            }
        };
        // Popular items (low numbers) more often, as the data has them.
        let j = (rng.below(ITEMS_PER_DISTRICT as usize) * rng.below(ITEMS_PER_DISTRICT as usize))
            as i64
            / ITEMS_PER_DISTRICT;
        let department = department_code(district, j % DEPARTMENTS_PER_DISTRICT);
        let item = item_code(district, j);
        let today = ctx.today;
        match self {
            List::Cases => {
                q.maybe(rng, 0.4, "region", region);
                q.maybe(rng, 0.3, "department", |_| department);
                q.maybe(rng, 0.3, "item", |_| item);
                q.maybe(rng, 0.4, "status", |r| {
                    pick(r, &["completed", "accepted", "rejected", "withdrawn"]).into()
                });
                q.maybe(rng, 0.3, "applicant_type", |r| {
                    pick(r, &["person", "org"]).into()
                });
                q.maybe(rng, 0.3, "overdue", |r| pick(r, &["true", "false"]).into());
                q.period(rng, today);
            }
            List::Consultations => {
                q.maybe(rng, 0.4, "region", region);
                q.maybe(rng, 0.3, "item", |_| item);
                q.maybe(rng, 0.3, "channel", |r| {
                    pick(r, &["hotline", "wechat", "online"]).into()
                });
                q.maybe(rng, 0.2, "linked", |r| pick(r, &["true", "false"]).into());
                q.maybe(rng, 0.25, "q", |r| pick(r, &QUESTION_WORDS).into());
                q.period(rng, today);
            }
            List::Evaluations => {
                q.maybe(rng, 0.4, "region", region);
                q.maybe(rng, 0.4, "satisfaction", |r| (1 + r.below(5)).to_string());
                q.period(rng, today);
            }
            List::Warnings => {
                q.maybe(rng, 0.4, "level", |r| pick(r, &["red", "yellow"]).into());
                q.maybe(rng, 0.3, "stage", |r| pick(r, STAGES).into());
                q.maybe(rng, 0.4, "region", region);
                q.maybe(rng, 0.2, "department", |_| department);
                q.maybe(rng, 0.2, "item", |_| item);
                q.maybe(rng, 0.4, "status", |r| {
                    pick(r, &["open", "closed", "acknowledged", "handled"]).into()
                });
                q.maybe(rng, 0.2, "rule", |r| {
                    pick(
                        r,
                        &[
                            "approval_overdue",
                            "accept_overdue",
                            "consult_repeat",
                            "special_overdue",
                            "immediate_overdue",
                        ],
                    )
                    .into()
                });
                q.period(rng, today);
            }
            List::Messages => {
                q.maybe(rng, 0.5, "unread", |r| pick(r, &["true", "false"]).into());
                q.maybe(rng, 0.4, "level", |r| pick(r, &["red", "yellow"]).into());
            }
            List::Items => {
                q.maybe(rng, 0.3, "q", |r| pick(r, &ITEM_WORDS).into());
                q.maybe(rng, 0.4, "department", |_| department);
                q.maybe(rng, 0.4, "region", |_| district.to_string());
                q.maybe(rng, 0.2, "item_type", |_| "01".into());
                q.maybe(rng, 0.3, "case_type", |r| pick(r, &["1", "2"]).into());
            }
            List::Users => {
                q.maybe(rng, 0.3, "q", |_| format!("bench_u{district}"));
                q.maybe(rng, 0.4, "region", |_| district.to_string());
                q.maybe(rng, 0.2, "department", |_| department);
                q.maybe(rng, 0.3, "role", |r| {
                    pick(r, &["district_operator", "dept_user", "city_operator"]).into()
                });
                q.maybe(rng, 0.3, "status", |r| {
                    pick(r, &["active", "locked", "disabled"]).into()
                });
            }
            List::Departments => {
                q.maybe(rng, 0.3, "q", |r| pick(r, &DEPARTMENT_WORDS).into());
                q.maybe(rng, 0.4, "region", |_| district.to_string());
                q.maybe(rng, 0.3, "level", |r| pick(r, &["city", "district"]).into());
            }
            List::Audit => {
                q.period(rng, today);
                q.maybe(rng, 0.3, "actor", |r| pick(r, &AUDIT_ACTORS).into());
                q.maybe(rng, 0.3, "action", |r| {
                    let action = pick(r, &AUDIT_ACTIONS);
                    // A prefix (`auth.`) half the time.
                    if r.coin() {
                        action[..=action.find('.').unwrap_or(0)].to_string()
                    } else {
                        action.to_string()
                    }
                });
                q.maybe(rng, 0.3, "result", |r| {
                    pick(r, &["success", "failure", "denied"]).into()
                });
                q.maybe(rng, 0.2, "object_type", |r| pick(r, &AUDIT_OBJECTS).into());
            }
            List::Exports => {}
            List::WorkOrders => {
                q.maybe(rng, 0.5, "view", |r| {
                    pick(r, &["todo", "todo", "todo", "all", "done", "created"]).into()
                });
                let order_type = pick(rng, &["complaint", "bad_review", "item_change"]);
                if rng.below(10) < 4 {
                    q.add("type", order_type);
                    q.maybe(rng, 0.5, "state", |r| {
                        let open = match order_type {
                            "complaint" => "handling",
                            "bad_review" => "rectifying",
                            _ => "confirming",
                        };
                        pick(r, &[open, "closed"]).into()
                    });
                }
                q.maybe(rng, 0.3, "overdue", |r| pick(r, &["true", "false"]).into());
                q.maybe(rng, 0.2, "unit", |_| department);
                q.maybe(rng, 0.1, "q", |r| format!("BW{}", 10 + r.below(90)));
            }
            List::Reconciliation => {
                q.period(rng, today);
                q.maybe(rng, 0.4, "source", |r| pick(r, &SOURCES).into());
                q.maybe(rng, 0.4, "kind", |r| {
                    pick(
                        r,
                        &[
                            "items",
                            "consultations",
                            "cases",
                            "case-events",
                            "evaluations",
                        ],
                    )
                    .into()
                });
            }
        }
        q.path
    }
}
