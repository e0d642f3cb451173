//! Feed health and manifests (issue 14 item 6): what each source sent per day
//! (the reconciliation counts), what it declared it sent, and the
//! `feed_silent` warnings a sweep keeps in step with the feeds' states.

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};
use crate::monitoring::standalone::{
    active_standalone_warnings, close_standalone_warnings, raise_standalone_warning,
    StandaloneWarning,
};

/// The rule code of feed warnings.
pub const FEED_RULE: &str = "feed_silent";
/// The warning subject of a feed.
pub fn feed_subject(source: &str, kind: &str) -> String {
    format!("f:{source}|{kind}")
}

/// Receipts of one (source, kind) on one day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedDayRow {
    pub source: String,
    pub kind: String,
    /// `YYYY-MM-DD` (Asia/Shanghai).
    pub day: String,
    pub received: i64,
    pub last_received_at: Option<i64>,
}

/// `(source, kind, first day with receipts, last receipt)` of a feed.
pub type FeedSpan = (String, String, String, Option<i64>);

/// What a source declares it sent of a kind on a day.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub source: String,
    pub kind: String,
    pub day: String,
    pub count: i64,
}

/// The warning a feed should have now: `None` level = none (close it).
#[derive(Debug, Clone)]
pub struct FeedWarning {
    pub source: String,
    pub kind: String,
    /// `yellow` (late) or `red` (silent); `None` when the feed is well.
    pub level: Option<&'static str>,
    pub title: String,
    pub body: String,
}

impl Store {
    /// Receipts per (source, kind, day) of the given sources from `from_day`
    /// on, and each (source, kind)'s first day with receipts and last receipt
    /// (any time).
    pub async fn feed_days(
        &self,
        sources: &[&str],
        from_day: &str,
    ) -> StoreResult<(Vec<FeedDayRow>, Vec<FeedSpan>)> {
        if sources.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut days = crate::db::Sql::new(
            "SELECT source, kind, day, received, last_received_at FROM intake_stats WHERE received > 0 AND day >= ",
        );
        days.bind_text(from_day)
            .push(" AND source IN ")
            .push_list(sources.iter().copied());
        let mut firsts = crate::db::Sql::new(
            "SELECT source, kind, MIN(day), MAX(last_received_at) FROM intake_stats WHERE received > 0 AND source IN ",
        );
        firsts
            .push_list(sources.iter().copied())
            .push(" GROUP BY source, kind");
        Ok((
            fetch_dynamic!(self, FeedDayRow, &days)?,
            fetch_dynamic!(self, FeedSpan, &firsts)?,
        ))
    }

    /// Record manifests (a resent manifest replaces the day's declared count),
    /// with one audit row, in one transaction.
    pub async fn record_manifests(
        &self,
        manifests: &[Manifest],
        now_ms: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            for m in manifests {
                sqlx::query(
                    "INSERT INTO intake_stats (day, source, kind, received, accepted, duplicates, rejected,
                        rejected_by_code, corrected, declared, declared_at)
                     VALUES ($1, $2, $3, 0, 0, 0, 0, '{}', 0, $4, $5)
                     ON CONFLICT (day, source, kind) DO UPDATE SET declared = excluded.declared,
                        declared_at = excluded.declared_at",
                )
                .bind(&m.day)
                .bind(&m.source)
                .bind(&m.kind)
                .bind(m.count)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// Bring the `feed_silent` warnings in step with `wanted`: raise a warning
    /// for a feed that has none active, raise it again when its level changed,
    /// close it when the feed is well. The warnings belong to the city
    /// (`region`): only users whose scope covers it are told. Returns
    /// `(raised, closed)`.
    pub async fn sync_feed_warnings(
        &self,
        wanted: &[FeedWarning],
        region: &str,
        now_ms: i64,
    ) -> StoreResult<(u64, u64)> {
        let users = self.recipients().await?;
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let active = active_standalone_warnings!(tx, FEED_RULE);
            let (mut raised, mut closed) = (0, 0);
            for feed in wanted {
                let subject = feed_subject(&feed.source, &feed.kind);
                let current = active.iter().find(|(s, ..)| *s == subject);
                match (feed.level, current) {
                    (None, Some((_, _, status))) if status != "false_positive" => {
                        close_standalone_warnings!(tx, &subject, "数据已恢复接收", now_ms, "system");
                        closed += 1;
                    }
                    (Some(level), current) => {
                        let action = match current {
                            // A false positive stays dismissed; same level: nothing new to say.
                            Some((_, old, status)) if status == "false_positive" || old == level => continue,
                            Some(_) => "escalated",
                            None => "raised",
                        };
                        let (rank, name, colour) = match level {
                            "red" => (2, "红灯", "#F56C6C"),
                            _ => (1, "黄灯", "#E6A23C"),
                        };
                        let reference = format!("{}/{}", feed.source, feed.kind);
                        let warning = StandaloneWarning {
                            rule: FEED_RULE,
                            subject: &subject,
                            reference: &reference,
                            stage: "intake",
                            district: region,
                            region,
                            department: "",
                            item: "",
                            level,
                            level_rank: rank,
                            level_name: name,
                            colour,
                            handling_hours: 8,
                            action,
                            title: format!("【{name}】{}", feed.title),
                            body: feed.body.clone(),
                        };
                        raise_standalone_warning!(pool, tx, &users, &warning, now_ms);
                        raised += 1;
                    }
                    _ => {}
                }
            }
            tx.commit().await?;
            (raised, closed)
        }))
    }
}
