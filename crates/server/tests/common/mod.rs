//! Test harness: the real application on a random port, backed by a throwaway
//! database, seeded with the demo organisation and accounts.
#![allow(dead_code)]

pub mod aggregation;
pub mod evaluation;
pub mod exports;
pub mod monitoring;

use govpulse_server::{seed, AppState, ServerConfig};
use govpulse_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub state: AppState,
}

impl TestApp {
    /// One app per available backend (SQLite always; PostgreSQL when reachable).
    pub async fn all() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for db in TestDb::all().await {
            apps.push(Self::on(db).await);
        }
        apps
    }

    pub async fn on(db: TestDb) -> TestApp {
        Self::with(db, |_| {}).await
    }

    /// An app whose configuration `adjust` changes from the tests' default.
    pub async fn with(db: TestDb, adjust: impl FnOnce(&mut ServerConfig)) -> TestApp {
        let state = state_for(&db, adjust).await;
        govpulse_server::monitoring::start(&state)
            .await
            .expect("monitoring");
        govpulse_server::exports::start(&state)
            .await
            .expect("exports");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = govpulse_server::router(state.clone());
        let header_timeout = std::time::Duration::from_secs(state.config.header_read_timeout_secs);
        // The server's own accept loop (timeouts, peer addresses), never drained.
        tokio::spawn(govpulse_server::listen::serve_connections(
            listener,
            app,
            header_timeout,
            std::future::pending(),
        ));
        TestApp {
            base: format!("http://{addr}"),
            db,
            state,
        }
    }

    pub fn label(&self) -> String {
        format!("{:?}", self.db.backend)
    }

    /// A client with its own cookie jar, not logged in.
    pub fn anonymous(&self) -> Client {
        Client::to(&self.base)
    }

    /// A logged-in client; panics if login fails.
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let mut client = self.anonymous();
        let (status, body) = client.login(username, password).await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        client
    }

    pub async fn admin(&self) -> Client {
        self.login("admin", "Admin@12345").await
    }

    pub async fn cleanup(self) {
        self.db.cleanup().await;
        let _ = std::fs::remove_dir_all(&self.state.config.export_dir);
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub cookie: Option<String>,
}

impl Client {
    /// A client of the server at `base`, with its own cookie jar, not logged in.
    pub fn to(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            base: base.to_string(),
            csrf: None,
            cookie: None,
        }
    }

    pub async fn login(&mut self, username: &str, password: &str) -> (StatusCode, Value) {
        let body = serde_json::json!({ "username": username, "password": password });
        let response = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&body)
            .send()
            .await
            .expect("login request");
        let status = response.status();
        self.cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(String::from)
            .or(self.cookie.take());
        let value: Value = response.json().await.unwrap_or(Value::Null);
        if status == StatusCode::OK {
            self.csrf = value["csrf_token"].as_str().map(String::from);
        }
        (status, value)
    }

    /// Send a request with the session's CSRF token on writes.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path));
        if method != Method::GET {
            if let Some(csrf) = &self.csrf {
                request = request.header("x-csrf-token", csrf);
            }
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }

    /// POST a CSV file as the body (with the session's CSRF token).
    pub async fn post_csv(&self, path: &str, csv: &str) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "text/csv")
            .body(csv.to_string());
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or_default())
    }
}

/// Seeded data and the state of an app on `db` (`adjust` changes the
/// configuration), without starting anything.
pub async fn state_for(db: &TestDb, adjust: impl FnOnce(&mut ServerConfig)) -> AppState {
    // Server errors are logged through tracing: show them with the test output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "error".into()))
        .with_test_writer()
        .try_init();
    seed::builtin_seed(&db.store).await.expect("built-in data");
    seed::organisation_seed(&db.store, &seed::city::BEIJING)
        .await
        .expect("organisation");
    seed::demo_accounts(&db.store, &seed::city::BEIJING)
        .await
        .expect("accounts");
    let mut config = ServerConfig {
        login_rate_per_minute: 10_000,
        intake_rate_per_minute: 10_000,
        export_dir: std::env::temp_dir()
            .join(format!("govpulse-exports-{}", random_hex()))
            .to_string_lossy()
            .into_owned(),
        ..ServerConfig::default()
    };
    adjust(&mut config);
    let mut secret = [0u8; 64];
    getrandom::fill(&mut secret).expect("randomness");
    let vault = govpulse_server::aggregation::vault::IdentityVault::from_secret(&secret);
    AppState::new(db.store.clone(), config, vault)
}

fn random_hex() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A user-creation body with a policy-compliant password.
pub fn new_user(
    username: &str,
    role: &str,
    kind: &str,
    region: Option<&str>,
    department: Option<&str>,
) -> Value {
    serde_json::json!({
        "username": username,
        "display_name": format!("测试{username}"),
        "password": "Init#Passw0rd",
        "roles": [role],
        "scope": { "kind": kind, "region_code": region, "department_code": department },
    })
}

/// Create a user as `admin` and return its id.
pub async fn create_user(admin: &Client, body: Value) -> i64 {
    let (status, created) = admin.post("/api/v1/users", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().expect("id")
}
