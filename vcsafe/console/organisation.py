"""Organisation settings and the audit log (admins)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from vcsafe.console import audit_texts
from vcsafe.console.access import admin_required
from vcsafe.console.record_forms import OrganisationForm
from vcsafe.db import db
from vcsafe.services import audit, codes
from vcsafe.services import organisation as organisation_service
from vcsafe.services.errors import DomainError

bp = Blueprint("organisation", __name__, url_prefix="/console")


@bp.route("/organisation", methods=["GET", "POST"])
@admin_required
def settings() -> str | Response | tuple[str, int]:
    org = current_user.organisation
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    form.default_code_of_conduct_id.choices = [SelectChoice(0, "None")] + [
        SelectChoice(c.id, c.title) for c in codes.codes_of(db.session, org.id)
    ]
    if request.method == "GET":
        form.default_code_of_conduct_id.data = org.default_code_of_conduct_id or 0
    if form.validate_on_submit():
        new = organisation_service.OrganisationSettings(
            name=form.name.data or "",
            age_threshold=form.age_threshold.data or 0,
            max_registrant_retention_days=form.max_registrant_retention_days.data or 0,
            default_code_of_conduct_id=form.default_code_of_conduct_id.data or None,
            incident_contact=form.incident_contact.data or "",
        )
        try:
            organisation_service.update_settings(db.session, org, new, actor=current_user)
        except DomainError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash("The organisation's settings were saved.", "success")
            return redirect(url_for("organisation.settings"))
    status = 400 if form.errors else 200
    return render_template("console/organisation.html", form=form), status


@bp.get("/audit")
@admin_required
def audit_log() -> str:
    page, names = audit.list_events(
        db.session, current_user.organisation_id, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "console/audit.html",
        page=page,
        names=names,
        gone=audit.missing_subjects(db.session, page.items),
        texts=audit_texts,
    )
