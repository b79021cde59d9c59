"""Summarise one schemathesis run from its NDJSON event stream.

Usage: report.py EVENTS.ndjson STORE [MIN_CASES] [MIN_EXECUTED_SHARE]

Prints, for the store:
- how many requests were sent and how many distinct test cases they came from;
- a status-code histogram of every request, split into writes (POST, PUT,
  DELETE) and reads, each refusal broken down by its problem+json `code`;
- the writes generated as schema-valid (positive mode): how many executed
  (201) or replayed (200) and what refused the rest;
- every distinct check failure (schemathesis itself reports one per operation
  and check), grouped by check, operation and the first line of its message,
  with a count and one example request.

Exits 1 if fewer than MIN_CASES test cases were run (default 0), so the
script's case budget is checked rather than assumed, or if fewer than
MIN_EXECUTED_SHARE (default 0) of the schema-valid writes executed, so a
fuzzer that stops at the first refusal is noticed rather than reported green.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from collections import Counter, defaultdict
from urllib.parse import urlsplit

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXAMPLE_BODY_CHARS = 400


def decode(blob) -> bytes:
    if blob is None:
        return b""
    if isinstance(blob, dict) and "$base64" in blob:
        return base64.b64decode(blob["$base64"])
    if isinstance(blob, str):
        return blob.encode()
    return json.dumps(blob).encode()


def problem_code(response: dict) -> str | None:
    try:
        body = json.loads(decode(response.get("content")))
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return body["code"]
    return None


def header(headers: dict, name: str) -> str | None:
    for key, values in (headers or {}).items():
        if key.lower() == name.lower():
            return values[0] if isinstance(values, list) and values else values
    return None


def outcome(response: dict | None) -> str:
    if response is None:
        return "no response"
    status = response["status_code"]
    code = problem_code(response) if status >= 400 else None
    return f"{status} {code}" if code else str(status)


def normalise(line: str) -> str:
    """Drop the generated values serde quotes, so one cause is one group."""
    line = re.sub(r"`[^`]*`", "`…`", line)
    return re.sub(r"line \d+ column \d+", "line … column …", line)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def main() -> int:
    path, store = sys.argv[1], sys.argv[2]
    min_cases = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    min_executed_share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0

    interactions: dict[str, dict] = {}
    modes: dict[str, str] = {}
    phases: dict[str, str] = {}
    labels: dict[str, str] = {}
    failures: dict[tuple[str, str, str], list] = defaultdict(list)
    seen_failures: set[tuple[str, str, str]] = set()
    events = Counter()

    with open(path, encoding="utf-8") as stream:
        for line in stream:
            line = line.strip()
            if not line:
                continue
            event = json.loads(line)
            (kind, data), = event.items()
            events[kind] += 1
            if kind != "ScenarioFinished":
                continue
            recorder = data.get("recorder") or {}
            scenario_label = recorder.get("label", "?")
            # The same case can reappear in a later event of its scenario: key by scenario and case.
            scope = data.get("id", "")
            for case_id, node in (recorder.get("cases") or {}).items():
                value = node.get("value") or {}
                meta = value.get("meta") or {}
                key = f"{scope}/{case_id}"
                modes[key] = (meta.get("generation") or {}).get("mode", "unknown")
                phases[key] = (meta.get("phase") or {}).get("name", data.get("phase", "?"))
                labels[key] = f"{value.get('method', '?')} {value.get('path', '?')}"
            for case_id, interaction in (recorder.get("interactions") or {}).items():
                interactions[f"{scope}/{case_id}"] = interaction
            for case_id, checks in (recorder.get("checks") or {}).items():
                key = f"{scope}/{case_id}"
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    message = (failure.get("message") or failure.get("title") or "").strip()
                    first_line = normalise(message.splitlines()[0]) if message else ""
                    operation = failure.get("operation") or labels.get(key) or scenario_label
                    group = (check.get("name", "?"), operation, first_line)
                    if (group, key) in seen_failures:
                        continue
                    seen_failures.add((group, key))
                    failures[group].append(key)

    writes = Counter()
    reads = Counter()
    positive_writes = Counter()
    per_phase = Counter()
    for key, interaction in interactions.items():
        request = interaction.get("request") or {}
        response = interaction.get("response")
        method = request.get("method", "?")
        result = outcome(response)
        per_phase[phases.get(key, "?")] += 1
        if method in WRITE_METHODS:
            writes[result] += 1
            if modes.get(key) == "positive":
                positive_writes[result] += 1
        else:
            reads[result] += 1

    cases = len(interactions)
    print(f"\n--- schemathesis on {store}: {cases} requests from distinct test cases "
          f"(phases: {', '.join(f'{p} {n}' for p, n in sorted(per_phase.items()))})")

    def table(title: str, counter: Counter) -> None:
        total = sum(counter.values())
        print(f"  {title}: {total}")
        for result, count in sorted(counter.items(), key=lambda item: (item[0].split()[0], -item[1], item[0])):
            print(f"    {count:6d}  {result}")

    table("writes (POST/PUT/DELETE)", writes)
    table("reads (GET and others)", reads)
    executed = positive_writes.get("201", 0)
    replayed = positive_writes.get("200", 0)
    refused = sum(count for result, count in positive_writes.items() if result not in ("201", "200"))
    schema_valid = sum(positive_writes.values())
    executed_share = executed / schema_valid if schema_valid else 0.0
    print(f"  schema-valid (positive) writes: {schema_valid}: "
          f"{executed} executed (201, {executed_share:.0%}), {replayed} replayed (200), {refused} refused")
    for result, count in positive_writes.most_common():
        if result not in ("201", "200"):
            print(f"    {count:6d}  {result}")

    total_failures = sum(len(keys) for keys in failures.values())
    print(f"  check failures: {total_failures} failing checks in {len(failures)} distinct groups")
    for (check, operation, first_line), keys in sorted(failures.items()):
        print(f"\n  [{check}] {operation} x{len(keys)}\n    {first_line}")
        interaction = interactions.get(keys[0])
        if interaction is None:
            continue
        request = interaction.get("request") or {}
        response = interaction.get("response")
        url = urlsplit(request.get("uri", ""))
        target = url.path + (f"?{url.query}" if url.query else "")
        key_header = header(request.get("headers"), "Idempotency-Key")
        body = decode(request.get("body")).decode("utf-8", "replace")
        example = f"{request.get('method', '?')} {target}"
        if key_header is not None:
            example += f"  Idempotency-Key: {key_header!r}"
        content_type = header(request.get("headers"), "Content-Type")
        if content_type and content_type != "application/json":
            example += f"  Content-Type: {content_type}"
        print(f"    e.g. ({modes.get(keys[0], '?')}, {phases.get(keys[0], '?')}) {example}")
        if body:
            print(f"         body {shorten(body, EXAMPLE_BODY_CHARS)}")
        if response is not None:
            answer = decode(response.get("content")).decode("utf-8", "replace")
            print(f"         -> {response['status_code']} {shorten(answer, EXAMPLE_BODY_CHARS)}")

    if cases < min_cases:
        print(f"\n  FAIL: only {cases} test cases ran on {store}; at least {min_cases} are required", file=sys.stderr)
        return 1
    if executed_share < min_executed_share:
        print(f"\n  FAIL: {executed} of {schema_valid} schema-valid writes executed on {store} "
              f"({executed_share:.0%}); at least {min_executed_share:.0%} are required", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
