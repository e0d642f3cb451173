#!/usr/bin/env python3
"""Send consultations to govpulse the way a source system does (docs/integration.md).

Standard library only. Environment: GOVPULSE_URL (e.g. http://127.0.0.1:8080),
GOVPULSE_TOKEN (an API token of scope `intake`). Exits 1 if an answer is not
what the guide says.
"""
import datetime
import hashlib
import hmac
import json
import os
import sys
import urllib.error
import urllib.request

URL = os.environ.get("GOVPULSE_URL", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ["GOVPULSE_TOKEN"]


def call(method, path, body=None, content_type="application/json"):
    """One request; returns (status, parsed JSON answer)."""
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(URL + "/api/v1" + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def verify_signature(secret, body, header):
    """Check a webhook's `X-Govpulse-Signature: sha256=<hex>` over the raw body."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def main():
    # 1. A consultation code: the same (channel, request_id) always gets the same code.
    status, issued = call("POST", "/consultations/codes",
                          {"channel": "hotline", "region_code": "110105", "request_id": "call-20261205-0001"})
    assert status == 200, (status, issued)
    again = call("POST", "/consultations/codes",
                 {"channel": "hotline", "region_code": "110105", "request_id": "call-20261205-0001"})[1]
    assert again["code"] == issued["code"] and again["created"] is False, again

    # 2. The consultation itself, as a JSON array (NDJSON works the same, one record a line).
    asked_at = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    record = {
        "code": issued["code"],
        "channel": "hotline",
        "region_code": "110105",
        "asked_at": asked_at.replace(microsecond=0).isoformat(),
        "applicant_type": "person",
        "question": "营业执照地址变更需要哪些材料？",
        "answer": "请携带变更登记申请书和新住所使用证明到区政务服务中心办理。",
    }
    status, answer = call("POST", "/intake/consultations", [record, {"code": "broken"}])
    assert status == 200, (status, answer)
    # Per line: the good record is accepted, the bad one rejected with a stable code.
    assert answer["accepted"] == 1, answer
    assert [r["line"] for r in answer["rejected"]] == [2], answer

    # 3. Retrying is safe: the same record again is a duplicate, nothing changes.
    ndjson = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    status, retried = call("POST", "/intake/consultations", ndjson, "application/x-ndjson")
    assert status == 200 and retried["duplicates"] == 1 and retried["accepted"] == 0, retried

    # 4. A correction carries a higher revision.
    status, corrected = call("POST", "/intake/consultations",
                             [dict(record, answer=record["answer"] + "（已更正）", revision=1)])
    assert status == 200 and corrected["corrected"] == 1, corrected

    # 5. Webhook receivers check the signature before trusting a body.
    body = b'{"warning_id":1}'
    header = "sha256=" + hmac.new(b"shared-secret", body, hashlib.sha256).hexdigest()
    assert verify_signature("shared-secret", body, header)
    assert not verify_signature("another-secret", body, header)

    print("integration example: code", issued["code"], "accepted, retried as duplicate, corrected")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print("integration example failed:", failure, file=sys.stderr)
        sys.exit(1)
