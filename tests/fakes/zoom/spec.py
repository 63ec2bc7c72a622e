"""Zoom's Meetings API and webhook descriptions, loaded for validating the fake's traffic."""

from __future__ import annotations

import copy
import functools
from typing import Any

from tests.fakes.server import load_spec_dict, specs_available

MEETINGS_SPEC = "zoom/ZoomMeetingsAPI.endpoints.json"
WEBHOOKS_SPEC = "zoom/ZoomMeetingsWebhooks.webhooks.json"


def zoom_specs_available() -> bool:
    """Whether Zoom's descriptions are there to validate against."""
    return specs_available()


@functools.cache
def _meetings_openapi() -> Any:
    """Zoom's Meetings API for openapi-core, loaded once per process."""
    from openapi_core import Config, OpenAPI

    spec = copy.deepcopy(load_spec_dict(MEETINGS_SPEC))
    spec["servers"] = [{"url": "/v2"}]
    spec.pop("security", None)  # the fake checks bearer tokens itself
    for path in spec["paths"].values():
        for operation in path.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    # Checking Zoom's own file against the OpenAPI schema takes seconds and finds nothing
    # (it is Zoom's published description): skipped, the requests are still validated.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@functools.cache
def _strict_webhooks() -> dict[str, Any]:
    """Zoom's webhook schemas, where an object that does not say otherwise takes no fields
    beyond those it lists: the fake must not invent fields (vcsafe, receiving, accepts them)."""
    webhooks: dict[str, Any] = copy.deepcopy(load_spec_dict(WEBHOOKS_SPEC)["webhooks"])
    _close_objects(webhooks)
    return webhooks


def _close_objects(node: Any, closable: bool = True) -> None:
    if isinstance(node, list):
        for item in node:
            _close_objects(item, closable)
        return
    if not isinstance(node, dict):
        return
    if closable and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for key, value in node.items():
        # A branch of allOf/anyOf/oneOf lists only part of the fields: it stays open.
        _close_objects(value, key not in ("allOf", "anyOf", "oneOf"))


@functools.cache
def _webhook_validator(event: str) -> Any:
    from openapi_schema_validator import OAS31Validator

    webhooks = _strict_webhooks()
    schema = webhooks[event]["post"]["requestBody"]["content"]["application/json"]["schema"]
    components = load_spec_dict(WEBHOOKS_SPEC).get("components", {})
    # Some of Zoom's $refs still point into "#/paths/..." (the file's paths became webhooks):
    # the same webhooks under "paths" lets them resolve.
    root = schema | {"components": components, "paths": webhooks}
    return OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)
