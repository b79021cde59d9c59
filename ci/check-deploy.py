#!/usr/bin/env python3
"""Checks the deployment manifests: every file parses, the Deployment's
probes point at /readyz and /healthz on the named port, the migration Job
runs `migrate`, the Service selects the Deployment's pods, the Grafana
dashboard carries the rollout plan's six panels with their queries and the
failover window's two, and alerting is wired: every alert has a severity and a runbook_url that names
a section of docs/operations.md, Prometheus sends to Alertmanager, whose
routing (asked of amtool, when installed; with CI=true it must be) sends
critical alerts to the pager and the chat receiver and warnings to chat,
every receiver announcing resolution too."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
errors = []
docs = {}
for path in sorted((root / "deploy" / "k8s").glob("*.yaml")):
    for doc in yaml.safe_load_all(path.read_text()):
        docs[(doc["kind"], doc["metadata"]["name"])] = doc

dep = docs.get(("Deployment", "accubooks-api"))
if not dep:
    errors.append("no Deployment accubooks-api")
else:
    c = dep["spec"]["template"]["spec"]["containers"][0]
    if c["readinessProbe"]["httpGet"]["path"] != "/readyz":
        errors.append("readiness probe must be /readyz")
    if c["livenessProbe"]["httpGet"]["path"] != "/healthz":
        errors.append("liveness probe must be /healthz")
    if c["args"] != ["serve"]:
        errors.append("the Deployment must run `accubooks serve`")
    labels = dep["spec"]["template"]["metadata"]["labels"]
    svc = docs.get(("Service", "accubooks-api"))
    if not svc or any(labels.get(k) != v for k, v in svc["spec"]["selector"].items()):
        errors.append("the Service must select the Deployment's pods")
job = docs.get(("Job", "accubooks-migrate"))
if not job or job["spec"]["template"]["spec"]["containers"][0]["args"] != ["migrate"]:
    errors.append("the migration Job must run `accubooks migrate`")
if ("ConfigMap", "accubooks-api") not in docs:
    errors.append("no ConfigMap accubooks-api")

plan_panels = {
    "Operations per Minute": "sum(rate(idempotent_writes_total[5m])) by (operation, type) * 60",
    "Replay Rate": "idempotent_write_replay_rate * 100",
    "Failure Rate": "idempotent_write_failure_rate * 100",
    "P95 Execution Duration": "histogram_quantile(0.95, rate(idempotent_write_duration_ms_bucket[5m]))",
    "Operations by Status": "sum(idempotent_writes_total) by (status)",
    "Workflows Triggered": "sum(rate(idempotent_writes_workflows_triggered_total[5m])) * 60",
}
# The failover window (docs/benchmarks.md): refusals and p99 through it.
failover_panels = {
    "Writes Refused (503 storage_unavailable)":
        'sum by (job) (rate(idempotent_writes_failed_total{error_type="storage_unavailable"}[1m]))',
    "P99 Execution Duration (failover window)":
        "histogram_quantile(0.99, sum by (le) (rate(idempotent_write_duration_ms_bucket[1m])))",
}
dash = json.loads((root / "deploy/grafana/dashboards/idempotent-writes.json").read_text())
got = {p["title"]: p["targets"][0]["expr"] for p in dash["panels"]}
if got != {**plan_panels, **failover_panels}:
    errors.append(f"dashboard panels differ from the plan's six and the failover window's two: {got}")


def anchors(markdown):
    """GitHub's anchors for the headings of a Markdown document."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"#+\s+(.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            out.add(slug)
    return out


# The receivers each severity must reach.
ROUTES = {"critical": ["pager", "chat"], "warning": ["chat"]}
runbooks = anchors((root / "docs/operations.md").read_text())
rules = yaml.safe_load((root / "deploy/prometheus/rules.yml").read_text())
alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
for a in alerts:
    name, labels, notes = a["alert"], a.get("labels", {}), a.get("annotations", {})
    if labels.get("severity") not in ROUTES:
        errors.append(f"alert {name}: severity must be one of {sorted(ROUTES)}, not {labels.get('severity')!r}")
    url = notes.get("runbook_url", "")
    doc, _, anchor = url.partition("#")
    if doc != "docs/operations.md" or anchor not in runbooks:
        errors.append(f"alert {name}: runbook_url {url!r} must name a section of docs/operations.md")
    if notes.get("runbook", url) != url:
        errors.append(f"alert {name}: runbook and runbook_url differ")

prometheus = yaml.safe_load((root / "deploy/prometheus/prometheus.yml").read_text())
if not prometheus.get("alerting", {}).get("alertmanagers"):
    errors.append("prometheus.yml sends alerts to no Alertmanager (alerting.alertmanagers)")
am_path = root / "deploy/alertmanager/alertmanager.yml"
am = yaml.safe_load(am_path.read_text())
for r in am.get("receivers", []):
    for kind, configs in r.items():
        if kind.endswith("_configs") and any(c.get("send_resolved") is not True for c in configs):
            errors.append(f"alertmanager receiver {r['name']}: {kind} must set send_resolved: true")
amtool = shutil.which("amtool")
routed = 0
if amtool:
    for a in alerts:
        want = ROUTES.get(a.get("labels", {}).get("severity"))
        labels = [f"alertname={a['alert']}"] + [f"{k}={v}" for k, v in a.get("labels", {}).items()]
        out = subprocess.run(
            [amtool, "config", "routes", "test", f"--config.file={am_path}", *labels],
            capture_output=True,
            text=True,
        )
        receivers = out.stdout.strip().split(",") if out.returncode == 0 else None
        if receivers != want:
            errors.append(f"alert {a['alert']} is routed to {receivers or out.stderr.strip()}, expected {want}")
        routed += 1
elif os.environ.get("CI") in ("true", "1"):
    errors.append("CI=true and amtool is not installed: alert routing unchecked (ci/ensure-tools.sh)")
else:
    print("deploy check: amtool not installed, alert routing not checked")

if errors:
    print("deploy check failed:\n  " + "\n  ".join(errors))
    sys.exit(1)
print(
    f"deploy check: {len(docs)} manifests, {len(got)} dashboard panels, "
    f"{len(alerts)} alerts (runbooks; {routed} routed by amtool) ok"
)
