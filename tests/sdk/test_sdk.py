"""Acceptance test: the official m3ter Python SDK (0.9.0), unchanged, against the sandbox.

Reads M3TER_BASE_URL, M3TER_ORG_ID, M3TER_API_KEY, M3TER_API_SECRET. Every check runs with
`_strict_response_validation=True`, so a response shape the SDK cannot parse fails the check.
Prints one line per check and a final `N passed, M failed`; exits 1 if anything failed.
"""

import os
import sys
import time
import traceback
import uuid

import httpx
import m3ter

BASE = os.environ["M3TER_BASE_URL"].rstrip("/")
ORG = os.environ["M3TER_ORG_ID"]
KEY = os.environ["M3TER_API_KEY"]
SECRET = os.environ["M3TER_API_SECRET"]
RUN = uuid.uuid4().hex[:8].upper()  # keeps codes unique if the script runs twice on one DB

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def client(**kw):
    args = dict(api_key=KEY, api_secret=SECRET, org_id=ORG, base_url=BASE, _strict_response_validation=True)
    args.update(kw)
    return m3ter.M3ter(**args)


def expect(exc_type, fn):
    try:
        fn()
    except exc_type as e:
        return e
    raise AssertionError(f"expected {exc_type.__name__}")


def raw_get(path):
    """GET with a fresh token through httpx, for the sandbox-only measurement list."""
    tok = httpx.post(f"{BASE}/oauth/token", auth=(KEY, SECRET), json={"grant_type": "client_credentials"}).json()
    r = httpx.get(f"{BASE}/organizations/{ORG}{path}", headers={"Authorization": f"Bearer {tok['access_token']}"})
    r.raise_for_status()
    return r.json()


def settle():
    """Waits for the enrichment stage: the sandbox's measurement list answers once every
    acknowledged batch is enriched (real m3ter gives no such barrier)."""
    raw_get("/measurements?pageSize=1")


def data_fields():
    return [
        {"category": "WHO", "code": "user", "name": "User"},
        {"category": "WHERE", "code": "region", "name": "Region"},
        {"category": "MEASURE", "code": "gb", "name": "Gigabytes", "unit": "GBy"},
        {"category": "COST", "code": "cost", "name": "Cost", "unit": "USD"},
    ]


@check
def sdk_version_is_pinned():
    assert m3ter.__version__ == "0.9.0", m3ter.__version__


@check
def demo_data_lists_in_strict_mode():
    c = client()
    products = list(c.products.list())
    meters = list(c.meters.list())
    accounts = list(c.accounts.list())
    assert len(products) >= 2 and len(meters) >= 5 and len(accounts) >= 3
    cats = {f.category for m in meters for f in (m.data_fields or [])}
    assert len(cats) == 8, cats
    assert any(m.product_id is None for m in meters), "a global meter"


@check
def bad_credentials_raise_authentication_error():
    c = client(api_secret="wrong-secret", max_retries=0)
    expect(m3ter.AuthenticationError, lambda: c.products.list())


@check
def another_org_raises_permission_denied():
    c = client(org_id="99999999-9999-4999-8999-999999999999")
    expect(m3ter.PermissionDeniedError, lambda: c.products.list())


@check
def product_crud():
    c = client()
    p = c.products.create(code=f"SDK-{RUN}", name="SDK product", custom_fields={"tier": "gold", "rank": 3})
    assert p.version == 1 and p.dt_created is not None
    got = c.products.retrieve(p.id)
    assert got.code == p.code and got.custom_fields == {"tier": "gold", "rank": 3}
    upd = c.products.update(p.id, code=p.code, name="SDK product v2", version=p.version)
    assert upd.version == 2 and upd.name == "SDK product v2"
    listed = list(c.products.list(ids=[p.id]))
    assert [x.id for x in listed] == [p.id]
    deleted = c.products.delete(p.id)
    assert deleted.id == p.id
    expect(m3ter.NotFoundError, lambda: c.products.retrieve(p.id))


