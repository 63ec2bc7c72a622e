"""The code-of-conduct library: codes, versions, and the meetings that pin them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from vcsafe.console.access import found_or_404
from vcsafe.console.record_forms import NewCodeForm, NewVersionForm
from vcsafe.db import db
from vcsafe.services import codes
from vcsafe.services.errors import DomainError

bp = Blueprint("codes", __name__, url_prefix="/console/codes")


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> str | Response | tuple[str, int]:
    form = NewCodeForm()
    if form.validate_on_submit():
        try:
            code = codes.create_code(
                db.session,
                current_user.organisation,
                form.title.data or "",
                form.body.data or "",
                actor=current_user,
            )
        except DomainError as exc:
            form.body.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"“{code.title}” version 1 is published.", "success")
            return redirect(url_for("codes.show", code_of_conduct_id=code.id))
    library = codes.codes_of(db.session, current_user.organisation_id)
    status = 400 if form.errors else 200
    return render_template("console/codes.html", codes=library, form=form), status


@bp.route("/<int:code_of_conduct_id>", methods=["GET", "POST"])
@login_required
def show(code_of_conduct_id: int) -> str | Response | tuple[str, int]:
    org_id = current_user.organisation_id
    code = found_or_404(lambda: codes.get_code(db.session, org_id, code_of_conduct_id))
    form = NewVersionForm()
    if form.validate_on_submit():
        try:
            version = codes.publish_version(
                db.session, code, form.body.data or "", actor=current_user
            )
        except DomainError as exc:
            form.body.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                f"Version {version.number} is published. Meetings keep the version they pin "
                "until you move them.",
                "success",
            )
            return redirect(url_for("codes.show", code_of_conduct_id=code.id))
    latest = codes.latest_version(db.session, code)
    if not form.body.data and latest is not None:
        form.body.data = latest.body
    status = 400 if form.errors else 200
    return render_template(
        "console/code.html",
        code=code,
        latest=latest,
        form=form,
        pinned=codes.pinning_meetings(db.session, code),
    ), status


@bp.get("/versions/<int:version_id>")
@login_required
def version(version_id: int) -> str:
    org_id = current_user.organisation_id
    v = found_or_404(lambda: codes.get_version(db.session, org_id, version_id))
    return render_template("console/code_version.html", version=v)
