//! Bad input gets a clear, stable error and changes nothing (SEC-4).

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn raw_post(
    app: &TestApp,
    client: &common::Client,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let response = client
        .http
        .post(format!("{}{path}", app.base))
        .header("x-csrf-token", client.csrf.clone().unwrap_or_default())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn malformed_mistyped_unknown_and_oversized_bodies_are_refused() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let (_, before) = admin.get("/api/v1/users").await;
        let path = "/api/v1/users";
        let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
            ("application/json", b"{\"username\": ".to_vec(), StatusCode::BAD_REQUEST, "request.invalid_json"),
            ("application/json", b"not json at all".to_vec(), StatusCode::BAD_REQUEST, "request.invalid_json"),
            (
                "application/json",
                json!({"username": 42, "display_name": "x", "password": "Init#Passw0rd", "roles": ["city_operator"], "scope": {"kind": "city", "region_code": "110000"}}).to_string().into_bytes(),
                StatusCode::BAD_REQUEST,
                "request.invalid",
            ),
            (
                "application/json",
                json!({"username": "extra1", "display_name": "x", "password": "Init#Passw0rd", "roles": ["city_operator"], "scope": {"kind": "city", "region_code": "110000"}, "is_superuser": true}).to_string().into_bytes(),
                StatusCode::BAD_REQUEST,
                "request.invalid",
            ),
            ("application/json", json!({"username": "nofields"}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "request.invalid"),
            ("text/plain", b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type"),
            ("application/json", vec![b' '; 2 * 1024 * 1024], StatusCode::PAYLOAD_TOO_LARGE, "request.too_large"),
        ];
        for (content_type, body, status, code) in cases {
            let (got, error) = raw_post(&app, &admin, path, content_type, body).await;
            assert_eq!(got, status, "{}: {error}", app.label());
            assert_eq!(error["code"], code, "{error}");
            assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let (_, after) = admin.get("/api/v1/users").await;
        assert_eq!(before["total"], after["total"], "nothing was written");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn validation_errors_name_the_field_and_write_nothing() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let base = || {
            json!({
                "username": "valid_name", "display_name": "张三", "password": "Init#Passw0rd",
                "roles": ["district_operator"], "scope": {"kind": "region", "region_code": "110105"}
            })
        };
        let mut cases = Vec::new();
        let mut body = base();
        body["username"] = json!("x'; DROP TABLE users;--");
        cases.push((body, "request.invalid", "username"));
        let mut body = base();
        body["password"] = json!("short");
        cases.push((body, "auth.weak_password", "password"));
        let mut body = base();
        body["roles"] = json!(["no_such_role"]);
        cases.push((body, "request.invalid", "roles"));
        let mut body = base();
        body["scope"] = json!({"kind": "region", "region_code": "999999"});
        cases.push((body, "request.invalid", "scope"));
        let mut body = base();
        body["display_name"] = json!("");
        cases.push((body, "request.invalid", "display_name"));
        for (body, code, field) in cases {
            let (status, error) = admin.post("/api/v1/users", body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {error}", app.label());
            assert_eq!(error["code"], code, "{error}");
            assert!(error["details"]["fields"][field].is_string(), "{error}");
        }
        let (_, users) = admin.get("/api/v1/users?q=valid_name").await;
        assert_eq!(users["total"], 0);

        // Query strings are validated too, and user text in filters is literal.
        let (status, error) = admin.get("/api/v1/users?page=abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["code"], "request.invalid");
        let (status, users) = admin.get("/api/v1/users?q=%25").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(users["total"], 0, "% is not a wildcard");
        let (status, users) = admin.get("/api/v1/users?q=%27%20OR%201%3D1--").await;
        assert_eq!((status, users["total"].clone()), (StatusCode::OK, json!(0)));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404_and_ops_endpoints_work() {
    let app = TestApp::on(govpulse_store::testing::TestDb::sqlite().await).await;
    let client = app.anonymous();
    let (status, error) = client.get("/api/v1/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "not_found");
    let (status, _) = client.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = client.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, metrics) = client.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(metrics.as_str().unwrap().contains("http_requests_total"));
    let (status, spec) = client.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/auth/login",
        "/api/v1/users",
        "/api/v1/departments",
        "/api/v1/audit/verify",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }
    // Generated clients follow the document: a parameter declared `in: path`
    // must be in the path template, and a list's `size` carries its bound.
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            // Every status the server may send is declared, with the error body.
            let responses = &operation["responses"];
            let mut expected = vec!["400", "429", "503", "504"];
            if !path.starts_with("/api/v1/public/") && path != "/api/v1/auth/login" {
                expected.extend(["401", "403"]);
            }
            if path.contains('{') {
                expected.push("404");
            }
            for status in expected {
                assert!(
                    responses[status].is_object(),
                    "{method} {path}: {status} not declared"
                );
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if parameter["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: `{name}` is not in the path"
                    );
                }
                if name == "size" {
                    assert_eq!(
                        parameter["schema"]["maximum"], 500,
                        "{method} {path}: size bound"
                    );
                }
            }
        }
    }
    let deadline = &spec["paths"]["/api/v1/calendar/deadline"]["get"]["parameters"];
    let start = deadline
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "start")
        .unwrap();
    assert_eq!(
        (start["in"].as_str(), start["required"].as_bool()),
        (Some("query"), Some(true))
    );
    let response = reqwest::get(format!("{}/api/docs/", app.base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("swagger"));
    app.cleanup().await;
}

#[tokio::test]
async fn the_calendar_answers_deadline_questions() {
    let app = TestApp::on(govpulse_store::testing::TestDb::sqlite().await).await;
    let client = app.login("city", "City@12345").await;
    let (status, answer) = client
        .get("/api/v1/calendar/deadline?start=2026-02-13T16:00:00%2B08:00&days=3&unit=working")
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["deadline"], "2026-02-25T23:59:59+08:00");
    assert_eq!(
        answer["working_days"],
        json!(["2026-02-14", "2026-02-24", "2026-02-25"])
    );
    let (_, natural) = client
        .get("/api/v1/calendar/deadline?start=2026-09-28&days=5&unit=natural")
        .await;
    assert_eq!(natural["deadline"], "2026-10-08T23:59:59+08:00");
    let (status, error) = client
        .get("/api/v1/calendar/deadline?start=soon&days=3")
        .await;
    assert_eq!(
        (status, error["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("request.invalid"))
    );
    let (status, _) = app
        .anonymous()
        .get("/api/v1/calendar/deadline?start=2026-02-13&days=3")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.cleanup().await;
}

#[tokio::test]
async fn refusals_made_before_a_handler_runs_are_json_too() {
    let app = TestApp::on(govpulse_store::testing::TestDb::sqlite().await).await;
    let city = app.login("city", "City@12345").await;
    // A path segment that does not parse, a method the route lacks.
    let (status, error) = city.get("/api/v1/exports/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["code"], "request.invalid");
    assert!(error["details"]["reason"].is_string(), "{error}");
    let response = city
        .http
        .delete(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.headers().contains_key("allow"));
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["code"], "request.method_not_allowed");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    app.cleanup().await;
}

#[tokio::test]
async fn metrics_answer_this_machine_or_the_metrics_token_only() {
    let db = govpulse_store::testing::TestDb::sqlite().await;
    let app = TestApp::with(db, |config| {
        config.metrics_loopback = false;
        config.metrics_token = Some("scrape-7f3a".into());
    })
    .await;
    let url = format!("{}/metrics", app.base);
    let http = reqwest::Client::new();
    let refused = http.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let wrong = http
        .get(&url)
        .bearer_auth("scrape-0000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let scraped = http
        .get(&url)
        .bearer_auth("scrape-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(scraped
        .text()
        .await
        .unwrap()
        .contains("http_requests_total"));
    app.cleanup().await;
}

/// utoipa names a schema after its type and keeps one of two types of the same
/// name, so a clash makes the document describe one body with the other's
/// fields. Every documented type needs its own name (`#[schema(as = …)]`).
#[test]
fn every_documented_type_has_its_own_schema_name() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let mut documented = false;
        let mut renamed: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                documented = true;
                renamed = None;
            } else if let Some(name) = line.strip_prefix("#[schema(as = ") {
                renamed = name.strip_suffix(")]").map(String::from);
            } else if documented
                && (line.starts_with("pub struct ") || line.starts_with("pub enum "))
            {
                let type_name = line.split_whitespace().nth(2).unwrap_or_default();
                let type_name = type_name.split(['<', '{', '(']).next().unwrap_or_default();
                let name = renamed.take().unwrap_or_else(|| type_name.to_string());
                let place = format!("{}: {type_name}", file.display());
                if let Some(other) = seen.insert(name.clone(), place.clone()) {
                    panic!("schema name {name} is used by {other} and {place}");
                }
                documented = false;
            }
        }
    }
    assert!(seen.len() > 100, "found {} documented types", seen.len());
}
