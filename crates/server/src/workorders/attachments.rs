//! Work-order attachments: one file per multipart upload, at most 20 MiB,
//! PDF, images, Office documents or OFD (checked by extension *and* content),
//! stored content-addressed by SHA-256; downloads are always
//! `Content-Disposition: attachment` with the type the server assigned.

use super::orders::{AttachmentView, READ};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiBytes;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use govpulse_core::time::now_ms;
use govpulse_store::workorders::NewAttachment;
use sha2::{Digest, Sha256};

/// Largest attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// The upload body: one file plus the multipart framing.
pub const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// How a file's first bytes must look.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Magic {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Bmp,
    /// ZIP container: OOXML, OFD.
    Zip,
    /// OLE2 compound file: legacy Office.
    Ole,
}

/// Allowed extensions, the content type served and the content expected.
const ALLOWED: &[(&str, &str, Magic)] = &[
    ("pdf", "application/pdf", Magic::Pdf),
    ("png", "image/png", Magic::Png),
    ("jpg", "image/jpeg", Magic::Jpeg),
    ("jpeg", "image/jpeg", Magic::Jpeg),
    ("gif", "image/gif", Magic::Gif),
    ("bmp", "image/bmp", Magic::Bmp),
    ("doc", "application/msword", Magic::Ole),
    ("xls", "application/vnd.ms-excel", Magic::Ole),
    ("ppt", "application/vnd.ms-powerpoint", Magic::Ole),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Magic::Zip,
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Magic::Zip,
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Magic::Zip,
    ),
    ("ofd", "application/ofd", Magic::Zip),
];

fn looks_like(content: &[u8], magic: Magic) -> bool {
    match magic {
        Magic::Pdf => content.starts_with(b"%PDF-"),
        Magic::Png => content.starts_with(b"\x89PNG\r\n\x1a\n"),
        Magic::Jpeg => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        Magic::Gif => content.starts_with(b"GIF87a") || content.starts_with(b"GIF89a"),
        Magic::Bmp => content.starts_with(b"BM"),
        Magic::Zip => content.starts_with(b"PK\x03\x04"),
        Magic::Ole => content.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
    }
}

/// The content type of an allowed file, or why it is refused.
pub fn check_file(name: &str, content: &[u8]) -> Result<&'static str, &'static str> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (_, content_type, magic) = ALLOWED
        .iter()
        .find(|(ext, _, _)| *ext == extension)
        .ok_or("仅支持 PDF、图片、Office 文档或 OFD 文件")?;
    if !looks_like(content, *magic) {
        return Err("文件内容与扩展名不符");
    }
    Ok(content_type)
}

/// One file part of a multipart body: (file name, content).
pub fn file_part<'a>(content_type: &str, body: &'a [u8]) -> Option<(String, &'a [u8])> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut rest = body;
    loop {
        let start = find(rest, delimiter.as_bytes())? + delimiter.len();
        rest = &rest[start..];
        if rest.starts_with(b"--") {
            return None;
        }
        let headers_end = find(rest, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&rest[..headers_end]).to_string();
        let content_start = headers_end + 4;
        let content_len = find(
            &rest[content_start..],
            format!("\r\n{delimiter}").as_bytes(),
        )?;
        let content = &rest[content_start..content_start + content_len];
        if let Some(name) = disposition_filename(&headers) {
            return Some((name, content));
        }
        rest = &rest[content_start + content_len..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn disposition_filename(headers: &str) -> Option<String> {
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let start = line.find("filename=\"")? + "filename=\"".len();
    let end = line[start..].find('"')? + start;
    let name = line[start..end]
        .rsplit(['/', '\\'])
        .next()?
        .trim()
        .to_string();
    (!name.is_empty()).then_some(name)
}

/// Attach a file to an order (multipart/form-data, one `file` part).
#[utoipa::path(post, path = "/work-orders/{code}/attachments", tag = "workorders",
    params(("code" = String, Path, description = "Work-order code")),
    request_body(content = String, content_type = "multipart/form-data",
        description = "One file part (≤ 20 MiB; PDF, PNG, JPEG, GIF, BMP, DOC(X), XLS(X), PPT(X), OFD)"),
    responses((status = 200, body = AttachmentView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<AttachmentView>> {
    caller.require(&state, READ).await?;
    if !caller.can("workorder:operate") && !caller.can("workorder:handle") {
        caller.require(&state, "workorder:handle").await?;
    }
    state
        .store
        .work_order(&caller.org_scope(), &code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (name, content) = file_part(content_type, &body).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid",
            "须以 multipart/form-data 上传一个文件",
        )
    })?;
    if content.len() > MAX_ATTACHMENT_BYTES {
        return Err(crate::extract::too_large());
    }
    let served_type = check_file(&name, content).map_err(|m| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            m,
        )
    })?;
    let sha256 = hex::encode(Sha256::digest(content));
    let audit = caller.audit(
        "workorder.attach",
        "work_order",
        &code,
        serde_json::json!({ "name": name, "size": content.len(), "sha256": sha256 }),
    );
    let row = state
        .store
        .add_work_order_attachment(
            &NewAttachment {
                order_code: &code,
                sha256: &sha256,
                name: &name,
                content_type: served_type,
                content,
                uploaded_by: &caller.username,
            },
            &audit,
            now_ms(),
        )
        .await?;
    Ok(Json(row.into()))
}

/// Download an attachment (always as a download, never rendered inline).
#[utoipa::path(get, path = "/work-orders/{code}/attachments/{id}", tag = "workorders",
    params(("code" = String, Path, description = "Work-order code"), ("id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn download_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, id)): Path<(String, i64)>,
) -> ApiResult<Response> {
    caller.require(&state, READ).await?;
    state
        .store
        .work_order(&caller.org_scope(), &code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (row, content) = state
        .store
        .work_order_attachment_content(&code, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let disposition = format!(
        "attachment; filename=\"attachment-{}\"; filename*=UTF-8''{}",
        row.id,
        percent_encode(&row.name)
    );
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&row.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_file_part_and_allowlist() {
        let body = b"--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\tmp\\\\scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 body\r\n--XB--\r\n";
        let (name, content) = file_part("multipart/form-data; boundary=XB", body).expect("part");
        assert_eq!(name, "scan.pdf");
        assert_eq!(content, b"%PDF-1.7 body");
        assert_eq!(check_file(&name, content), Ok("application/pdf"));
        assert!(check_file("page.html", b"<html>").is_err());
        assert!(check_file("fake.pdf", b"<html>").is_err());
    }
}
