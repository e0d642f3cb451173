//! Slow clients (issue 11, Low: "no header/body read timeouts"): a client that
//! trickles its request head (slowloris) is disconnected once
//! `header_read_timeout_secs` have passed, and a body that stops arriving is
//! cut after `body_read_timeout_secs`; ordinary requests are unaffected.

mod common;

use common::TestApp;
use govpulse_store::testing::TestDb;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server whose read timeouts are one second.
async fn impatient_app() -> TestApp {
    let db = TestDb::all().await.into_iter().next().expect("a database");
    TestApp::with(db, |c| {
        c.header_read_timeout_secs = 1;
        c.body_read_timeout_secs = 1;
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Read until a whole response head arrived, the server closed the
/// connection or `limit` passed; what was read.
async fn response_head(stream: &mut TcpStream, limit: Duration) -> String {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buffer = [0_u8; 4096];
    while started.elapsed() < limit && !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&seen).into()
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_disconnected_after_the_header_timeout() {
    let app = impatient_app().await;
    let mut slow = connect(&app).await;
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("write");
    // One more header line every 300 ms, never the blank line that ends them.
    let mut closed_at = None;
    for i in 0..20 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if slow
            .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
            .await
            .is_err()
        {
            closed_at = Some(started.elapsed());
            break;
        }
        let mut probe = [0_u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(1), slow.read(&mut probe)).await
        {
            closed_at = Some(started.elapsed());
            break;
        }
    }
    let closed_at = closed_at.expect("the trickling client was never disconnected");
    assert!(
        closed_at >= Duration::from_millis(900) && closed_at < Duration::from_millis(2500),
        "disconnected after {closed_at:?}"
    );

    // A client that sends its request at once is answered as always.
    let mut quick = connect(&app).await;
    quick
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let answer = response_head(&mut quick, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_after_the_body_timeout() {
    let app = impatient_app().await;
    let mut slow = connect(&app).await;
    let started = Instant::now();
    // Announces 1000 bytes, sends 10, then nothing.
    slow.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"username",
    )
    .await
    .expect("write");
    let answer = response_head(&mut slow, Duration::from_secs(4)).await;
    let elapsed = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "refused, not left waiting: {answer:?} after {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_millis(3500),
        "answered after {elapsed:?}: {answer:?}"
    );
    app.cleanup().await;
}
