"""Incidents: log disruptions and personal-data breaches, decide on reporting."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from vcsafe.console.access import found_or_404
from vcsafe.console.forms import ConfirmForm
from vcsafe.console.record_forms import IncidentForm, IncidentStatusForm
from vcsafe.db import db
from vcsafe.models import IncidentKind, IncidentStatus, Meeting, utcnow
from vcsafe.services import incidents
from vcsafe.services.errors import DomainError

bp = Blueprint("incidents", __name__, url_prefix="/console/incidents")


def _meeting_choices() -> list[SelectChoice]:
    recent = db.session.execute(
        select(Meeting.id, Meeting.title)
        .where(Meeting.organisation_id == current_user.organisation_id)
        .order_by(Meeting.starts_at.desc())
        .limit(200)
    )
    return [SelectChoice(0, "Not about one meeting")] + [
        SelectChoice(mid, title) for mid, title in recent
    ]


@bp.get("")
@login_required
def index() -> str:
    page = incidents.list_incidents(
        db.session, current_user.organisation_id, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template("console/incidents.html", page=page, now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    form = IncidentForm()
    form.meeting_id.choices = _meeting_choices()
    if request.method == "GET":
        form.meeting_id.data = request.args.get("meeting_id", 0, type=int)
        now = utcnow().replace(second=0, microsecond=0, tzinfo=None)
        form.occurred_at.data = form.discovered_at.data = now
    if form.validate_on_submit():
        assert form.occurred_at.data and form.discovered_at.data
        report = incidents.IncidentReport(
            kind=IncidentKind(form.kind.data),
            summary=form.summary.data or "",
            occurred_at=form.occurred_at.data.replace(tzinfo=UTC),
            discovered_at=form.discovered_at.data.replace(tzinfo=UTC),
            affected_count=form.affected_count.data or 0,
            actions_taken=form.actions_taken.data or "",
            meeting_id=form.meeting_id.data or None,
        )
        try:
            incident = incidents.log_incident(
                db.session, current_user.organisation_id, report, actor=current_user, now=utcnow()
            )
        except DomainError as exc:
            form.summary.errors.append(str(exc))
        else:
            db.session.commit()
            flash("The incident is logged.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    status = 400 if form.errors else 200
    return render_template("console/incident_form.html", form=form), status


@bp.route("/<int:incident_id>", methods=["GET", "POST"])
@login_required
def show(incident_id: int) -> str | Response | tuple[str, int]:
    org_id = current_user.organisation_id
    incident = found_or_404(lambda: incidents.get_incident(db.session, org_id, incident_id))
    form = IncidentStatusForm()
    if form.validate_on_submit():
        try:
            incidents.set_status(
                db.session,
                incident,
                IncidentStatus(form.status.data),
                actor=current_user,
                now=utcnow(),
            )
        except DomainError as exc:
            form.status.errors.append(str(exc))
        else:
            db.session.commit()
            flash("The incident was updated.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    status = 400 if form.errors else 200
    return render_template(
        "console/incident.html", incident=incident, form=form, confirm=ConfirmForm(), now=utcnow()
    ), status
