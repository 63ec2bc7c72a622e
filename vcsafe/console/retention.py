"""Retention in the console: deletion receipts, legal holds, and the contact list (admins)."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from vcsafe.console.access import admin_required, found_or_404
from vcsafe.db import db
from vcsafe.services import contacts, holds, meetings, receipts
from vcsafe.services.errors import DomainError

bp = Blueprint("retention", __name__, url_prefix="/console")


@bp.get("/receipts")
@admin_required
def receipt_list() -> str:
    page = receipts.list_receipts(
        db.session, current_user.organisation_id, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template("console/receipts.html", page=page)


@bp.get("/receipts/<int:receipt_id>")
@admin_required
def receipt(receipt_id: int) -> str:
    org_id = current_user.organisation_id
    found = found_or_404(lambda: receipts.get_receipt(db.session, org_id, receipt_id))
    return render_template(
        "console/receipt.html", receipt=found, document=receipts.as_document(found)
    )


@bp.get("/receipts/<int:receipt_id>.json")
@admin_required
def receipt_json(receipt_id: int) -> Response:
    org_id = current_user.organisation_id
    found = found_or_404(lambda: receipts.get_receipt(db.session, org_id, receipt_id))
    return Response(
        json.dumps(receipts.as_document(found), indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="deletion-receipt-{found.id}.json"'},
    )


@bp.post("/meetings/<int:meeting_id>/legal-hold")
@admin_required
def legal_hold(meeting_id: int) -> Response:
    org_id = current_user.organisation_id
    meeting = found_or_404(lambda: meetings.get_meeting(db.session, org_id, meeting_id))
    try:
        if request.form.get("action") == "release":
            holds.release_hold(db.session, meeting, actor=current_user)
            message = "The legal hold is released: the deletion clocks run again."
        else:
            holds.place_hold(
                db.session, meeting, request.form.get("reason", ""), actor=current_user
            )
            message = "The legal hold is placed: nothing of this meeting is deleted until released."
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/contacts")
@admin_required
def contact_list() -> str:
    return render_template(
        "console/contacts.html",
        contacts=contacts.contacts_of(db.session, current_user.organisation_id),
    )
