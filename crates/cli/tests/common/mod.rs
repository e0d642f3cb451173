//! Running the real binary in tests.
#![allow(dead_code)]

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run a subcommand; the database URL comes from the environment, as the
/// contract allows.
pub fn govpulse(args: &[&str], database: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govpulse"))
        .args(args)
        .env("GOVPULSE_DATABASE_URL", database)
        .output()
        .expect("run govpulse")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A `govpulse serve` process on a free loopback port.
pub struct Server {
    pub base: String,
    port: u16,
    database: String,
    pub child: Child,
}

impl Server {
    pub fn start(database: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Self::spawn(database, port);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            database: database.to_string(),
            child,
        }
    }

    fn spawn(database: &str, port: u16) -> Child {
        Command::new(env!("CARGO_BIN_EXE_govpulse"))
            .args([
                "serve",
                "--database",
                database,
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn govpulse serve")
    }

    /// Start again on the same port and database (after a kill).
    pub fn restart(&mut self) {
        self.child = Self::spawn(&self.database, self.port);
    }

    /// Wait until `/readyz` answers; returns how long that took.
    pub async fn wait_ready(&self) -> Duration {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = reqwest::get(format!("{}/readyz", self.base)).await {
                if r.status().is_success() {
                    return started.elapsed();
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server at {} never became ready", self.base);
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}
