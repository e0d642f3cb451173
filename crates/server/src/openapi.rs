//! The OpenAPI document: its header, and the responses every operation can
//! give that handlers do not list one by one (bad input, authentication,
//! permission, rate limits, overload), so generated clients and contract
//! fuzzers see every status the server may send.

use govpulse_core::workorders::types;
use govpulse_store::aggregation::{
    CASE_LIST, CONSULTATION_LIST, EVALUATION_LIST, ITEM_LIST, RECONCILIATION_LIST,
};
use govpulse_store::audit::AUDIT_LIST;
use govpulse_store::evaluation::alerts::ALERT_RULE_LIST;
use govpulse_store::evaluation::{INDICATOR_LIST, RUN_LIST};
use govpulse_store::exports::EXPORT_JOB_LIST;
use govpulse_store::guidance::credit::DISHONEST_LIST;
use govpulse_store::guidance::tolerance::TOLERANCE_LIST;
use govpulse_store::guidance::TREE_LIST;
use govpulse_store::identity::USER_LIST;
use govpulse_store::monitoring::{DELIVERY_LIST, MESSAGE_LIST, WARNING_LIST};
use govpulse_store::oplogs::ANOMALY_LIST;
use govpulse_store::org::DEPARTMENT_LIST;
use govpulse_store::quality::FAILURE_LIST;
use govpulse_store::workorders::WORK_ORDER_LIST;
use serde_json::json;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr, Response, ResponseBuilder, Schema};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "govpulse API",
        description = "政务服务数字化运营管理系统 — HTTP API. Errors are `{code, message, details}` with stable codes; \
                       lists take `page` (1-based) and `size` (≤ 500) and answer `{total, items}`; times are RFC 3339 in +08:00. \
                       Browser sessions send `X-CSRF-Token` on writes; systems use `Authorization: Bearer <token>`. \
                       Under overload any request may answer 503 `server.busy` (retry after `Retry-After` seconds), \
                       504 `server.timeout` (its deadline passed and its work was stopped) or, while the server stops, 503 `server.shutting_down`."
    ),
    tags(
        (name = "identity", description = "Login, accounts, roles, security policy, API tokens (SEC-1, SEC-2)"),
        (name = "org", description = "Regions and departments"),
        (name = "audit", description = "Tamper-evident audit log (SEC-3)"),
        (name = "monitoring", description = "Working-day calendar and clocks (MON-1..8)"),
        (name = "dashboard", description = "Key indicators, breakdowns, trends, hot words and exports (DASH-1..5)"),
        (name = "aggregation", description = "Items, consultation codes, intake, cases, linking, collection rules (AGG-1..5)"),
        (name = "exports", description = "Background exports of large lists (DASH-4)"),
        (name = "workorders", description = "Work orders: item changes, complaints, 差评 follow-up (CHG-1..4, issue 12)"),
        (name = "quality", description = "Case data quality: check library and runs (QC-1/2, issue 14)"),
        (name = "guidance", description = "Situational guidance, tolerance acceptance and credit check (GUIDE-1..3, issue 15)"),
        (name = "evaluation", description = "Quality and efficiency evaluation: indicators, scoring schemes, runs, archive (IND, SCORE, EVAL; issue 13)")
    )
)]
struct ApiDoc;

/// The document's header: title, description and tags; routes add the paths.
pub fn header() -> Document {
    ApiDoc::openapi()
}

/// Paths answered without a login (public guidance, login itself, the token check).
fn is_public(path: &str) -> bool {
    path.starts_with("/api/v1/public/") || path == "/api/v1/auth/login"
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                utoipa::openapi::content::ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

/// The statuses `operation` at `path` can answer besides its own, with why.
fn common_statuses(path: &str, operation: &Operation) -> Vec<(&'static str, &'static str)> {
    let mut statuses = vec![
        ("400", "Invalid parameters or body (`request.invalid`, `request.invalid_field` …)"),
        ("429", "Too many requests (`auth.rate_limited`, `guidance.rate_limited`, `export.quota` …); see `Retry-After`"),
        ("503", "Overloaded (`server.busy`, see `Retry-After`) or shutting down (`server.shutting_down`)"),
        ("504", "The request's deadline passed and its work was stopped (`server.timeout`)"),
    ];
    if !is_public(path) {
        statuses.push(("401", "No valid session or token (`auth.unauthenticated`, `auth.session_expired`, `auth.invalid_token` …)"));
        statuses.push(("403", "Not permitted (`auth.permission`, `auth.forbidden`, `auth.csrf`, `auth.password_change_required` …)"));
    }
    let has_path_params = operation.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Path,
        RefOr::Ref(_) => false,
    });
    if has_path_params {
        statuses.push(("404", "No such object in the caller's scope (`not_found`)"));
    }
    if operation.request_body.is_some() {
        statuses.push(("413", "Body over the route's limit (`request.too_large`)"));
        statuses.push((
            "415",
            "Unsupported content type (`request.unsupported_media_type`)",
        ));
    }
    statuses
}

