//! Code lists (QC-1) on every backend: the lists with their versions, an
//! upload adding a version, who may change them, and refreshing from a
//! source URL — on demand and on its cron minute, a new version only when the
//! content changed, destinations refused unless the security admin's
//! outbound allowlist admits them.

mod common;

use common::monitoring::allow_webhooks_to;
use common::{Client, TestApp};
use govpulse_server::quality::code_list_refresh::refresh_due;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const LISTS: &str = "/api/v1/quality/code-lists";
const MODES: &str = "/api/v1/quality/code-lists/handling_mode";

/// The built-in 办理形式 list as a file.
const BUILTIN: &str =
    "code,name\n1,窗口办理\n2,电脑端网上办理\n3,移动端网上申请\n4,快递申请\n9,其他\n";

/// What the source answers: a status and a body, changed by the test.
type Answer = Arc<Mutex<(u16, String)>>;

/// A source on a free local port; returns its port and its answer.
async fn source(csv: &str) -> (u16, Answer) {
    let answer: Answer = Arc::new(Mutex::new((200, csv.to_string())));
    let served = answer.clone();
    let app = axum::Router::new().route(
        "/codes.csv",
        axum::routing::get(move || {
            let served = served.clone();
            async move {
                let (status, body) = served.lock().unwrap().clone();
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [("content-type", "text/csv; charset=utf-8")],
                    body,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (port, answer)
}

async fn ok(client: &Client, path: &str) -> Value {
    let (status, body) = client.get(path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

fn versions(detail: &Value) -> Vec<i64> {
    detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn lists_show_their_versions_and_only_source_admins_change_them() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;

        let lists = ok(&chaoyang, LISTS).await;
        let codes: Vec<&str> = lists
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["handling_mode", "applicant_type", "channel"],
            "{label}"
        );
        assert_eq!(lists[0]["entry_count"], 5);
        assert_eq!(lists[0]["editable"], true);
        assert_eq!(
            lists[1]["entries"][0],
            json!({"code": "person", "name": "自然人"})
        );
        assert_eq!(lists[2]["entry_count"], 6);
        assert_eq!(lists[0]["source_url"], Value::Null);

        let (status, body) = admin
            .post_csv(MODES, "code,name\n1,窗口办理\n7,自助终端\n")
            .await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {body}");
        assert_eq!(
            (body["version"].clone(), body["entry_count"].clone()),
            (json!(1), json!(2))
        );
        let detail = ok(&chaoyang, MODES).await;
        assert_eq!(versions(&detail), [1, 0], "{label}: {detail}");
        assert_eq!(detail["versions"][0]["entries"][1]["name"], "自助终端");
        assert_eq!(detail["versions"][0]["source"], "file");
        assert_eq!(detail["versions"][0]["created_by"], "admin");
        assert_eq!(
            detail["versions"][1]["entries"][0]["name"], "窗口办理",
            "built in, kept"
        );

        // A district operator reads the lists but changes nothing.
        let set = json!({"source_url": "https://codes.example.gov.cn/modes.csv"});
        for (status, body) in [
            chaoyang.post_csv(MODES, BUILTIN).await,
            chaoyang.put(&format!("{MODES}/source"), set.clone()).await,
            chaoyang.post(&format!("{MODES}/refresh"), json!({})).await,
        ] {
            assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {body}");
            assert!(
                body["code"].is_string() && body["message"].is_string(),
                "{body}"
            );
        }
        // The lists intake validates itself cannot be changed here.
        let (status, body) = admin
            .post_csv(&format!("{LISTS}/channel"), "code,name\nfax,传真\n")
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{label}: {body}");
        assert_eq!(body["code"], "quality.code_list_fixed");
        let (status, _) = admin.get(&format!("{LISTS}/nope")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Refreshing needs a source.
        let (status, body) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{label}: {body}");
        assert_eq!(body["code"], "quality.no_source");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_list_refreshes_from_its_source_only_when_it_changed() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let (port, answer) = source(BUILTIN).await;
        let url = format!("http://127.0.0.1:{port}/codes.csv");
        allow_webhooks_to(&app, &["127.0.0.1"]).await;

        for (body, field) in [
            (
                json!({"source_url": "ftp://127.0.0.1/codes.csv"}),
                "source_url",
            ),
            (json!({"source_url": url, "schedule": "每天"}), "schedule"),
            (json!({"schedule": "0 3 * * *"}), "schedule"),
        ] {
            let (status, answer) = admin.put(&format!("{MODES}/source"), body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {answer}");
            assert!(answer["details"]["fields"][field].is_string(), "{answer}");
        }
        let (status, list) = admin
            .put(
                &format!("{MODES}/source"),
                json!({"source_url": url, "schedule": "0 3 * * *"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {list}");
        assert_eq!(
            (list["source_url"].clone(), list["schedule"].clone()),
            (json!(url), json!("0 3 * * *"))
        );

        // The source holds the built-in entries: nothing new.
        let (status, list) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {list}");
        assert_eq!(list["version"], 0, "{label}: {list}");
        assert_eq!(list["last_refresh"]["outcome"], "unchanged");

        // Changed: a new version, once.
        answer.lock().unwrap().1 = format!("{BUILTIN}7,自助终端\n");
        let (_, list) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(
            (list["version"].clone(), list["entry_count"].clone()),
            (json!(1), json!(6)),
            "{label}: {list}"
        );
        assert_eq!(list["last_refresh"]["outcome"], "ok");
        assert_eq!(list["source"], json!(url));
        let (_, list) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(list["version"], 1, "{label}: unchanged again");
        assert_eq!(list["last_refresh"]["outcome"], "unchanged");

        // On its cron minute (03:00 Shanghai), once per minute, as the system.
        answer.lock().unwrap().1 = "code,name\n1,窗口办理\n2,网上办理\n".to_string();
        let three = govpulse_core::time::parse_rfc3339("2026-12-05T03:00:10+08:00").unwrap();
        assert!(refresh_due(&app.state, three - 3_600_000)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            refresh_due(&app.state, three).await.unwrap(),
            ["handling_mode"],
            "{label}"
        );
        assert!(
            refresh_due(&app.state, three + 20_000)
                .await
                .unwrap()
                .is_empty(),
            "once a minute"
        );
        let detail = ok(&admin, MODES).await;
        assert_eq!(versions(&detail), [2, 1, 0], "{label}: {detail}");
        assert_eq!(detail["versions"][0]["created_by"], "system");
        assert_eq!(detail["entries"][1]["name"], "网上办理");

        // A source that fails: the error is answered and shown beside the list.
        answer.lock().unwrap().0 = 500;
        let (status, body) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{label}: {body}");
        assert_eq!(body["code"], "quality.refresh_failed");
        assert!(
            body["message"].as_str().unwrap().contains("HTTP 500"),
            "{body}"
        );
        answer.lock().unwrap().0 = 200;
        answer.lock().unwrap().1 = "code,name\n1,a\n1,b\n".to_string();
        let (status, body) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{label}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("来源文件有误"),
            "{body}"
        );
        let lists = ok(&admin, LISTS).await;
        assert_eq!(lists[0]["version"], 2, "a failed refresh changes nothing");
        assert_eq!(lists[0]["last_refresh"]["outcome"], "error", "{lists}");
        assert!(lists[0]["last_refresh"]["message"]
            .as_str()
            .unwrap()
            .contains("来源文件有误"));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn sources_off_the_allowlist_are_refused() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let (port, _) = source(BUILTIN).await;

        // Nothing listed: a loopback source is refused when it is set.
        let url = format!("http://127.0.0.1:{port}/codes.csv");
        let (status, body) = admin
            .put(&format!("{MODES}/source"), json!({ "source_url": url }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let reason = body["details"]["fields"]["source_url"].as_str().unwrap();
        assert!(reason.contains("白名单"), "{label}: {reason}");

        // A listed name that resolves to a loopback address is refused when
        // the refresh connects, and the refusal is recorded.
        allow_webhooks_to(&app, &["localhost"]).await;
        let url = format!("http://localhost:{port}/codes.csv");
        let (status, body) = admin
            .put(&format!("{MODES}/source"), json!({ "source_url": url }))
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let (status, body) = admin.post(&format!("{MODES}/refresh"), json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let reason = body["details"]["fields"]["source_url"].as_str().unwrap();
        assert!(reason.contains("内部地址"), "{label}: {reason}");
        let lists = ok(&admin, LISTS).await;
        assert_eq!(lists[0]["last_refresh"]["outcome"], "error", "{lists}");
        assert_eq!(lists[0]["version"], 0);
        app.cleanup().await;
    }
}
