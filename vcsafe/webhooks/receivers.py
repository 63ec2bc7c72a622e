"""POST /webhooks/zoom/<account> and /webhooks/teams/<account>.

A bad signature, a stale or replayed delivery, or a wrong clientState is answered 401.
Payloads are never stored or logged: they carry personal data.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from vcsafe.app import interactive_providers_of, secrets_of, settings_of
from vcsafe.db import db
from vcsafe.extensions import csrf
from vcsafe.models import ProviderKind, utcnow
from vcsafe.providers.base import (
    InboundWebhook,
    ProviderError,
    WebhookChallenge,
    WebhookRejected,
)
from vcsafe.services import webhook_intake
from vcsafe.services.errors import NotFound

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
log = logging.getLogger(__name__)


def _receive(kind: ProviderKind, account_id: int) -> Response | tuple[Response, int]:
    try:
        account = webhook_intake.account_for(db.session, kind, account_id)
    except NotFound:
        abort(404)
    inbound = InboundWebhook(
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.get_data(cache=False),
        query=request.args.to_dict(),
    )
    try:
        provider = interactive_providers_of(current_app)(account)
        result = webhook_intake.receive(
            db.session,
            account,
            provider,
            inbound,
            box=secrets_of(current_app),
            base_url=settings_of(current_app).base_url,
            now=utcnow(),
        )
        db.session.commit()
    except WebhookRejected as exc:
        db.session.rollback()
        log.warning("%s webhook for account %s refused: %s", kind.value, account_id, exc)
        return jsonify(error=str(exc)), 401
    except IntegrityError:  # the same delivery raced in twice
        db.session.rollback()
        return jsonify(error="this delivery was already received (replay)"), 401
    except ProviderError as exc:
        # Verified, but vcsafe could not look something up at the provider: ask it to resend.
        db.session.rollback()
        log.warning("%s webhook for account %s deferred: %s", kind.value, account_id, exc)
        return jsonify(error="temporarily unavailable; please resend"), 503
    if isinstance(result, WebhookChallenge):
        return Response(result.body, status=200, content_type=result.content_type)
    log.info("%s webhook for account %s: %s", kind.value, account_id, "; ".join(result.outcomes))
    return jsonify(status="ok"), 200


@bp.post("/zoom/<int:account_id>")
def zoom(account_id: int) -> Response | tuple[Response, int]:
    return _receive(ProviderKind.ZOOM, account_id)


@bp.post("/teams/<int:account_id>")
def teams(account_id: int) -> Response | tuple[Response, int]:
    return _receive(ProviderKind.TEAMS, account_id)
