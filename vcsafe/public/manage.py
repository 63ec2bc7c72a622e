"""The registrant's private page, reached by the link in their email.

The link's token is swapped for a session cookie at once, so it does not linger in the address
bar, the browser history or Referer headers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from vcsafe.app import interactive_providers_of, mail_eraser_of, secrets_of, settings_of
from vcsafe.console.forms import ConfirmForm
from vcsafe.crypto import hash_token
from vcsafe.db import db
from vcsafe.extensions import limiter
from vcsafe.formatting import counted
from vcsafe.models import Meeting, Registrant, RegistrantStatus, utcnow
from vcsafe.providers.base import ProviderError
from vcsafe.public.forms import CorrectNamesForm
from vcsafe.services import erasure, manage, rectification, safety_fixes
from vcsafe.services.errors import DomainError

bp = Blueprint("manage", __name__, url_prefix="/manage")
SESSION_KEY = "manage_token_hash"


@bp.after_request
def _no_referrer(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _current() -> Registrant:
    token_hash = session.get(SESSION_KEY, "")
    registrant = (
        manage.find_by_token_hash(db.session, token_hash, now=utcnow()) if token_hash else None
    )
    if registrant is None:
        abort(404)
    return registrant


@bp.get("/<token>")
@limiter.limit("30 per minute")
def arrive(token: str) -> Response:
    if manage.find_by_token(db.session, token, now=utcnow()) is None:
        abort(404)
    session[SESSION_KEY] = hash_token(token)
    return redirect(url_for("manage.page"))


@bp.get("")
def page() -> str:
    registrant = _current()
    names = CorrectNamesForm(
        data={"name": registrant.name, "guardian_name": registrant.guardian_name}
    )
    return _page(registrant, names)


def _page(registrant: Registrant, names: CorrectNamesForm) -> str:
    held = manage.everything_held(db.session, registrant, secrets_of(current_app))
    meeting = db.session.get(Meeting, registrant.meeting_id)
    assert meeting is not None  # a registrant goes with their meeting
    return render_template(
        "public/manage.html",
        registrant=registrant,
        meeting=meeting,
        held=held,
        recording=manage.recording_consent(db.session, registrant),
        needs_code=not manage.accepted_current_code(db.session, registrant),
        register_again=manage.can_register_again(db.session, registrant, meeting, now=utcnow()),
        form=ConfirmForm(),
        names=names,
    )


@bp.post("/correct")
@limiter.limit("10 per hour")
def correct() -> str | Response | tuple[str, int]:
    """Correct the names given; a wrong one re-renders the page with the reason."""
    registrant = _current()
    if registrant.status is not RegistrantStatus.ACTIVE:  # the page offers no form then
        flash("Only a registration that is still active can be corrected.", "error")
        return redirect(url_for("manage.page"))
    names = CorrectNamesForm()
    if not names.validate_on_submit():
        return _page(registrant, names), 400
    try:
        corrected = rectification.correct_names(
            db.session,
            registrant,
            name=names.name.data or "",
            guardian_name=names.guardian_name.data or "",
            provider_for=interactive_providers_of(current_app),
            now=utcnow(),
        )
    except rectification.CorrectionError as exc:
        db.session.rollback()
        target = names.guardian_name if exc.field == "guardian_name" else names.name
        target.errors = [*target.errors, str(exc)]
        return _page(registrant, names), 400
    db.session.commit()
    flash(
        "Your name is corrected. A new joining link is on its way by email; the old one no "
        "longer works."
        if corrected.new_link
        else "Your name is corrected.",
        "success",
    )
    return redirect(url_for("manage.page"))


@bp.get("/data.json")
def download() -> Response:
    registrant = _current()
    held = manage.everything_held(db.session, registrant, secrets_of(current_app))
    body = json.dumps(held, indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-vcsafe-data.json"'},
    )


@bp.post("/withdraw-recording")
def withdraw_recording() -> Response:
    registrant = _current()
    try:
        cancelled = manage.withdraw_recording(db.session, registrant, now=utcnow())
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("manage.page"))
    db.session.commit()
    _recording_off(registrant)
    if cancelled:
        flash(
            "Your consent to recording is withdrawn. Recording is a condition of joining this "
            "meeting, so your registration is cancelled and your data will be deleted.",
            "info",
        )
    else:
        flash(
            "Your consent to recording is withdrawn. The organisers are told, and automatic "
            "recording is switched off.",
            "success",
        )
    return redirect(url_for("manage.page"))


@bp.post("/give-recording-consent")
def give_recording_consent() -> Response:
    return _decide(
        manage.give_recording_consent,
        "Thank you: your consent to recording is on record. The organisers can see it; "
        "you can withdraw it here at any time.",
    )


@bp.post("/stop-future-contact")
def stop_future_contact() -> Response:
    return _decide(
        manage.stop_future_contact,
        "Done: you will not be emailed about future events, and nothing of you is kept for "
        "that once your registration's data is deleted.",
    )


@bp.post("/start-future-contact")
def start_future_contact() -> Response:
    return _decide(
        manage.start_future_contact,
        "Thank you: you may be emailed about future events. You can stop this here, or later "
        "with the link in the email that says your details were kept.",
    )


@bp.post("/accept-code")
def accept_code() -> Response:
    return _decide(manage.accept_code, "Thank you: you accepted the current code of conduct.")


@bp.post("/cancel")
def cancel() -> Response:
    minutes = settings_of(current_app).cleanup_interval_minutes
    return _decide(
        manage.cancel,
        "Your registration is cancelled. Your data will be deleted at the next cleanup, "
        f"within {counted(minutes, 'minute')}.",
    )


class _Decision(Protocol):
    def __call__(self, session: Session, registrant: Registrant, *, now: datetime) -> object: ...


def _decide(decision: _Decision, done: str) -> Response:
    """Record one of the person's decisions and say so, or say why it could not be."""
    try:
        decision(db.session, _current(), now=utcnow())
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("manage.page"))


@bp.post("/erase")
def erase() -> str | Response:
    registrant = _current()
    manage.request_erasure(db.session, registrant, box=secrets_of(current_app), now=utcnow())
    db.session.commit()  # the request is on record before anything else can fail
    erased = erasure.erase_now_or_later(
        db.session,
        registrant,
        provider_for=interactive_providers_of(current_app),
        erase_mail_copies=mail_eraser_of(current_app),
        reason="erasure requested",
    )
    session.pop(SESSION_KEY, None)
    if not erased:
        return render_template(
            "public/erased.html",
            pending=True,
            retry_every=counted(settings_of(current_app).cleanup_interval_minutes, "minute"),
        )
    return render_template("public/erased.html", pending=False)


def _recording_off(registrant: Registrant) -> None:
    meeting = db.session.get(Meeting, registrant.meeting_id)
    if meeting is None:
        return
    try:
        provider_for = interactive_providers_of(current_app)
        if safety_fixes.enforce_recording_refusals(db.session, meeting, provider_for):
            db.session.commit()
    except ProviderError:
        db.session.rollback()  # the worker switches it off on its next run
