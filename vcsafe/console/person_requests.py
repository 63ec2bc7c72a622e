"""A person's request about their data, made to the organisation (admins): look up what is
held under an email address, then email them their private links or erase it all.

Every step is a POST, so the address never appears in a URL, the browser's history or an
access log."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from vcsafe.app import interactive_providers_of, mail_eraser_of, secrets_of, settings_of
from vcsafe.console.access import admin_required
from vcsafe.console.forms import PersonRequestForm
from vcsafe.db import db
from vcsafe.formatting import counted
from vcsafe.models import utcnow
from vcsafe.services import subject_requests

bp = Blueprint("person_requests", __name__, url_prefix="/console")


@bp.route("/requests", methods=["GET", "POST"])
@admin_required
def lookup() -> str | tuple[str, int]:
    form = PersonRequestForm()
    if request.method == "GET":
        return render_template("console/person_request.html", form=form, held=None, done="")
    if not form.validate_on_submit():
        return render_template("console/person_request.html", form=form, held=None, done=""), 400
    organisation = current_user.organisation
    held = subject_requests.find(db.session, organisation, form.email.data or "")
    action = request.form.get("action", "find")
    done = ""
    if action in ("send_links", "erase") and held.empty:
        done = "Nothing is held under this address: nothing was sent or erased."
    elif action == "send_links":
        sent = subject_requests.send_private_links(
            db.session,
            secrets_of(current_app),
            organisation,
            held,
            actor_id=current_user.id,
            base_url=settings_of(current_app).base_url,
        )
        db.session.commit()
        done = (
            f"{counted(sent, 'email')} queued to this address, each with a fresh private link; "
            "earlier links no longer work."
        )
    elif action == "erase":
        if not form.checked.data:
            form.checked.errors = [
                "Check that the request comes from the person before erasing their data."
            ]
            return render_template(
                "console/person_request.html", form=form, held=held, done=""
            ), 400
        erased = subject_requests.erase_all(
            db.session,
            held,
            organisation=organisation,
            actor_id=current_user.id,
            box=secrets_of(current_app),
            provider_for=interactive_providers_of(current_app),
            erase_mail_copies=mail_eraser_of(current_app),
            now=utcnow(),
        )
        done = _erased_in_words(erased)
        held = subject_requests.find(db.session, organisation, form.email.data or "")
    return render_template("console/person_request.html", form=form, held=held, done=done)


def _erased_in_words(erased: subject_requests.Erased) -> str:
    parts = [f"{counted(erased.registrations, 'registration')} erased, here and at the provider"]
    if erased.pending:
        parts.append(
            f"{counted(erased.pending, 'registration')} could not be erased at the provider "
            "yet: their private links no longer work, and the worker's cleanup finishes the "
            "erasure as soon as the provider answers"
        )
    if erased.contact:
        parts.append("the contact-list entry deleted")
    return "; ".join(parts) + "."
