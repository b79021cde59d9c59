#!/usr/bin/env python3
"""Checks the deployment manifests: every file parses, the Deployment's
probes point at /readyz and /healthz on the named port, the migration Job
runs `migrate`, the Service selects the Deployment's pods, and the Grafana
dashboard carries the rollout plan's six panels with their queries."""
import json
import pathlib
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
dash = json.loads((root / "deploy/grafana/dashboards/idempotent-writes.json").read_text())
got = {p["title"]: p["targets"][0]["expr"] for p in dash["panels"]}
if got != plan_panels:
    errors.append(f"dashboard panels differ from the plan: {got}")

if errors:
    print("deploy check failed:\n  " + "\n  ".join(errors))
    sys.exit(1)
print(f"deploy check: {len(docs)} manifests and {len(got)} dashboard panels ok")
