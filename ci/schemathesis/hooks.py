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

3. A generator that knows only the document draws references at random (a
   payment's `invoice_id`, the invoice a void names) and repeats its favourite
   values (the same email, account code or period in every case), so most
   schema-valid writes would stop at a 404 or at a uniqueness rule and never
   reach the deeper paths. For cases generated as schema-valid, `before_call`
   therefore points three of every four references at records this run created
   (learnt from the 201 answers in `after_call`; an action such as a void or an
   approval takes a record no earlier action took), and gives a value that must
   be unique and was already sent a fresh one that keeps its schema. The fourth
   reference keeps its generated value, so missing references are still
   exercised. Every edit keeps the case schema-valid (schemathesis revalidates
   it), and no edit touches a case that tests invalid data.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections import defaultdict

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
    if not _tests_the_key_header(case):
        headers[name] = _fresh_key(headers[name], _key_schema(case))
    if _generated_as_valid(case):
        _deepen(case)


@schemathesis.hook
def after_call(context, case, response):
    if response.status_code != 201:
        return
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return
    if isinstance(body, dict) and isinstance(body.get("id"), str) and isinstance(body.get("object"), str):
        _created[body["object"]].append(body["id"])


# --- 3. references that exist, unique values still free -----------------------

# The records each 201 created, by their `object`, in creation order.
_created: dict[str, list[str]] = defaultdict(list)
# Per kind, the records an action (void, delete, approve) already named.
_acted_on: dict[str, set[str]] = defaultdict(set)
# Values sent so far for each field that must be unique.
_sent: dict[str, set[str]] = defaultdict(set)
_reference_counter = itertools.count(1)
_unique_counter = itertools.count(1)

# Body members that name a record, and the record's `object`.
BODY_REFERENCES = {
    "customer_id": "customer",
    "vendor_id": "vendor",
    "invoice_id": "invoice",
    "payment_id": "payment",
    "account_id": "account",
}
# Path ids: the record's `object`, and whether the operation is a one-time
# action on it (a second void of one invoice is a business-rule refusal).
PATH_REFERENCES = {
    ("POST", "/v1/invoices/{id}/void"): ("invoice", True),
    ("DELETE", "/v1/customers/{id}"): ("customer", True),
    ("POST", "/v1/payroll-runs/{id}/approve"): ("payroll_run", True),
    ("PUT", "/v1/users/{id}/role"): ("user", False),
    ("PUT", "/v1/bank-accounts/{id}"): ("bank_account", False),
}
# Body members that must be unique per tenant (or are one-time, as a period
# close is), by operation.
UNIQUE_BODY_MEMBERS = {("POST", "/v1/users"): "email", ("POST", "/v1/accounts"): "code"}
UNIQUE_PATH_PARAMETERS = {("POST", "/v1/periods/{period}/close"): "period"}


def _existing(kind: str, generated, one_time: bool):
    """An id of a record of `kind` to send instead of `generated`, or None to keep it."""
    known = _created.get(kind) or []
    if generated in known:
        return None
    # Every fourth reference keeps its generated value: 404s stay exercised.
    if next(_reference_counter) % 4 == 0:
        return None
    candidates = [i for i in reversed(known) if not (one_time and i in _acted_on[kind])]
    if not candidates:
        return None
    chosen = candidates[0]
    if one_time:
        _acted_on[kind].add(chosen)
    return chosen


def _unique(generated, schema: dict, field: str, scope: str):
    """`generated` if this field never carried it; else a fresh value its schema admits."""
    sent = _sent[scope]
    if not isinstance(generated, str) or generated not in sent:
        if isinstance(generated, str):
            sent.add(generated)
        return generated
    if field == "period":
        # YYYY-MM: the next month from 1900-01 on that was not closed yet.
        for n in itertools.count(next(_unique_counter)):
            candidate = f"{1900 + n // 12:04d}-{n % 12 + 1:02d}"
            if candidate not in sent:
                sent.add(candidate)
                return candidate
    tag = f"u{next(_unique_counter)}"
    if field == "email":
        local, _, domain = generated.partition("@")
        candidate = f"{tag}.{local}@{domain}"
        if len(candidate) > schema.get("maxLength", 254):
            candidate = f"{tag}@{domain[: schema.get('maxLength', 254) - len(tag) - 1]}"
    else:
        room = schema.get("maxLength", 20)
        candidate = (generated[: max(room - len(tag) - 1, 0)] + "." + tag)[-room:]
    if _admitted(candidate, schema):
        sent.add(candidate)
        return candidate
    return generated


def _property_schema(case, member: str) -> dict:
    """The schema of one request-body member, read from the document itself."""
    try:
        document = case.operation.schema.raw_schema
        operation = document["paths"][case.operation.path][case.operation.method.lower()]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        found = schema["properties"][member]
    except (AttributeError, KeyError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def _path_schema(case, name: str) -> dict:
    for parameter in case.operation.path_parameters:
        if parameter.name == name:
            schema = parameter.definition.get("schema")
            return schema if isinstance(schema, dict) else {}
    return {}


def _deepen(case) -> None:
    route = (case.operation.method.upper(), case.operation.path)
    if route in PATH_REFERENCES and isinstance(case.path_parameters, dict) and "id" in case.path_parameters:
        kind, one_time = PATH_REFERENCES[route]
        existing = _existing(kind, case.path_parameters["id"], one_time)
        if existing is not None:
            case.path_parameters["id"] = existing
    if route in UNIQUE_PATH_PARAMETERS and isinstance(case.path_parameters, dict):
        name = UNIQUE_PATH_PARAMETERS[route]
        if name in case.path_parameters:
            case.path_parameters[name] = _unique(
                case.path_parameters[name], _path_schema(case, name), name, f"{route}:{name}"
            )
    body = case.body
    if not isinstance(body, dict):
        return
    for member, kind in BODY_REFERENCES.items():
        if member in body:
            existing = _existing(kind, body[member], False)
            if existing is not None:
                body[member] = existing
    for line in body.get("lines") or []:
        if isinstance(line, dict) and "account_id" in line:
            existing = _existing("account", line["account_id"], False)
            if existing is not None:
                line["account_id"] = existing
    if route in UNIQUE_BODY_MEMBERS:
        member = UNIQUE_BODY_MEMBERS[route]
        if member in body:
            body[member] = _unique(body[member], _property_schema(case, member), member, f"{route}:{member}")


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
