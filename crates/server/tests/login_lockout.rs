//! The lockout holds under parallel guessing (issue 11, High-1), on every backend.

mod common;

use common::TestApp;
use govpulse_store::testing::TestDb;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn parallel_guesses_cannot_slip_the_right_password_past_the_lock() {
    for db in TestDb::all().await {
        // Enough login places that all 15 attempts are checked at once (the
        // default 8 would queue the last ones behind the first failures).
        let app = TestApp::with(db, |config| config.logins_in_flight = 32).await;
        let mut attempts = Vec::new();
        for n in 0..15 {
            let password = if n == 14 {
                "Haidian@123"
            } else {
                "Wrong#Pass123"
            };
            let mut client = app.anonymous();
            attempts.push(tokio::spawn(async move {
                client.login("haidian", password).await
            }));
            // Closer than a hash takes: every attempt is in flight before
            // the first failure is counted.
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let mut answers = Vec::new();
        for attempt in attempts {
            answers.push(attempt.await.expect("login task"));
        }
        let (right_status, right_body) = answers.last().expect("15 answers");
        assert_eq!(
            *right_status,
            StatusCode::LOCKED,
            "{}: the right password after 14 parallel wrong ones: {right_body}",
            app.label()
        );
        assert_eq!(right_body["code"], "auth.locked");
        let wrong_accepted = answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::OK)
            .count();
        assert_eq!(wrong_accepted, 0, "no session was handed out");
        let user = app
            .db
            .store
            .find_user_by_username("haidian")
            .await
            .expect("read user")
            .expect("haidian exists");
        assert!(
            user.failed_attempts > 0,
            "the failure count is not reset by the refused right password"
        );
        assert!(user
            .locked_until
            .is_some_and(|t| t > govpulse_core::time::now_ms()));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_right_password_after_four_failures_still_logs_in() {
    for app in TestApp::all().await {
        let mut client = app.anonymous();
        for _ in 0..4 {
            assert_eq!(
                client.login("haidian", "Wrong#Pass123").await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        let (status, body) = client.login("haidian", "Haidian@123").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label());
        let user = app
            .db
            .store
            .find_user_by_username("haidian")
            .await
            .expect("read user")
            .expect("haidian exists");
        assert_eq!(user.failed_attempts, 0);
        app.cleanup().await;
    }
}
