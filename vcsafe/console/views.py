"""The console's landing page: what needs attention now."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from vcsafe.db import db
from vcsafe.models import utcnow
from vcsafe.services import dashboard as dashboards

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.get("/")
@login_required
def dashboard() -> str:
    now = utcnow()
    board = dashboards.load(db.session, current_user.organisation_id, now=now)
    return render_template("console/dashboard.html", board=board, now=now)
