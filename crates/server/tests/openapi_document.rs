//! The committed OpenAPI document (web/src/api/openapi.json), from which the
//! web client's types and the Python client are generated, is the server's:
//! a schema change fails here until `make api-types` regenerates both, and the
//! web type check then shows every page it breaks.

#[test]
fn committed_document_is_the_servers() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/src/api/openapi.json"
    );
    let committed = std::fs::read_to_string(path).expect("web/src/api/openapi.json is committed");
    let live = govpulse_server::openapi()
        .to_pretty_json()
        .expect("the document serialises");
    assert!(
        committed.trim_end() == live.trim_end(),
        "web/src/api/openapi.json differs from the server's document: run `make api-types` \
         and fix what `npm --prefix web run typecheck` then reports"
    );
}