@check
def meter_crud_with_data_fields():
    c = client()
    p = c.products.create(code=f"SDK-MP-{RUN}", name="Meter product")
    m = c.meters.create(code=f"sdk_meter_{RUN}", name="SDK meter", data_fields=data_fields(), derived_fields=[], product_id=p.id)
    assert m.product_id == p.id and len(m.data_fields) == 4 and m.data_fields[2].unit == "GBy"
    found = list(c.meters.list(product_id=[p.id]))
    assert [x.id for x in found] == [m.id]
    found = list(c.meters.list(codes=[m.code]))
    assert [x.id for x in found] == [m.id]
    upd = c.meters.update(m.id, code=m.code, name="SDK meter v2", data_fields=data_fields(), derived_fields=[], product_id=p.id, version=1)
    assert upd.version == 2
    g = c.meters.create(code=f"sdk_global_{RUN}", name="Global", data_fields=data_fields(), derived_fields=[])
    assert g.product_id is None
    assert c.meters.delete(m.id).id == m.id
    assert c.meters.delete(g.id).id == g.id
    assert c.products.delete(p.id).id == p.id


@check
def account_crud_search_and_children():
    c = client()
    parent = c.accounts.create(
        code=f"SDK-PARENT-{RUN}", name=f"Parent {RUN}", email_address="billing@parent.example",
        address={"addressLine1": "1 Main St", "country": "US"}, currency="USD", days_before_bill_due=30,
        credit_application_order=["PREPAYMENT", "BALANCE"], auto_generate_statement_mode="JSON",
        bill_epoch="2026-01-01",
    )
    assert parent.address.address_line1 == "1 Main St" and str(parent.bill_epoch) == "2026-01-01"
    child = c.accounts.create(code=f"SDK-CHILD-{RUN}", name=f"Child {RUN}", email_address="ap@child.example", parent_account_id=parent.id)
    kids = list(c.accounts.list_children(parent.id))
    assert [k.id for k in kids] == [child.id]
    res = c.accounts.search(search_query=f"name~{RUN}", sort_by="code", sort_order="ASC")
    assert [a.code for a in res.data] == [child.code, parent.code], res
    res = c.accounts.search(search_query=f"code:{parent.code}$currency:USD", page_size=5)
    assert [a.id for a in res.data] == [parent.id]
    upd = c.accounts.update(child.id, code=child.code, name="Child renamed", email_address="ap@child.example", version=child.version)
    assert upd.version == 2 and upd.name == "Child renamed"
    assert c.accounts.delete(child.id).id == child.id
    assert c.accounts.delete(parent.id).id == parent.id


@check
def pagination_across_pages():
    c = client()
    codes = [f"PAGE-{RUN}-{i:02}" for i in range(12)]
    ids = [c.products.create(code=code, name=code).id for code in codes]
    seen = [p.code for p in c.products.list(page_size=5) if p.code.startswith(f"PAGE-{RUN}-")]
    assert seen == list(reversed(codes)), seen
    first = c.products.list(page_size=5)
    assert first.next_token and len(first.data) == 5
    for i in ids:
        c.products.delete(i)


@check
def validation_raises_bad_request():
    c = client()
    e = expect(m3ter.BadRequestError, lambda: c.accounts.create(code=f"BAD-{RUN}", name="Bad", email_address="not-an-email"))
    assert e.status_code == 400 and "emailAddress" in str(e), e
    e = expect(m3ter.BadRequestError, lambda: c.products.list(page_size=500))
    assert "pageSize" in str(e)
    e = expect(m3ter.BadRequestError, lambda: c.meters.create(code=f"bad_{RUN}", name="Bad", data_fields=[{"category": "MEASURE", "code": "x", "name": "X"}], derived_fields=[]))
    assert "dataFields[0].unit" in str(e), e


@check
def version_conflict_raises_conflict_without_retries():
    c = client(max_retries=2)
    p = c.products.create(code=f"VER-{RUN}", name="v1")
    c.products.update(p.id, code=p.code, name="v2", version=1)
    started = time.monotonic()
    e = expect(m3ter.ConflictError, lambda: c.products.update(p.id, code=p.code, name="v3", version=1))
    elapsed = time.monotonic() - started
    assert e.response.headers.get("x-should-retry") == "false"
    assert elapsed < 0.5, f"took {elapsed:.2f}s: the SDK retried"
    e = expect(m3ter.ConflictError, lambda: c.products.create(code=p.code, name="dup"))
    assert "code" in str(e)
    c.products.delete(p.id)


