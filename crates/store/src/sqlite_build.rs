//! SQLite as the store runs it: built without the process-wide locks that
//! serialise concurrent readers, and with a memory map that can cover a
//! database of 10,000,000 cases (`.cargo/config.toml`). A build that loses the
//! flags still works, only at half the speed of concurrent reads (BENCHMARKS.md,
//! "Evaluation and quality runs at scale"), so a test says so.

#[tokio::test]
async fn sqlite_is_built_without_global_locks_and_maps_four_gib() {
    let db = crate::fresh_sqlite::FreshSqlite::open("sqlite-build").await;
    let store = &db.store;
    let (options, mmap): (Vec<String>, i64) = on_read!(store, pool => {
        let options = sqlx::query_scalar("PRAGMA compile_options")
            .fetch_all(pool)
            .await
            .expect("compile options");
        let mmap = sqlx::query_scalar("PRAGMA mmap_size")
            .fetch_one(pool)
            .await
            .expect("mmap size");
        (options, mmap)
    });
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "one page-cache lock for every connection: {options:?}"
    );
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "a lock around every allocation: {options:?}"
    );
    assert!(
        options.iter().any(|o| o == "MAX_MMAP_SIZE=1099511627776"),
        "the memory map is capped: {options:?}"
    );
    assert_eq!(mmap, 4_294_967_296, "the readers map 4 GiB");
    db.close().await;
}