/// The sortable fields of each list, from the specs its handler validates
/// `sort` against, so the document cannot drift from the server.
fn sortable_fields(path: &str) -> Option<Vec<&'static str>> {
    Some(match path.trim_start_matches("/api/v1") {
        "/audit" => AUDIT_LIST.sortable(),
        "/cases" => CASE_LIST.sortable(),
        "/consultations" => CONSULTATION_LIST.sortable(),
        "/credit/dishonest" => DISHONEST_LIST.sortable(),
        "/departments" => DEPARTMENT_LIST.sortable(),
        "/evaluations" => EVALUATION_LIST.sortable(),
        "/exports" => EXPORT_JOB_LIST.sortable(),
        "/guidance/trees" | "/public/guidance" => TREE_LIST.sortable(),
        "/indicators" => INDICATOR_LIST.sortable(),
        "/indicator-alerts" => ALERT_RULE_LIST.sortable(),
        "/evaluation/runs" => RUN_LIST.sortable(),
        "/items" => ITEM_LIST.sortable(),
        "/messages" => MESSAGE_LIST.sortable(),
        "/quality/runs/{id}/failures" => FAILURE_LIST.sortable(),
        "/quality/oplog-checks/{id}/anomalies" => ANOMALY_LIST.sortable(),
        "/reconciliation" | "/reconciliation/export" => RECONCILIATION_LIST.sortable(),
        "/tolerance" => TOLERANCE_LIST.sortable(),
        "/users" => USER_LIST.sortable(),
        "/warning-rules/{code}/deliveries" => DELIVERY_LIST.sortable(),
        "/warnings" | "/warnings/export" => WARNING_LIST.sortable(),
        "/work-orders" => WORK_ORDER_LIST.sortable(),
        _ => return None,
    })
}

/// A date or an RFC 3339 time, as every `from`/`to`/`start` parameter takes,
/// or empty (= not given; forms send empty filters). Days 29–31 are left out
/// so that every matching value is a real date.
const DATE_OR_TIME: &str = "^$|^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])\
(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

/// A date or empty.
const DATE_ONLY: &str = "^$|^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$";

fn schema_of(value: serde_json::Value) -> Option<RefOr<Schema>> {
    serde_json::from_value(value).ok()
}

/// Parameters whose valid values a plain `string` does not describe: a list's
/// `sort` (its fields, ascending or `-` descending), the shared time
/// parameters and the work-order types.
fn refine_parameter(path: &str, parameter: &mut Parameter) {
    let is_string =
        serde_json::to_value(&parameter.schema).is_ok_and(|schema| schema["type"] == "string");
    if parameter.parameter_in != ParameterIn::Query || !is_string {
        return;
    }
    let refined = match parameter.name.as_str() {
        "sort" => sortable_fields(path).map(|fields| {
            // Empty asks for the default order, like an absent `sort`.
            let values: Vec<String> = std::iter::once(String::new())
                .chain(fields.iter().flat_map(|f| [f.to_string(), format!("-{f}")]))
                .collect();
            json!({ "type": "string", "enum": values })
        }),
        // The reconciliation report counts whole days.
        "from" | "to" if path.starts_with("/api/v1/reconciliation") => {
            Some(json!({ "type": "string", "pattern": DATE_ONLY }))
        }
        // A trend ends with a period, not a day.
        "to" if path.ends_with("/trend") => Some(json!({
            "type": "string",
            "pattern": "^20[0-9]{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
        })),
        "from" | "to" => Some(json!({ "type": "string", "pattern": DATE_OR_TIME })),
        "start" => {
            Some(json!({ "type": "string", "pattern": DATE_OR_TIME.trim_start_matches("^$|") }))
        }
        "type" if path.starts_with("/api/v1/work-orders") => {
            let mut codes: Vec<&str> = types::builtin().iter().map(|t| t.code.as_str()).collect();
            codes.push("");
            Some(json!({ "type": "string", "enum": codes }))
        }
        _ => None,
    };
    if let Some(schema) = refined.and_then(schema_of) {
        parameter.schema = Some(schema);
    }
}

/// A work-order action is one the built-in types define.
fn declare_work_order_actions(doc: &mut Document) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for name in ["ActionRequest", "ActionView"] {
        if let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut(name) {
            if let Some(RefOr::T(Schema::Object(action))) = schema.properties.get_mut("action") {
                action.enum_values =
                    Some(types::known_actions().into_iter().map(Into::into).collect());
            }
        }
    }
}

type Json = serde_json::Value;

/// Every operation of the document, with its path.
fn operations_mut(doc: &mut Document) -> impl Iterator<Item = (&str, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        .map(move |operation| (path.as_str(), operation))
    })
}