@check
def submit_auto_creates_the_account():
    c = client()
    code = f"NEWCO-{RUN}"
    r = c.usage.submit(measurements=[
        {"uid": f"u1-{RUN}", "meter": "vm_hours", "account": code, "ts": "2026-01-31T12:00:00Z",
         "who": {"user": "ann"}, "where": {"region": "eu-west-1"}, "what": {"instance_type": "m5.large"}, "measure": {"hours": 1.5}},
        {"uid": f"u2-{RUN}", "meter": "api_calls", "account": code, "ts": "2026-01-31T12:00:00+00:00", "measure": {"calls": 3}},
    ])
    assert r.result == "accepted", r
    settle()
    found = list(c.accounts.list(codes=[code]))
    assert len(found) == 1 and found[0].name == f"{code}-autocreated", found
    assert found[0].email_address.endswith("-autocreated@example.com")


@check
def submit_rejects_a_bad_measurement():
    c = client()
    e = expect(m3ter.BadRequestError, lambda: c.usage.submit(measurements=[
        {"meter": "vm_hours", "account": f"NEVER-{RUN}", "ts": "2026-01-31T12:00:00Z", "measure": {"hours": "many"}}]))
    assert "measurements[0].measure.hours" in str(e), e
    e = expect(m3ter.BadRequestError, lambda: c.usage.submit(measurements=[
        {"meter": "vm_hours", "account": f"NEVER-{RUN}", "ts": "2026-01-31T12:00:00", "measure": {"hours": 1}}]))
    assert "measurements[0].ts" in str(e) and "offset" in str(e), e
    settle()
    assert list(c.accounts.list(codes=[f"NEVER-{RUN}"])) == []


@check
def unknown_meter_is_accepted_then_an_ingest_failure_event():
    c = client()
    uid = f"ghost-{RUN}"
    r = c.usage.submit(measurements=[
        {"uid": uid, "meter": f"no-such-meter-{RUN}", "account": f"GHOST-{RUN}", "ts": "2026-01-31T12:00:00Z", "measure": {"x": 1}}])
    assert r.result == "accepted", r
    settle()
    # The spec marks dtActioned required, but an event not yet actioned has none (null): the
    # SDK's default, non-strict validation reads it as None.
    lenient = client(_strict_response_validation=False)
    events = [e for e in lenient.events.list(event_name="ingest.validation.failure", page_size=100)
              if e.m3ter_event["eventData"]["uid"] == uid]
    assert len(events) == 1, events
    ev = events[0]
    data = ev.m3ter_event["eventData"]
    assert data["failureType"] == "UndefinedMeter" and data["account"] == f"GHOST-{RUN}", data
    assert ev.dt_actioned is None
    assert lenient.events.retrieve(ev.id).id == ev.id
    url = c.usage.get_failed_ingest_download_url(file=data["getDownloadUrl"]).url
    log = httpx.get(url).json()
    assert log["measurement"]["uid"] == uid and log["failureType"] == "UndefinedMeter", log
    assert "ingest.validation.failure" in c.events.get_types().events
    assert "failureType" in c.events.get_fields(event_name="ingest.validation.failure").events["ingest.validation.failure"]
    assert raw_get(f"/measurements?account=GHOST-{RUN}")["data"] == []


@check
def duplicate_uid_and_failing_calculation_are_accepted_then_events():
    c = client()
    lenient = client(_strict_response_validation=False)
    meter = c.meters.create(code=f"CALC-{RUN}", name="Calc meter", data_fields=[
        {"category": "MEASURE", "code": "gb", "name": "GB", "unit": "GBy"}], derived_fields=[
        {"category": "MEASURE", "code": "per_gb", "name": "Per GB", "unit": "1", "calculation": "10 / gb"}])
    first = {"uid": f"dup-{RUN}", "meter": meter.code, "account": f"CALC-{RUN}", "ts": "2026-02-01T00:00:00Z",
             "measure": {"gb": 2}}
    assert c.usage.submit(measurements=[first]).result == "accepted"
    settle()
    again = dict(first, measure={"gb": 9})
    zero = {"uid": f"zero-{RUN}", "meter": meter.code, "account": f"CALC-{RUN}", "ts": "2026-02-01T00:00:00Z",
            "measure": {"gb": 0}}
    assert c.usage.submit(measurements=[again, zero]).result == "accepted"
    settle()
    kinds = {e.m3ter_event["eventData"]["uid"]: e.m3ter_event["eventData"]["failureType"]
             for e in lenient.events.list(event_name="ingest.validation.failure", page_size=100)
             if e.m3ter_event["eventData"]["uid"] in (f"dup-{RUN}", f"zero-{RUN}")}
    assert kinds == {f"dup-{RUN}": "DuplicateUid", f"zero-{RUN}": "CalculationError"}, kinds
    rows = c.usage.query(meter_ids=[meter.id], start_date="2026-02-01T00:00:00Z", end_date="2026-02-02T00:00:00Z").data
    rows = [dict(x) for x in rows]
    assert sorted(r["uid"] for r in rows) == sorted([f"dup-{RUN}", f"zero-{RUN}"]), rows
    by_uid = {r["uid"]: r for r in rows}
    # The duplicate is not ingested: the first measurement's value stands.
    assert by_uid[f"dup-{RUN}"]["measure"]["gb"] == 2, by_uid
    # m3ter ingests a measurement whose calculation failed, with that derived value null.
    assert by_uid[f"zero-{RUN}"]["measure"]["gb"] == 0, by_uid
    assert by_uid[f"zero-{RUN}"]["measure"].get("per_gb") is None, by_uid


