"""Schemathesis hooks for the AccuBooks service (loaded through SCHEMATHESIS_HOOKS).

Two things the generic fuzzer cannot know about this API:

1. Every write is keyed by `Idempotency-Key`. Generated keys repeat (`"!"`, the
   spec's examples), so without help most writes would be replays or key
   mismatches of earlier, unrelated requests and the fuzzer would never reach the
   handlers. `before_call` gives every call a fresh key, except in the cases that
   test the header itself: a negative header (missing, too long, bad
   characters) or a coverage case whose subject is the header's own boundaries.
   The fresh key keeps the generated one's form, characters and length and only
   makes it unique (a counter with a per-run prefix, written into its tail), so
   every schema-valid case still exercises the key parser with a key the schema
   admits; if that edit would leave the header's schema, a plain counter key is
   sent instead. No random source: a seeded run sends the same keys every time.

2. A schema-valid request may still meet a business rule (`overpayment`,
   `period_closed`, ...: 422 with a documented rule code) or name a record that
   does not exist (404). Schemathesis's generic `positive_data_acceptance` check
   counts both as failures, so the script disables it and this file registers
   `schema_valid_request_refused_for_shape` instead: it fails only when a request
   generated as schema-valid is refused for its shape, i.e. the OpenAPI document
   admitted something the server rejects as malformed.
"""

from __future__ import annotations

import itertools
import json
import os
import re

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, CoveragePhaseData

KEY_HEADER = "Idempotency-Key"

# Problem codes that mean "your request is malformed", as opposed to a business
# rule (stored and replayed) or a missing reference. The key codes are here
# because the header has a schema too: a key the schema admits must parse.
SHAPE_REFUSAL_CODES = frozenset(
    {
        "invalid_body",
        "invalid_json",
        "validation_failed",
        "invalid_idempotency_key",
        "missing_idempotency_key",
    }
)
SHAPE_REFUSAL_STATUSES = frozenset({400, 422})

_KEY_PREFIX = os.environ.get("ACCUBOOKS_SCHEMATHESIS_KEY_PREFIX", "st")
_key_counter = itertools.count(1)


def _header_name(headers: dict, wanted: str) -> str | None:
    for name in headers:
        if name.lower() == wanted.lower():
            return name
    return None


def _tests_the_key_header(case) -> bool:
    meta = case.meta
    if meta is None:
        return False
    if meta.is_negative_at(ParameterLocation.HEADER):
        return True
    data = meta.phase.data
    parameter = getattr(data, "parameter", None)
    location = getattr(data, "parameter_location", None)
    return (
        parameter is not None
        and parameter.lower() == KEY_HEADER.lower()
        and location == ParameterLocation.HEADER
    )


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers
    if headers is None:
        return
    name = _header_name(headers, KEY_HEADER)
    if name is None:
        # Absent: either the operation takes no key or this case tests its absence.
        return
    if _tests_the_key_header(case):
        return
    headers[name] = _fresh_key(headers[name], _key_schema(case))


def _key_schema(case) -> dict:
    for parameter in case.operation.headers:
        if parameter.name.lower() == KEY_HEADER.lower():
            schema = parameter.definition.get("schema")
            return schema if isinstance(schema, dict) else {}
    return {}


def _admitted(value: str, schema: dict) -> bool:
    if len(value) < schema.get("minLength", 1) or len(value) > schema.get("maxLength", 255):
        return False
    pattern = schema.get("pattern")
    if pattern is None:
        return True
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def _fresh_key(generated, schema: dict) -> str:
    unique = f"{_KEY_PREFIX}-{next(_key_counter):07d}"
    plain = unique
    if not isinstance(generated, str) or not generated:
        return plain
    quoted = len(generated) >= 2 and generated.startswith('"') and generated.endswith('"')
    inner = generated[1:-1] if quoted else generated
    room = schema.get("maxLength", 255) - (2 if quoted else 0)
    tail = "." + unique
    if len(inner) + len(tail) > room:
        # Keep the generated length (boundary lengths are the point): overwrite the tail.
        inner = inner[: max(len(inner) - len(tail), 0)]
        if quoted:
            # Never leave half of a backslash escape in front of the suffix.
            trailing = len(inner) - len(inner.rstrip("\\"))
            if trailing % 2:
                inner = inner[:-1]
    candidate = f'"{inner}{tail}"' if quoted else inner + tail
    return candidate if _admitted(candidate, schema) else plain


def _problem_code(response) -> str | None:
    content_type = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    if "json" not in content_type:
        return None
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _problem_detail(response) -> str:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return ""
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
    return ""


def _generated_as_valid(case) -> bool:
    meta = case.meta
    if meta is None:
        return False
    if not meta.generation.mode.is_positive:
        return False
    if any(info.mode.is_negative for info in meta.components.values()):
        return False
    data = meta.phase.data
    # Wrong methods and content types are sent on purpose even by "positive" probes.
    if isinstance(data, CoveragePhaseData) and data.scenario in REQUEST_SHAPE_PROBES:
        return False
    return True


@schemathesis.check
def schema_valid_request_refused_for_shape(ctx, response, case):
    """A request the OpenAPI document admits must not be refused as malformed."""
    if response.status_code not in SHAPE_REFUSAL_STATUSES:
        return None
    if not _generated_as_valid(case):
        return None
    code = _problem_code(response)
    if code not in SHAPE_REFUSAL_CODES:
        return None
    detail = _problem_detail(response)
    raise AssertionError(
        f"Schema-valid request refused for its shape: {response.status_code} {code}"
        + (f": {detail}" if detail else "")
    )