/// Apply `rewrite` to every schema of the document, the components' and the
/// parameters', nested ones included.
fn rewrite_schemas(doc: &mut Document, rewrite: &dyn Fn(&mut serde_json::Map<String, Json>)) {
    fn walk(value: &mut Json, rewrite: &dyn Fn(&mut serde_json::Map<String, Json>)) {
        match value {
            Json::Object(map) => {
                rewrite(map);
                map.values_mut().for_each(|v| walk(v, rewrite));
            }
            Json::Array(items) => items.iter_mut().for_each(|v| walk(v, rewrite)),
            _ => {}
        }
    }
    fn apply<T: serde::Serialize + serde::de::DeserializeOwned>(
        schema: &mut T,
        rewrite: &dyn Fn(&mut serde_json::Map<String, Json>),
    ) {
        let Ok(original) = serde_json::to_value(&*schema) else {
            return;
        };
        let mut value = original.clone();
        walk(&mut value, rewrite);
        // utoipa's types do not read back every schema they write (an `{}`
        // inside array items is lost): only a rewritten schema that reads
        // back whole replaces the original.
        if value != original {
            if let Ok(rewritten) = serde_json::from_value::<T>(value.clone()) {
                if serde_json::to_value(&rewritten).is_ok_and(|back| back == value) {
                    *schema = rewritten;
                }
            }
        }
    }
    if let Some(components) = doc.components.as_mut() {
        components
            .schemas
            .values_mut()
            .for_each(|s| apply(s, rewrite));
    }
    for (_, operation) in operations_mut(doc) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(Parameter {
                schema: Some(schema),
                ..
            }) = parameter
            {
                apply(schema, rewrite);
            }
        }
    }
}

/// A closed request schema (`additionalProperties: false`, from
/// `deny_unknown_fields`) that another schema extends (`allOf`: a flattened
/// struct, an internally tagged enum) would forbid the added fields: such
/// parts are inlined open.
fn open_flattened_parts(doc: &mut Document) {
    let Some(components) = doc.components.as_ref() else {
        return;
    };
    let closed: std::collections::BTreeMap<String, Json> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| {
            let mut value = serde_json::to_value(schema).ok()?;
            value.as_object_mut()?.remove("additionalProperties")?;
            Some((format!("#/components/schemas/{name}"), value))
        })
        .collect();
    rewrite_schemas(doc, &|schema| {
        if let Some(Json::Array(parts)) = schema.get_mut("allOf") {
            for part in parts.iter_mut() {
                if let Some(open) = part["$ref"].as_str().and_then(|r| closed.get(r)) {
                    *part = open.clone();
                }
            }
        }
    });
}

/// A string pattern that only lists words, `^(a|b)$` (or `^(a|b)?$`, also
/// empty), is stated as the enum it is, so generated clients get the values.
fn patterns_as_enums(doc: &mut Document) {
    rewrite_schemas(doc, &|schema| {
        let Some(pattern) = schema.get("pattern").and_then(Json::as_str) else {
            return;
        };
        let (words, empty) = if let Some(w) = pattern
            .strip_prefix("^(")
            .and_then(|p| p.strip_suffix(")?$"))
        {
            (w, true)
        } else if let Some(w) = pattern
            .strip_prefix("^(")
            .and_then(|p| p.strip_suffix(")$"))
        {
            (w, false)
        } else {
            return;
        };
        let words: Vec<&str> = words.split('|').collect();
        let plain = |w: &&str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if !words.iter().all(plain) {
            return;
        }
        let mut values: Vec<Json> = words.iter().map(|w| Json::from(*w)).collect();
        if empty {
            values.push(Json::from(""));
        }
        // A nullable string (`type: [string, null]`) keeps null allowed.
        if schema.get("type").is_some_and(Json::is_array) {
            values.push(Json::Null);
        }
        schema.remove("pattern");
        schema.insert("enum".into(), Json::Array(values));
    });
}

/// OpenAPI requires a description on every response, and generators
/// (openapi-python-client) refuse a document without one: a response its
/// handler lists without words gets the common one or the status's name.
fn describe_responses(operation: &mut Operation, common: &[(&str, &str)]) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if response.description.is_empty() {
            response.description = common
                .iter()
                .find(|(s, _)| s == status)
                .map(|(_, d)| d.to_string())
                .or_else(|| {
                    let code = axum::http::StatusCode::from_u16(status.parse().ok()?).ok()?;
                    code.canonical_reason().map(str::to_string)
                })
                .unwrap_or_else(|| status.clone());
        }
    }
}

/// Complete the generated document: precise list parameters and the statuses
/// of [`common_statuses`] on every operation that does not declare them itself
/// (an operation's own description wins).
pub fn complete(doc: &mut Document) {
    declare_work_order_actions(doc);
    open_flattened_parts(doc);
    patterns_as_enums(doc);
    for (path, operation) in operations_mut(doc) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter {
                refine_parameter(path, parameter);
            }
        }
        let common = common_statuses(path, operation);
        describe_responses(operation, &common);
        for (status, description) in common {
            operation
                .responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| error_response(description));
        }
    }
}
