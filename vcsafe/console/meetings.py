"""Meetings in the console: list, plan, see, brief the host, edit, send to the provider again.

What else an organiser does from a meeting's page is in meeting_actions.py (cancel, fix,
newest code of conduct) and consent_export.py (proof of consent as CSV)."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from vcsafe.app import interactive_providers_of, secrets_of
from vcsafe.console.access import owned_meeting
from vcsafe.console.forms import ConfirmForm
from vcsafe.console.meeting_form import MeetingForm
from vcsafe.db import db
from vcsafe.formatting import counted
from vcsafe.models import Meeting, utcnow
from vcsafe.services import (
    briefing,
    codes,
    meeting_lists,
    meeting_page,
    meetings,
    provider_accounts,
    registrant_push,
)
from vcsafe.services.checklist import Fix
from vcsafe.services.errors import DomainError

bp = Blueprint("meetings", __name__, url_prefix="/console/meetings")


def _form(meeting: Meeting | None = None) -> MeetingForm:
    org = current_user.organisation
    form = MeetingForm()
    form.fill_choices(
        provider_accounts.accounts_of(db.session, org.id),
        codes.versions_of_org(db.session, org.id),
    )
    if request.method == "GET":
        if meeting is not None:
            form.load(meeting)
        elif org.default_code_of_conduct_id:
            code = codes.get_code(db.session, org.id, org.default_code_of_conduct_id)
            latest = codes.latest_version(db.session, code)
            form.code_of_conduct_version_id.data = latest.id if latest else 0
    return form


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.get("")
@login_required
def index() -> str:
    when = "past" if request.args.get("when") == "past" else "upcoming"
    q = request.args.get("q", "")[:200]
    page = meeting_lists.list_meetings(
        db.session,
        current_user.organisation_id,
        when=when,
        q=q,
        page=_page_number(),
        now=utcnow(),
    )
    return render_template("console/meetings.html", page=page, when=when, q=q)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    form = _form()
    if form.validate_on_submit():
        try:
            meeting = meetings.plan_meeting(
                db.session,
                current_user.organisation,
                form.choices(),
                provider_for=interactive_providers_of(current_app),
                box=secrets_of(current_app),
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            _flash_outcome(meeting, "planned")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    status = 400 if form.errors else 200
    no_accounts = not form.provider_account_id.choices
    return render_template(
        "console/meeting_form.html", form=form, meeting=None, no_accounts=no_accounts
    ), status


@bp.get("/<int:meeting_id>")
@login_required
def show(meeting_id: int) -> str:
    meeting = owned_meeting(meeting_id)
    page = meeting_page.load(
        db.session,
        meeting,
        current_user.organisation,
        interactive_providers_of(current_app),
        box=secrets_of(current_app),
        q=request.args.get("q", "")[:200],
        page=_page_number(),
        actor=current_user,
        now=utcnow(),
    )
    db.session.commit()
    return render_template(
        "console/meeting.html",
        p=page,
        form=ConfirmForm(),
        Fix=Fix,
        failing_after=meeting_lists.FAILING_AFTER,
        longest_push_pause=counted(registrant_push.MAX_BACKOFF // timedelta(minutes=1), "minute"),
    )


@bp.get("/<int:meeting_id>/briefing")
@login_required
def host_briefing(meeting_id: int) -> str:
    """A page for the host to print or keep open: checks, opening words, what to do."""
    meeting = owned_meeting(meeting_id)
    return render_template(
        "console/briefing.html", m=meeting, b=briefing.brief(db.session, meeting)
    )


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int) -> str | Response | tuple[str, int]:
    meeting = owned_meeting(meeting_id)
    form = _form(meeting)
    if form.validate_on_submit():
        try:
            meetings.update_meeting(
                db.session,
                current_user.organisation,
                meeting,
                form.choices(),
                provider_for=interactive_providers_of(current_app),
                box=secrets_of(current_app),
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            _flash_outcome(meeting, "saved")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    status = 400 if form.errors else 200
    return render_template(
        "console/meeting_form.html", form=form, meeting=meeting, no_accounts=False
    ), status


@bp.post("/<int:meeting_id>/retry")
@login_required
def retry(meeting_id: int) -> Response:
    meeting = owned_meeting(meeting_id)
    meetings.push_to_provider(
        db.session,
        meeting,
        provider_for=interactive_providers_of(current_app),
        box=secrets_of(current_app),
        actor=current_user,
    )
    db.session.commit()
    _flash_outcome(meeting, "sent to the provider")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


def _flash_outcome(meeting: Meeting, verb: str) -> None:
    if meeting.provider_error:
        flash(meeting.provider_error, "error")
    else:
        flash(f"The meeting was {verb} with safe settings.", "success")
