"""The public registration page of a meeting, at an unguessable address."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from vcsafe.app import secrets_of, settings_of
from vcsafe.db import db
from vcsafe.extensions import limiter
from vcsafe.models import Meeting, Organisation, utcnow
from vcsafe.public.forms import RegistrationForm
from vcsafe.services import public_meetings, registration
from vcsafe.services.public_meetings import SnapshotCache
from vcsafe.services.registration import NoticesChanged, RegistrationClosed, RegistrationError

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)


@bp.record_once
def _init(state: BlueprintSetupState) -> None:
    state.app.extensions["vcsafe.public_pages"] = SnapshotCache()


def _pages() -> SnapshotCache:
    """This app's cache of meetings' public pages (see services/public_meetings.py)."""
    pages: SnapshotCache = current_app.extensions["vcsafe.public_pages"]
    return pages


@bp.after_request
def _no_referrer(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _per_address() -> str:
    return str(current_app.config["REGISTRATION_LIMIT_PER_ADDRESS"])


def _per_meeting() -> str:
    return str(current_app.config["REGISTRATION_LIMIT_PER_MEETING"])


def _meeting_key() -> str:
    return "register:" + (request.view_args or {}).get("slug", "")


@bp.route("/m/<slug>", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_per_meeting, methods=["POST"], key_func=_meeting_key)
def register(slug: str) -> str | Response | tuple[str, int]:
    session = db.session
    live = public_meetings.availability(session, slug)  # read now, every time
    meeting = _pages().get(session, slug, live.updated_at) if live else None
    if live is None or meeting is None:
        abort(404)
    shown = request.form.get("notices_digest", "") if request.method == "POST" else ""
    if shown and shown != meeting.digest:
        # The page may come from another process whose copy is newer than this one's.
        meeting = _pages().load(session, slug) or meeting
    form = RegistrationForm()
    form.configure(meeting)
    now = utcnow()
    closed = registration.closed_reason(live, now=now)
    changed = None
    status = 200
    if request.method == "POST":
        if form.website.data:  # the honeypot: answer as if it worked, store nothing
            log.info("registration honeypot triggered for meeting %s", meeting.id)
            return redirect(url_for("public.registered", slug=slug))
        valid = form.validate_on_submit()
        if form.validate_for(meeting) and valid:
            try:
                registration.register(
                    session,
                    meeting,
                    live,
                    form.registration(meeting),
                    now=now,
                    base_url=settings_of(current_app).base_url,
                    box=secrets_of(current_app),
                )
            except RegistrationClosed as exc:
                session.rollback()
                closed = str(exc)
            except NoticesChanged as exc:
                session.rollback()
                changed = str(exc)
            except RegistrationError as exc:
                session.rollback()
                target = getattr(form, exc.field or "", None) or form.name
                target.errors = [*target.errors, str(exc)]
            else:
                session.commit()
                return redirect(url_for("public.registered", slug=slug))
        status = 409 if closed or changed else 400
    return render_template(
        "public/register.html", meeting=meeting, form=form, closed=closed, changed=changed
    ), status


@bp.get("/m/<slug>/registered")
def registered(slug: str) -> str:
    meeting, organisation = _load(slug)
    return render_template("public/registered.html", meeting=meeting, organisation=organisation)


def _load(slug: str) -> tuple[Meeting, Organisation]:
    meeting = public_meetings.meeting_by_slug(db.session, slug)
    if meeting is None:
        abort(404)
    return meeting, meeting.organisation
