//! Intake bodies read as they arrive (issue 11, Medium 10): an NDJSON body
//! becomes records line by line, each handed on as soon as its line is
//! complete, so the raw body is never held whole — only one unfinished line
//! (the caller checks each record and drops its JSON object, see
//! [`super::checked`]); a JSON array is read whole (it cannot be split before
//! it is parsed). Either way at most [`INTAKE_BODY_LIMIT`] bytes and
//! [`MAX_RECORDS`] records are taken.

use super::pipeline::{ndjson_line, parse_body, BodyError, RawRecord, MAX_RECORDS};
use super::INTAKE_BODY_LIMIT;
use crate::error::{ApiError, ApiResult};
use crate::extract::too_large;
use axum::body::Body;
use axum::http::StatusCode;
use futures_util::StreamExt;

/// Hand each record of an intake body to `take`, in line order: NDJSON
/// (`ndjson`) read as a stream, else a JSON array (or NDJSON sent without its
/// content type) read whole. An error refuses the whole body.
pub async fn read_records(body: Body, ndjson: bool, take: impl FnMut(RawRecord)) -> ApiResult<()> {
    if !ndjson {
        let bytes = axum::body::to_bytes(body, INTAKE_BODY_LIMIT)
            .await
            .map_err(|_| too_large())?;
        parse_body(&bytes, false)?.into_iter().for_each(take);
        return Ok(());
    }
    let mut stream = body.into_data_stream();
    let mut records = Records { take, count: 0 };
    let mut pending: Vec<u8> = Vec::new();
    let (mut received, mut line) = (0_usize, 0_usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, "request.invalid", e.to_string())
        })?;
        received += chunk.len();
        if received > INTAKE_BODY_LIMIT {
            return Err(too_large());
        }
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|&b| b == b'\n') {
            line += 1;
            records.line(line, &pending[start..start + end])?;
            start += end + 1;
        }
        pending.drain(..start);
    }
    if !pending.is_empty() {
        records.line(line + 1, &pending)?;
    }
    Ok(())
}

/// Where the lines of a streamed body go, and how many records went.
struct Records<F> {
    take: F,
    count: usize,
}

impl<F: FnMut(RawRecord)> Records<F> {
    fn line(&mut self, number: usize, bytes: &[u8]) -> ApiResult<()> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| BodyError::Malformed("请求内容不是 UTF-8 编码".to_string()))?;
        let text = text.strip_suffix('\r').unwrap_or(text);
        if let Some(record) = ndjson_line(number, text) {
            if self.count == MAX_RECORDS {
                return Err(BodyError::TooManyRecords(MAX_RECORDS + 1).into());
            }
            self.count += 1;
            (self.take)(record);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(body: Body, ndjson: bool) -> ApiResult<Vec<RawRecord>> {
        let mut records = Vec::new();
        read_records(body, ndjson, |r| records.push(r)).await?;
        Ok(records)
    }

    /// The same records as the whole-body parser, however the body is cut.
    #[tokio::test]
    async fn a_streamed_body_gives_the_records_of_the_whole_body() {
        let text = "{\"a\":1}\r\n\n{oops\n  \n{\"b\":\"二\"}";
        let whole = parse_body(text.as_bytes(), true).unwrap();
        for cut in [1, 3, 7, 8, 12, 20] {
            let bytes = text.as_bytes().to_vec();
            let (head, tail) = bytes.split_at(cut.min(bytes.len()));
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                vec![Ok(head.to_vec()), Ok(tail.to_vec())];
            let body = Body::from_stream(futures_util::stream::iter(chunks));
            let streamed = read_all(body, true).await.unwrap();
            assert_eq!(streamed, whole, "cut at {cut}");
        }
        let bad = Body::from(vec![b'{', 0xff, b'}']);
        assert_eq!(
            read_all(bad, true).await.unwrap_err().body.code,
            "request.invalid_json"
        );
    }
}
