"""The withdrawal link of the contact list: one click removes a person's name and email."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from vcsafe.console.forms import ConfirmForm
from vcsafe.db import db
from vcsafe.extensions import limiter
from vcsafe.services import contacts

bp = Blueprint("contacts", __name__, url_prefix="/contacts")


@bp.after_request
def _no_referrer(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/withdraw/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def withdraw(token: str) -> str:
    # GET only asks (mail scanners follow links); the POST removes.
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if not contacts.withdraw(db.session, token):
            abort(404)
        db.session.commit()
        return render_template("public/contact_withdrawn.html")
    if not contacts.exists(db.session, token):
        abort(404)
    return render_template("public/contact_withdraw.html", form=form)
