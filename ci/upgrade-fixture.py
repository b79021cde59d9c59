#!/usr/bin/env python3
"""Records an upgrade fixture: a database populated through the API of a
given `accubooks` binary (an earlier release), and the transcript of what
that release answered.

    ci/upgrade-fixture.py BINARY DATABASE_URL OUT_DIR

Runs every registered operation (17) for two tenants, replays each once,
reads every record back (its Location, its ledger lines, its key's status),
then dumps the database: OUT_DIR/sqlite.sql (`sqlite3 .dump`) or
OUT_DIR/postgres.sql (`pg_dump --inserts`), and OUT_DIR/transcript.json.
`service/tests/api/upgrade.rs` loads the dump, runs this release's
`accubooks migrate` on it and requires every replay and every read to be
byte-identical to the transcript.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_tenant(binary, url, name):
    out = subprocess.run([binary, "tenant", "create", name, "--database-url", url],
                         check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    return fields["token"]


class Client:
    def __init__(self, base):
        self.base = base
        self.mutations = []
        self.reads = []

    def call(self, method, path, token, key=None, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if key is not None:
            req.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode(), {k.lower(): v for k, v in r.headers.items()}
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), {k.lower(): v for k, v in e.headers.items()}

    def mutate(self, token, method, path, body, expect=201):
        key = "upgrade-" + uuid.uuid4().hex[:12]
        status, text, headers = self.call(method, path, token, key, body)
        if status != expect:
            sys.exit(f"{method} {path} {body}: {status} {text}")
        again, replay, _ = self.call(method, path, token, key, body)
        if (again, replay) != (200, text) and expect == 201:
            sys.exit(f"replay of {method} {path}: {again} {replay}")
        self.mutations.append({"token": token, "method": method, "path": path, "key": key, "body": body,
                               "status": status, "response": text, "location": headers.get("location")})
        return json.loads(text) if text else {}

    def read_back(self):
        seen = set()
        for m in self.mutations:
            paths = [f"/v1/idempotency-keys/{m['key']}"]
            if m["location"]:
                paths.append(m["location"])
            if m["status"] == 201:
                paths.append("/v1/ledger/" + json.loads(m["response"])["id"])
            for p in paths:
                if (m["token"], p) in seen:
                    continue
                seen.add((m["token"], p))
                status, text, _ = self.call("GET", p, m["token"])
                self.reads.append({"token": m["token"], "path": p, "status": status, "body": text})


def story(c, t, month):
    """Every operation once or more, in an order that leaves records in
    every state: open, partly and fully paid, voided invoices; a refund; a
    deleted customer; a closed period; an approved payroll run."""
    cust = c.mutate(t, "POST", "/v1/customers", {"name": "Acme Corp"})["id"]
    gone = c.mutate(t, "POST", "/v1/customers", {"name": "Gone Ltd"})["id"]
    vendor = c.mutate(t, "POST", "/v1/vendors", {"name": "Initech Supplies"})["id"]
    c.mutate(t, "POST", "/v1/users", {"email": "admin@example.com", "name": "Ada", "role": "admin"})
    viewer = c.mutate(t, "POST", "/v1/users", {"email": "viewer@example.com", "name": "Vic", "role": "viewer"})["id"]
    cash = c.mutate(t, "POST", "/v1/accounts", {"code": "1000", "name": "Cash", "type": "asset"})["id"]
    sales = c.mutate(t, "POST", "/v1/accounts", {"code": "4000", "name": "Sales", "type": "revenue"})["id"]
    bank = c.mutate(t, "POST", "/v1/bank-accounts", {"holder_name": "Acme Ltd", "account_number": "000123456789",
                                                     "routing_number": "011000015"})["id"]
    c.mutate(t, "PUT", f"/v1/bank-accounts/{bank}", {"account_number": "55550001234", "routing_number": "111000025"})
    lines = [{"description": "Consulting", "quantity": 3, "unit_price_cents": 10_000},
             {"description": "Travel", "quantity": 1, "unit_price_cents": 2_500}]
    inv = lambda: c.mutate(t, "POST", "/v1/invoices", {"customer_id": cust, "currency": "USD",
                                                       "due_date": "2030-12-31", "lines": lines})["id"]
    paid, partly, voided = inv(), inv(), inv()
    c.mutate(t, "POST", "/v1/invoices", {"customer_id": cust, "currency": "EUR", "due_date": "2030-06-30",
                                         "issue_date": f"{month}-01", "lines": [
                                             {"description": "Licence", "quantity": 2, "unit_price_cents": 0}]})
    pay = c.mutate(t, "POST", "/v1/payments", {"invoice_id": paid, "amount_cents": 32_500, "method": "bank_transfer"})
    c.mutate(t, "POST", "/v1/payments", {"invoice_id": partly, "amount_cents": 1_000, "method": "card",
                                         "payment_date": f"{month}-02"})
    c.mutate(t, "POST", "/v1/refunds", {"payment_id": pay["id"], "amount_cents": 2_500, "reason": "travel waived"})
    c.mutate(t, "POST", f"/v1/invoices/{voided}/void", {"reason": "issued twice"})
    c.mutate(t, "POST", "/v1/bills", {"vendor_id": vendor, "currency": "USD", "due_date": "2030-06-30",
                                      "lines": [{"description": "Paper", "quantity": 10, "unit_price_cents": 250}]})
    c.mutate(t, "POST", "/v1/journal-entries", {"entry_date": f"{month}-03", "memo": "Cash sale", "lines": [
        {"account_id": cash, "currency": "USD", "debit_cents": 500},
        {"account_id": sales, "currency": "USD", "credit_cents": 500}]})
    run = c.mutate(t, "POST", "/v1/payroll-runs", {"period": month, "currency": "USD", "pay_date": f"{month}-28",
                                                   "lines": [{"employee_name": "Ada", "gross_cents": 400_000},
                                                             {"employee_name": "Grace", "gross_cents": 350_000}]})
    c.mutate(t, "POST", f"/v1/payroll-runs/{run['id']}/approve", {"note": "checked"})
    c.mutate(t, "PUT", f"/v1/users/{viewer}/role", {"role": "accountant"})
    c.mutate(t, "DELETE", f"/v1/customers/{gone}", {"reason": "closed their business"})
    c.mutate(t, "POST", "/v1/periods/2019-01/close", {"note": "year end"})
    # A stored definitive rejection: replayed like any answer.
    c.mutate(t, "POST", "/v1/payments", {"invoice_id": paid, "amount_cents": 1, "method": "cash"}, expect=422)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, url, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    tokens = [create_tenant(binary, url, "Upgrade A"), create_tenant(binary, url, "Upgrade B")]
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--database-url", url, "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        c = Client(f"http://127.0.0.1:{port}")
        for _ in range(200):
            try:
                urllib.request.urlopen(c.base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        month = time.strftime("%Y-%m", time.gmtime())
        for t in tokens:
            story(c, t, month)
        c.read_back()
        time.sleep(2)  # the dispatcher delivers the outbox (to its log)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if url.startswith("sqlite:"):
        path = url.split("://", 1)[1]
        dump = subprocess.run(["sqlite3", path, ".dump"], check=True, capture_output=True, text=True).stdout
        name = "sqlite.sql"
    else:
        dump = subprocess.run(["pg_dump", "--inserts", "--no-owner", "--no-privileges", url],
                              check=True, capture_output=True, text=True).stdout
        name = "postgres.sql"
    with open(os.path.join(out, name), "w") as f:
        f.write(dump)
    with open(os.path.join(out, "transcript-" + name.replace(".sql", ".json")), "w") as f:
        json.dump({"mutations": c.mutations, "reads": c.reads}, f, indent=1)
    print(f"{len(c.mutations)} mutations, {len(c.reads)} reads recorded; {name} {len(dump)} bytes")


if __name__ == "__main__":
    main()
