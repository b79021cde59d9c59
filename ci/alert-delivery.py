#!/usr/bin/env python3
"""Alert delivery, end to end, on real processes and free local ports.

A real `accubooks serve` (SQLite in a temporary directory) is scraped by a
real Prometheus running the repository's rules and scrape configuration,
which sends its alerts to a real Alertmanager running the repository's
routing; the receivers' webhook URLs are rewritten to a small HTTP server in
this script that records every notification. Then:

(a) IdempotencyKeyCollision: invoices are posted again under their keys with
    another amount (422 idempotency_key_mismatch). Every receiver the alert
    routes to (amtool asked: for a critical alert, pager and chat) must get a
    firing notification with the alert's name, severity and runbook_url;
    once the mismatches stop, a resolved one.
(b) DatabaseUnavailableWritesRefused: a second SQLite connection takes the
    database's write lock (BEGIN IMMEDIATE) and keeps it, as any other
    process holding a write transaction on the file would. The service keeps
    answering reads and /readyz, but every write waits out its lock and
    pool bounds and is answered 503 storage_unavailable, nothing stored:
    writes are refused. Firing notifications must arrive; once the lock is
    released and writes succeed again, resolved ones.

Time runs faster, nothing else changes: every duration in the rules and in
deploy/prometheus/prometheus.yml (`for:`, range selectors, scrape and
evaluation intervals) is divided by SCALE, the expressions stay as written;
Alertmanager's group_wait/group_interval are cut to a second or two so a
resolved notification is not held back for minutes. Each wait is bounded
and fails naming what did not happen; every process started here is
stopped on exit (also on SIGTERM/SIGINT).

Needs prometheus, prometheus-alertmanager (or alertmanager), amtool and the built
binary (`cargo build -p accubooks-service --bin accubooks`). A missing tool
is a skip, and with CI=true a failure.

    python3 ci/alert-delivery.py [--bin target/debug/accubooks] [--keep]
"""

import argparse
import http.client
import http.server
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy/prometheus/rules.yml"
PROMETHEUS_CONFIG = ROOT / "deploy/prometheus/prometheus.yml"
ALERTMANAGER_CONFIG = ROOT / "deploy/alertmanager/alertmanager.yml"

# Prometheus' clock, 15 times faster: 5m windows become 20 s, 1m ones 4 s,
# the 15 s scrape 1 s, the 30 s evaluation 2 s.
SCALE = 15
# Alertmanager: a group's first notification after 1 s, updates (and the
# resolved notification) after 2 s.
AM_GROUP_WAIT = "1s"
AM_GROUP_INTERVAL = "2s"
COLLISION = "IdempotencyKeyCollision"
REFUSED = "DatabaseUnavailableWritesRefused"

started = time.monotonic()


class Failure(Exception):
    pass


def log(msg):
    print(f"[{time.monotonic() - started:6.1f}s] {msg}", flush=True)


# ---------------------------------------------------------------- durations

UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "y": 31_536_000_000}
DURATION = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")


def duration_ms(text):
    parts = DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise Failure(f"not a Prometheus duration: {text!r}")
    return sum(int(n) * UNITS_MS[u] for n, u in parts)


