"""Every route of the app, with real objects to fill its URL: what the security walks iterate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tests import factories
from vcsafe.models import Organisation

# How to make an object of an organisation for each kind of id a console URL takes.
# A new console route with a new kind of id must add a line here, or the walks fail.
OBJECT_FACTORIES: dict[str, Callable[[Session, Organisation, Flask], Any]] = {
    "user_id": lambda s, org, app: factories.user(s, org),
    "meeting_id": lambda s, org, app: factories.meeting(s, org),
    "account_id": lambda s, org, app: factories.provider_account(s, org),
    "registrant_id": lambda s, org, app: factories.registrant(s, factories.meeting(s, org)),
    "incident_id": lambda s, org, app: factories.incident(s, org),
    "code_of_conduct_id": lambda s, org, app: factories.code_of_conduct(s, org).code_of_conduct,
    "version_id": lambda s, org, app: factories.code_of_conduct(s, org),
    "receipt_id": lambda s, org, app: factories.receipt(s, org),
    "email_id": lambda s, org, app: factories.sent_email(s, org, app),
}

PUBLIC_ENDPOINTS = {"static", "auth.sign_in", "auth.sign_out", "health.healthz", "index"}
PUBLIC_BLUEPRINTS = ("public.", "manage.", "contacts.", "webhooks.")


def console_rules(app: Flask) -> list[Any]:
    """The routes only signed-in organisers and admins may use."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS and not rule.endpoint.startswith(PUBLIC_BLUEPRINTS)
    ]
    assert rules, "no console routes found"
    return rules


def methods(rule: Any) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def fill(rule: Any, values: dict[str, Any]) -> str:
    """The rule's URL with its variables replaced by `values`."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def objects_for(app: Flask, session: Session, org: Organisation, rule: Any) -> dict[str, int]:
    """Make one object of `org` for each id the rule takes; a registrant in a meeting's URL is
    one of that meeting's."""
    unknown = rule.arguments - OBJECT_FACTORIES.keys()
    assert not unknown, f"{rule.rule}: add {unknown} to OBJECT_FACTORIES (tests/security)"
    made = {name: OBJECT_FACTORIES[name](session, org, app) for name in rule.arguments}
    if {"meeting_id", "registrant_id"} <= made.keys():
        made["registrant_id"] = factories.registrant(session, made["meeting_id"])
    return {name: obj.id for name, obj in made.items()}
