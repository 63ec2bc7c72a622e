"""The Graph OpenAPI description: loading it, and checking a request against it."""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from flask import request

from tests.fakes.server import SPECS_DIR, load_spec_dict, request_problem, specs_available

GRAPH_SPEC = "graph/graph-v1.0-subset.strict.json"
# Documented v1.0 calls the subset leaves out: answered, but not validated against it.
_HAND_CODED = [
    ("GET", re.compile(r"^/v1\.0/users/[^/]+(/drive)?$")),
    ("POST", re.compile(r"^/v1\.0/drives/[^/]+/items/[^/]+/permanentDelete$")),
]


def graph_specs_available() -> bool:
    """Whether the Graph description is there to validate against."""
    return specs_available() and (SPECS_DIR / GRAPH_SPEC).exists()


@functools.cache
def _graph_openapi() -> Any:
    from openapi_core import OpenAPI

    spec = copy.deepcopy(load_spec_dict(GRAPH_SPEC))
    spec["servers"] = [{"url": "/v1.0"}]
    # The fake checks bearer tokens itself; openapi-core would only warn about oauth2.
    spec.pop("security", None)
    return OpenAPI.from_dict(spec)


@functools.cache
def _schema_validator(name: str) -> Any:
    from openapi_schema_validator import OAS30Validator

    components = load_spec_dict(GRAPH_SPEC)["components"]
    return OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": components})


def _spec_problem() -> str | None:
    from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest

    problem = request_problem(_graph_openapi(), WerkzeugOpenAPIRequest(request))
    if problem:
        return problem
    body = request.get_json(silent=True) if request.data else None
    schema = None
    if request.path.startswith("/v1.0/subscriptions"):
        schema = "microsoft.graph.subscription"
    elif request.method in ("POST", "PATCH") and "/onlineMeetings" in request.path:
        schema = "microsoft.graph.onlineMeeting"
    if schema and isinstance(body, dict):
        unknown = _undeclared(body, {"$ref": f"#/components/schemas/{schema}"}, "")
        if unknown:
            return f"{unknown[0]}: the property does not exist on type '{schema}'"
    return None


def _declared(schema: dict[str, Any]) -> dict[str, Any] | None:
    """An object schema's declared properties (through $ref, allOf, anyOf), or None."""
    schemas = load_spec_dict(GRAPH_SPEC)["components"]["schemas"]
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return next((p for p in map(_declared, schema["anyOf"]) if p is not None), None)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged |= _declared(part) or {}
        return merged
    return schema.get("properties") if schema.get("type") == "object" else None


def _undeclared(value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    # OData refuses properties its types do not declare (onlineMeeting is not an open type).
    declared = _declared(schema) or {}
    found = []
    for key, inner in value.items():
        if key not in declared and not key.startswith("@odata."):
            found.append(f"{where}{key}")
        elif isinstance(inner, dict):
            found += _undeclared(inner, declared[key], f"{where}{key}/")
    return found