@check
def usage_query_aggregates_ingested_usage():
    c = client()
    meter = c.meters.create(code=f"Q-{RUN}", name="Query meter", data_fields=[
        {"category": "WHO", "code": "user", "name": "User"},
        {"category": "MEASURE", "code": "gb", "name": "GB", "unit": "GBy"}], derived_fields=[])
    c.usage.submit(measurements=[
        {"uid": f"q{i}-{RUN}", "meter": meter.code, "account": f"QACCT-{RUN}", "ts": f"2026-04-0{i + 1}T00:00:00Z",
         "who": {"user": "ann"}, "measure": {"gb": i + 1}} for i in range(3)])
    settle()
    r = c.usage.query(meter_ids=[meter.id], start_date="2026-04-01T00:00:00Z", end_date="2026-04-03T00:00:00Z")
    assert [row["uid"] for row in r.data] == [f"q1-{RUN}", f"q0-{RUN}"], r
    assert r.has_more_data is False
    r = c.usage.query(
        aggregations=[{"meterId": meter.id, "fieldCode": "gb", "fieldType": "MEASURE", "function": "SUM"}],
        groups=[{"groupType": "TIME", "frequency": "DAY"}], limit=2)
    assert [row["sum(gb)"] for row in r.data] == [3, 2] and r.has_more_data is True, r
    e = expect(m3ter.BadRequestError, lambda: c.usage.query(limit=20001))
    assert "limit" in str(e)


@check
def file_uploads_generate_put_and_follow_the_job():
    c = client()
    rows = [{"uid": f"file{i}-{RUN}", "meter": "api_calls", "account": f"FILE-{RUN}", "ts": "2026-02-01T00:00:00Z",
             "measure": {"calls": i}} for i in range(5)]
    body = __import__("json").dumps(rows).encode()
    up = c.usage.file_uploads.generate_upload_url(content_length=len(body), content_type="application/json", file_name="rows.json")
    assert up.job_id and up.url.startswith(BASE), up
    assert httpx.put(up.url, content=body, headers=up.headers or {}).status_code == 200
    settle()
    job = c.usage.file_uploads.jobs.retrieve(up.job_id)
    assert (job.status, job.total_rows, job.processed_rows, job.failed_rows) == ("succeeded", 5, 5, 0), job
    assert any(j.id == up.job_id for j in c.usage.file_uploads.jobs.list(page_size=10))
    orig = c.usage.file_uploads.jobs.get_original_download_url(up.job_id)
    assert httpx.get(orig.url).content == body
    assert len(raw_get(f"/measurements?account=FILE-{RUN}")["data"]) == 5


@check
def submit_all_with_trailing_slash_base_url_hits_double_slash_path():
    c = client(base_url=BASE + "/")
    code = f"BULK-{RUN}"
    ms = [{"uid": f"bulk-{RUN}-{i}", "meter": "api_calls", "account": code, "ts": "2026-02-01T00:00:00Z", "measure": {"calls": i}}
          for i in range(1500)]
    results = list(c.usage.submit_all(measurements=ms))
    assert [r.result for r in results] == ["accepted", "accepted"], results
    settle()
    # Again: every uid is a repeat, so nothing new is stored.
    list(c.usage.submit_all(measurements=ms))
    stored = raw_get(f"/measurements?account={code}&pageSize=1000")
    n = len(stored["data"])
    if stored.get("nextToken"):
        n += len(raw_get(f"/measurements?account={code}&pageSize=1000&nextToken={stored['nextToken']}")["data"])
    assert n == 1500, n
    assert len(list(c.accounts.list(codes=[code]))) == 1


def main():
    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
            passed += 1
            print(f"ok   {fn.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc(file=sys.stdout)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