def faster(text):
    ms = max(duration_ms(text) // SCALE, 1)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def faster_expr(expr):
    """Every range and subquery duration in a PromQL expression, scaled."""

    def one(m):
        inner = ":".join(faster(d) if d else d for d in m.group(1).split(":"))
        return f"[{inner}]"

    return re.sub(r"\[([0-9a-z:]+)\]", one, expr)


def test_rules():
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        if "interval" in group:
            group["interval"] = faster(group["interval"])
        for rule in group["rules"]:
            rule["expr"] = faster_expr(rule["expr"])
            if "for" in rule:
                rule["for"] = faster(rule["for"])
    return rules


def test_prometheus_config(service, alertmanager):
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    for key in ("scrape_interval", "evaluation_interval", "scrape_timeout"):
        if key in config.get("global", {}):
            config["global"][key] = faster(config["global"][key])
    jobs = [j for j in config["scrape_configs"] if j["job_name"] == "accubooks-api"]
    if len(jobs) != 1:
        raise Failure(f"{PROMETHEUS_CONFIG}: expected one job accubooks-api")
    for key in ("scrape_interval", "scrape_timeout"):
        if key in jobs[0]:
            jobs[0][key] = faster(jobs[0][key])
    jobs[0]["static_configs"] = [{"targets": [service]}]
    config["scrape_configs"] = jobs
    if not config.get("alerting", {}).get("alertmanagers"):
        raise Failure(f"{PROMETHEUS_CONFIG}: no alerting.alertmanagers: alerts would go nowhere")
    config["alerting"]["alertmanagers"] = [{"static_configs": [{"targets": [alertmanager]}]}]
    config["rule_files"] = ["rules.yml"]
    return config


def test_alertmanager_config(receiver):
    """The repository's routing with every webhook sent to `receiver`
    (path kept: it names the receiver) and the grouping timers cut."""
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    for r in config["receivers"]:
        hooks = r.get("webhook_configs")
        if not hooks:
            raise Failure(f"receiver {r['name']} has no webhook_configs: this test only rewrites webhook URLs")
        for hook in hooks:
            path = urllib.parse.urlsplit(hook["url"]).path
            if path.strip("/") != r["name"]:
                raise Failure(f"receiver {r['name']}: webhook path {path!r} should be /{r['name']}")
            hook["url"] = f"http://{receiver}{path}"

    def cut(route, root):
        for key, value in (("group_wait", AM_GROUP_WAIT), ("group_interval", AM_GROUP_INTERVAL)):
            if root or key in route:
                route[key] = value
        for child in route.get("routes", []):
            cut(child, False)

    cut(config["route"], True)
    return config


# ---------------------------------------------------------------- processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """What this script started, by Popen handle; stop_all ends exactly those."""

    def __init__(self, dir):
        self.dir = dir
        self.running = {}

    def start(self, name, argv):
        with open(self.dir / f"{name}.log", "wb") as out:
            self.running[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def check(self):
        for name, p in self.running.items():
            if p.poll() is not None:
                raise Failure(f"{name} exited with {p.returncode}:\n{self.tail(name)}")

    def tail(self, name, lines=25):
        path = self.dir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join("    " + line for line in text.splitlines()[-lines:])

    def stop_all(self):
        for p in self.running.values():
            if p.poll() is None:
                p.terminate()
        for p in self.running.values():
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def request(port, method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        h = dict(headers or {})
        if data is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def wait_for(what, predicate, timeout, procs, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        procs.check()
        try:
            result = predicate()
        except (OSError, http.client.HTTPException):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------- receiver


class Receiver:
    """Records every webhook notification: (receiver path, payload)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.notifications = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.notifications.append((self.path.strip("/"), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def find(self, receiver, alertname, status):
        with self.lock:
            for path, n in self.notifications:
                if path != receiver or n.get("status") != status:
                    continue
                for a in n.get("alerts", []):
                    if a["labels"].get("alertname") == alertname and a.get("status") == status:
                        return a
        return None

    def count(self, alertname):
        return sum(1 for _, a in self.alerts() if a["labels"].get("alertname") == alertname)

    def alerts(self):
        with self.lock:
            return [(path, a) for path, n in self.notifications for a in n.get("alerts", [])]

    def summary(self):
        seen = {}
        for path, a in self.alerts():
            seen.setdefault(f"{a['labels'].get('alertname')} → {path}", []).append(a["status"])
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(seen.items()))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- traffic


class Traffic:
    """Healthy writes (new invoices, unique keys) from two threads, counted
    by (status, problem code) per phase."""

    def __init__(self, port, token, customer):
        self.port, self.token, self.customer = port, token, customer
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.phase = "start"
        self.counts = {}
        self.seq = 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(2)]
        for t in self.threads:
            t.start()

    def next_key(self):
        with self.lock:
            self.seq += 1
            return f"load-{self.seq}", self.phase

    def run(self):
        while not self.stop.is_set():
            key, phase = self.next_key()
            try:
                status, body = invoice(self.port, self.token, key, self.customer, 1000)
                code = problem_code(body) if status >= 400 else ""
            except (OSError, http.client.HTTPException) as e:
                status, code = 0, type(e).__name__
            with self.lock:
                per = self.counts.setdefault(phase, {})
                per[(status, code)] = per.get((status, code), 0) + 1
            time.sleep(0.1)

    def set_phase(self, phase):
        with self.lock:
            self.phase = phase

    def seen(self, phase, status, code=""):
        return self.answers(phase).get((status, code), 0)

    def answers(self, phase):
        with self.lock:
            return dict(self.counts.get(phase, {}))

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def auth(token, key):
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


def invoice(port, token, key, customer, cents):
    body = {
        "customer_id": customer,
        "currency": "USD",
        "due_date": "2026-12-31",
        "lines": [{"description": "Consulting", "quantity": 1, "unit_price_cents": cents}],
    }
    return request(port, "POST", "/v1/invoices", body, auth(token, key))


def problem_code(body):
    try:
        return json.loads(body).get("code", "")
    except ValueError:
        return ""


# ---------------------------------------------------------------- checks


def alert_rules():
    rules = yaml.safe_load(RULES.read_text())
    return {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}


def routes(amtool, rule):
    """The receivers the repository's routing sends the rule's alerts to."""
    labels = [f"alertname={rule['alert']}"] + [f"{k}={v}" for k, v in rule["labels"].items()]
    argv = [amtool, "config", "routes", "test", f"--config.file={ALERTMANAGER_CONFIG}", *labels]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if out.returncode != 0 or not out.stdout.strip():
        raise Failure(f"amtool config routes test {' '.join(labels)}: {out.stderr.strip()}")
    return out.stdout.strip().split(",")


def delivered(receiver, rule, status):
    return all(receiver.find(to, rule["alert"], status) for to in rule["receivers"])


def expect_notification(receiver, procs, rule, status, timeout):
    """Waits until every receiver the rule routes to got a notification of
    `status` for the alert, and checks what it carries."""
    name, severity = rule["alert"], rule["labels"]["severity"]
    for to in rule["receivers"]:
        what = f"a {status} {name} notification at the {to} receiver"
        alert = wait_for(what, lambda: receiver.find(to, name, status), timeout, procs)
        got = (alert["labels"].get("severity"), alert["annotations"].get("runbook_url"))
        want = (severity, rule["annotations"]["runbook_url"])
        if got != want:
            raise Failure(f"{name} at {to}: (severity, runbook_url) = {got}, expected {want}")
        log(f"{name} {status} → {to} (severity={got[0]}, runbook_url={got[1]})")


# ---------------------------------------------------------------- main


def tool(*names):
    for n in names:
        if shutil.which(n):
            return shutil.which(n)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    parser.add_argument("--bin", default=os.path.join(target, "debug", "accubooks"), help="the accubooks binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    parser.add_argument("--deadline", type=int, default=170, help="seconds the whole run may take")
    args = parser.parse_args()

    tools = {
        "prometheus": tool("prometheus"),
        "alertmanager": tool("prometheus-alertmanager", "alertmanager"),
        "amtool": tool("amtool"),
    }
    missing = ", ".join(k for k, v in tools.items() if not v)
    if missing:
        if os.environ.get("CI") in ("true", "1"):
            print(f"alert-delivery: CI=true and {missing} not installed (ci/ensure-tools.sh)", file=sys.stderr)
            return 1
        print(f"alert-delivery: SKIPPED: {missing} not installed", file=sys.stderr)
        return 0
    if not os.access(args.bin, os.X_OK):
        build = "cargo build -p accubooks-service --bin accubooks"
        print(f"alert-delivery: no binary at {args.bin} ({build})", file=sys.stderr)
        return 1

    # SIGTERM/SIGHUP end the run like ^C does: through the finally below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))

    def overdue(signum, frame):
        raise Failure(f"the run took longer than --deadline {args.deadline}s")

    signal.signal(signal.SIGALRM, overdue)
    signal.alarm(args.deadline)

    dir = pathlib.Path(tempfile.mkdtemp(prefix="accubooks-alerts-"))
    procs = Processes(dir)
    receiver = None
    ports = {}
    ok = failed = False
    try:
        receiver = Receiver()
        run(args, tools, dir, procs, receiver, ports)
        ok = True
    except Failure as e:
        failed = True
        print(f"\nalert-delivery FAILED: {e}", file=sys.stderr)
        for name in procs.running:
            print(f"--- {name} log (last lines):\n{procs.tail(name)}", file=sys.stderr)
        if "prometheus" in ports:
            try:
                alerts = request(ports["prometheus"], "GET", "/api/v1/alerts", timeout=5)[1][:3000]
                alerts = alerts.decode(errors="replace")
            except (OSError, http.client.HTTPException) as err:
                alerts = f"unavailable ({err})"
            print(f"--- Prometheus alerts: {alerts}", file=sys.stderr)
        if receiver:
            print(f"--- notifications received: {json.dumps(receiver.notifications)[:4000]}", file=sys.stderr)
    finally:
        signal.alarm(0)
        procs.stop_all()
        if receiver:
            receiver.close()
        if failed or args.keep:
            print(f"alert-delivery: logs and database kept in {dir}", file=sys.stderr)
        else:
            shutil.rmtree(dir, ignore_errors=True)
    if ok:
        log(f"notifications: {receiver.summary()}")
        log("alert delivery ok: both alerts fired and resolved at every receiver they route to")
    return 0 if ok else 1


def run(args, tools, dir, procs, receiver, ports):
    rules = alert_rules()
    for name in (COLLISION, REFUSED):
        if name not in rules:
            raise Failure(f"{RULES} has no alert {name}")
        rules[name]["receivers"] = routes(tools["amtool"], rules[name])
        log(f"{name} ({rules[name]['labels']['severity']}) routes to {', '.join(rules[name]['receivers'])}")

    # The service: its own SQLite file, a tenant, one customer. Short lock
    # and pool bounds: a refused write is answered in a quarter second.
    db = dir / "accubooks.db"
    url = f"sqlite://{db}"
    for command in (["migrate"], ["tenant", "create", "alerts"]):
        argv = [args.bin, *command, "--database-url", url]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise Failure(f"{' '.join(argv[1:3])} exited with {out.returncode}: {out.stderr[-2000:]}")
    token = re.search(r"^token: (\S+)$", out.stdout, re.M).group(1)
    api_port, prom_port, am_port = free_port(), free_port(), free_port()
    ports["prometheus"] = prom_port
    procs.start("accubooks", [
        args.bin, "serve", "--bind", f"127.0.0.1:{api_port}", "--database-url", url,
        "--inflight-wait-ms-max", "250", "--pool-acquire-wait-ms-max", "250",
    ])

    (dir / "alertmanager.yml").write_text(yaml.safe_dump(test_alertmanager_config(receiver.address)))
    procs.start("alertmanager", [
        tools["alertmanager"], f"--config.file={dir / 'alertmanager.yml'}", f"--storage.path={dir / 'am'}",
        f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=", "--log.level=warn",
    ])

    (dir / "rules.yml").write_text(yaml.safe_dump(test_rules()))
    config = test_prometheus_config(f"127.0.0.1:{api_port}", f"127.0.0.1:{am_port}")
    (dir / "prometheus.yml").write_text(yaml.safe_dump(config))
    procs.start("prometheus", [
        tools["prometheus"], f"--config.file={dir / 'prometheus.yml'}", f"--storage.tsdb.path={dir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn",
    ])

    wait_for("the service's /readyz", lambda: request(api_port, "GET", "/readyz")[0] == 200, 30, procs)
    wait_for("Alertmanager ready", lambda: request(am_port, "GET", "/-/ready")[0] == 200, 30, procs)
    wait_for("Prometheus ready", lambda: request(prom_port, "GET", "/-/ready")[0] == 200, 30, procs)

    def scraped():
        q = urllib.parse.quote('up{job="accubooks-api"}')
        _, body = request(prom_port, "GET", f"/api/v1/query?query={q}", timeout=5)
        return any(r["value"][1] == "1" for r in json.loads(body)["data"]["result"])

    wait_for("Prometheus to scrape the service (up == 1)", scraped, 30, procs)
    log(f"up: accubooks :{api_port}, prometheus :{prom_port}, alertmanager :{am_port}, receiver {receiver.address}")

    status, body = request(api_port, "POST", "/v1/customers", {"name": "Alert Test Ltd"}, auth(token, "customer-1"))
    if status != 201:
        raise Failure(f"creating the customer: {status} {body[:300]!r}")
    customer = json.loads(body)["id"]
    traffic = Traffic(api_port, token, customer)
    try:
        collision(api_port, token, customer, procs, receiver, traffic, rules[COLLISION])
        refused(api_port, db, procs, receiver, traffic, rules[REFUSED])
    finally:
        traffic.close()


def collision(api_port, token, customer, procs, receiver, traffic, rule):
    """(a) The same key sent again with another amount, every half second,
    until the firing notifications are in; then no more. One would do:
    the alert is increase(mismatches[5m]) > 0, without a `for`."""
    traffic.set_phase("collision")
    # Healthy traffic alone fires nothing.
    wait_for("20 healthy writes (201)", lambda: traffic.seen("collision", 201) >= 20, 30, procs)
    if receiver.count(COLLISION):
        raise Failure(f"{COLLISION} notified before any key was reused")
    t0 = time.monotonic()
    sent = 0

    def mismatch_then_check():
        nonlocal sent
        sent += 1
        key = f"collide-{sent}"
        s1, b1 = invoice(api_port, token, key, customer, 1000)
        s2, b2 = invoice(api_port, token, key, customer, 9999)
        if s1 != 201 or s2 != 422 or problem_code(b2) != "idempotency_key_mismatch":
            raise Failure(f"key reuse: expected 201 then 422 idempotency_key_mismatch, got {s1} then {s2} {b2[:200]!r}")
        time.sleep(0.5)
        return delivered(receiver, rule, "firing")

    wait_for(f"firing {COLLISION} notifications", mismatch_then_check, 40, procs, interval=0)
    log(f"{sent} key reuses (422 idempotency_key_mismatch) → {COLLISION} notified after {time.monotonic() - t0:.1f}s")
    expect_notification(receiver, procs, rule, "firing", 20)
    t1 = time.monotonic()
    # Resolved once the last mismatch has left the (scaled) 5m window.
    expect_notification(receiver, procs, rule, "resolved", 60)
    log(f"{COLLISION} resolved {time.monotonic() - t1:.1f}s after the last key reuse")


def refused(api_port, db, procs, receiver, traffic, rule):
    """(b) Another connection holds SQLite's write lock: writes are refused
    (503 storage_unavailable) until it lets go."""
    if receiver.count(REFUSED):
        raise Failure(f"{REFUSED} notified before the database refused anything")
    holder = sqlite3.connect(str(db), isolation_level=None, timeout=10)
    try:
        holder.execute("BEGIN IMMEDIATE")
        traffic.set_phase("locked")
        t0 = time.monotonic()
        log("write lock taken by another connection: writes are refused from now on")
        wait_for(f"firing {REFUSED} notifications", lambda: delivered(receiver, rule, "firing"), 45, procs)
        log(f"{REFUSED} notified after {time.monotonic() - t0:.1f}s")
        expect_notification(receiver, procs, rule, "firing", 20)
        refusals = traffic.seen("locked", 503, "storage_unavailable")
        others = {k: v for k, v in traffic.answers("locked").items() if k != (503, "storage_unavailable")}
        if refusals < 5:
            raise Failure(f"only {refusals} writes answered 503 storage_unavailable while the lock was held")
        ready = request(api_port, "GET", "/readyz")[0]
        log(f"while locked: {refusals} writes 503 storage_unavailable, other answers {others}, /readyz {ready}")
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    traffic.set_phase("recovered")
    t1 = time.monotonic()
    log("write lock released")
    wait_for("writes to succeed again (201)", lambda: traffic.seen("recovered", 201) >= 3, 15, procs)
    expect_notification(receiver, procs, rule, "resolved", 45)
    log(f"{REFUSED} resolved {time.monotonic() - t1:.1f}s after the lock was released")


if __name__ == "__main__":
    sys.exit(main())
