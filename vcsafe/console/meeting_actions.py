"""What an organiser does to a meeting from its page, besides editing it: cancel it, apply a
fix from the safety checklist, move it to the newest version of its code of conduct, remove
someone from it."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from vcsafe.app import interactive_providers_of, secrets_of, settings_of
from vcsafe.console.access import found_or_404, owned_meeting
from vcsafe.console.forms import ConfirmForm
from vcsafe.db import db
from vcsafe.formatting import counted
from vcsafe.models import utcnow
from vcsafe.services import cancellation, codes, meetings, removal, safety_fixes
from vcsafe.services.checklist import Fix
from vcsafe.services.errors import DomainError

bp = Blueprint("meeting_actions", __name__, url_prefix="/console/meetings")


@bp.post("/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id: int) -> Response:
    meeting = owned_meeting(meeting_id)
    try:
        told = meetings.cancel_meeting(
            db.session,
            meeting,
            provider_for=interactive_providers_of(current_app),
            box=secrets_of(current_app),
            actor=current_user,
            now=utcnow(),
        )
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        notice_time = counted(
            cancellation.CANCELLATION_NOTICE_TIME // timedelta(minutes=1), "minute"
        )
        flash(
            "The meeting was cancelled at the provider. "
            f"{counted(told, 'registrant')} {'is' if told == 1 else 'are'} emailed that it is "
            f"cancelled; their data is deleted at the first cleanup after {notice_time}, once "
            "the emails have gone.",
            "success",
        )
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/fix")
@login_required
def fix(meeting_id: int) -> Response:
    meeting = owned_meeting(meeting_id)
    try:
        chosen = Fix(request.form.get("fix", ""))
        account = meeting.provider_account
        if account is None:
            raise DomainError("The meeting's account was disconnected.")
        done = safety_fixes.apply_fix(
            db.session,
            meeting,
            chosen,
            interactive_providers_of(current_app)(account),
            box=secrets_of(current_app),
            actor=current_user,
        )
    except ValueError:
        flash("That is not a fix vcsafe knows.", "error")
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#checklist")


@bp.post("/<int:meeting_id>/code-of-conduct/latest")
@login_required
def newest_code(meeting_id: int) -> Response:
    meeting = owned_meeting(meeting_id)
    try:
        version = codes.move_to_latest(
            db.session,
            meeting,
            actor=current_user,
            now=utcnow(),
            base_url=settings_of(current_app).base_url,
            box=secrets_of(current_app),
        )
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            f"The meeting now uses version {version.number}. Registrants who accepted an older "
            "version are asked to accept this one.",
            "success",
        )
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/registrants/<int:registrant_id>/remove")
@login_required
def confirm_removal(meeting_id: int, registrant_id: int) -> str:
    meeting = owned_meeting(meeting_id)
    registrant = found_or_404(lambda: removal.registrant_of(db.session, meeting, registrant_id))
    return render_template(
        "console/remove_registrant.html", m=meeting, r=registrant, form=ConfirmForm()
    )


@bp.post("/<int:meeting_id>/registrants/<int:registrant_id>/remove")
@login_required
def remove_registrant(meeting_id: int, registrant_id: int) -> Response:
    meeting = owned_meeting(meeting_id)
    try:
        removed = found_or_404(
            lambda: removal.remove(
                db.session,
                meeting,
                registrant_id,
                provider_for=interactive_providers_of(current_app),
                actor=current_user,
            )
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(
            url_for(
                "meeting_actions.confirm_removal",
                meeting_id=meeting_id,
                registrant_id=registrant_id,
            )
        )
    db.session.commit()
    flash(_removed_in_words(removed), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#people")


def _removed_in_words(removed: removal.Removed) -> str:
    # No name: a flashed message travels in the session cookie.
    said = "The registrant was removed from the meeting and cannot register for it again."
    if removed.shared_link:
        return (
            f"{said} Teams gives everyone the same joining link, which vcsafe cannot withdraw "
            "from one person: if they come to the lobby, do not admit them."
        )
    if removed.link_deleted:
        return (
            f"{said} Their personal joining link no longer works. If they are in the meeting "
            "now, remove them in Zoom as well (Participants, then Remove)."
        )
    return f"{said} They had not been sent a joining link, and will not be."
