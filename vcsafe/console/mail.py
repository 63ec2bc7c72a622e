"""The outbox of the embedded default (admins): emails vcsafe wrote to its folder."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from vcsafe.app import mailer_of
from vcsafe.console.access import admin_required, found_or_404
from vcsafe.db import db
from vcsafe.mailer import FolderMailer
from vcsafe.services import audit, mail_folder

bp = Blueprint("mail", __name__, url_prefix="/console/mail")


def _folder() -> FolderMailer | None:
    mailer = mailer_of(current_app)
    return mailer if isinstance(mailer, FolderMailer) else None


@bp.get("")
@admin_required
def index() -> str:
    mailer = _folder()
    page = (
        mail_folder.list_mail(
            mailer.folder,
            current_user.organisation_id,
            page=request.args.get("page", 1, type=int) or 1,
        )
        if mailer
        else None
    )
    return render_template("console/mail.html", page=page)


@bp.get("/<int:email_id>")
@admin_required
def show(email_id: int) -> str:
    mailer = _folder()
    if mailer is None:
        abort(404)
    org_id = current_user.organisation_id
    message = found_or_404(lambda: mail_folder.read_mail(mailer.folder, org_id, email_id))
    # Reading an email shows a person's address and private links: on the record.
    audit.record(db.session, org_id, "mail.viewed", actor_id=current_user.id, email_id=email_id)
    db.session.commit()
    return render_template("console/mail_message.html", message=message)
