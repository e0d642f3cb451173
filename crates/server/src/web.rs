//! The web UI, built by Vite into `web/dist` and embedded into the binary.
//! Unknown paths outside `/api` fall back to `index.html` (client-side routing).

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
struct Assets;

/// The UI's content security policy. Element Plus sets inline styles;
/// scripts come only from us.
const UI_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; \
     frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Headers of an embedded file: its type, caching, and the CSP on every HTML
/// page — `/index.html` asked for by name too, not only the fallback.
fn asset_headers(path: &str) -> Vec<(header::HeaderName, String)> {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Vite fingerprints everything under assets/, so it can be cached for good.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let html = mime.essence_str() == "text/html";
    let content_type = if html {
        "text/html; charset=utf-8".to_string()
    } else {
        mime.as_ref().to_string()
    };
    let mut headers = vec![
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, cache.to_string()),
    ];
    if html {
        headers.push((header::CONTENT_SECURITY_POLICY, UI_CSP.to_string()));
    }
    headers
}

fn with_headers(headers: Vec<(header::HeaderName, String)>, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    for (name, value) in headers {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

pub async fn serve_asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "接口不存在")
            .into_response();
    }
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        return with_headers(asset_headers(path), file.data.into_owned());
    }
    match Assets::get("index.html") {
        Some(index) => with_headers(asset_headers("index.html"), index.data.into_owned()),
        None => (
            StatusCode::NOT_FOUND,
            "web UI not built: run `make build` (or `npm --prefix web run build`)",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csp_of(path: &str) -> Option<String> {
        asset_headers(path)
            .into_iter()
            .find(|(name, _)| name == header::CONTENT_SECURITY_POLICY)
            .map(|(_, value)| value)
    }

    #[test]
    fn every_html_page_carries_the_csp() {
        assert_eq!(csp_of("index.html").as_deref(), Some(UI_CSP));
        assert!(csp_of("assets/index-abc123.js").is_none());
        let html = asset_headers("index.html");
        assert!(html.contains(&(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string())));
    }
}
