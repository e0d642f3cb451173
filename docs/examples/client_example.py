"""Read cases with the generated Python client (docs/integration.md §7).

    make python-client            # generates target/python-client/govpulse_client
    PYTHONPATH=target/python-client GOVPULSE_URL=http://127.0.0.1:8080 \
      GOVPULSE_USER=city GOVPULSE_PASSWORD='City@12345' python3 docs/examples/client_example.py

Logs in, lists completed cases newest first two at a time, follows `next` to
the second page and reads one case's detail. Exits 1 on any mismatch.
"""

import os
import sys
from http.cookies import SimpleCookie

from govpulse_client import Client
from govpulse_client.api.aggregation import get_case, list_cases
from govpulse_client.api.identity import login
from govpulse_client.models import CaseDetail, ErrorBody, ListCasesSort, LoginRequest


NEWEST_FIRST = ListCasesSort("-submitted_at")


def fail(message: str) -> None:
    print(f"client example: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    url = os.environ.get("GOVPULSE_URL", "http://127.0.0.1:8080")
    response = login.sync_detailed(
        client=Client(base_url=url),
        body=LoginRequest(
            username=os.environ.get("GOVPULSE_USER", "city"),
            password=os.environ.get("GOVPULSE_PASSWORD", "City@12345"),
        ),
    )
    answer = response.parsed
    if isinstance(answer, ErrorBody) or answer is None:
        fail(f"login refused: {answer}")
    # The session cookie is handed on explicitly: with `secure_cookies` (as in
    # production) it is marked Secure, which an HTTP client keeps to itself
    # over plain http, as to a local demo.
    cookie = SimpleCookie(response.headers.get("set-cookie", ""))
    if "gp_session" not in cookie:
        fail("login set no session cookie")
    client = Client(
        base_url=url,
        cookies={"gp_session": cookie["gp_session"].value},
        # Reads need only the cookie; writes also send the CSRF token.
        headers={"X-CSRF-Token": answer.csrf_token},
        raise_on_unexpected_status=True,
    )

    first = list_cases.sync(client=client, status="completed", sort=NEWEST_FIRST, size=2)
    if isinstance(first, ErrorBody) or first is None or len(first.items) != 2:
        fail(f"first page: {first}")
    if any(case.status != "completed" for case in first.items):
        fail("the status filter let other cases through")
    if not first.next_:
        fail("a first page of two should have a next page")
    second = list_cases.sync(
        client=client, status="completed", sort=NEWEST_FIRST, size=2, after=first.next_
    )
    if isinstance(second, ErrorBody) or second is None or not second.items:
        fail(f"second page: {second}")
    dates = [case.submitted_at for case in first.items + second.items]
    if dates != sorted(dates, reverse=True):
        fail(f"not newest first: {dates}")
    if {c.case_code for c in first.items} & {c.case_code for c in second.items}:
        fail("the pages overlap")

    code = second.items[0].case_code
    detail = get_case.sync(code, client=client)
    if not isinstance(detail, CaseDetail) or detail.case_code != code:
        fail(f"detail of {code}: {detail}")
    print(f"client example: {first.total} completed cases; {code} has {len(detail.events)} events")


if __name__ == "__main__":
    main()
