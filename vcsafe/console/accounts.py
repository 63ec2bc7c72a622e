"""Connected Zoom and Teams accounts (admins): connect, test, see status, disconnect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from vcsafe.app import interactive_providers_of, secrets_of
from vcsafe.console.access import admin_required
from vcsafe.console.forms import ConfirmForm, ConnectAccountForm
from vcsafe.db import db
from vcsafe.models import ProviderAccount, ProviderKind, utcnow
from vcsafe.providers.base import ProviderError
from vcsafe.services import provider_accounts
from vcsafe.services.errors import DomainError, NotFound

bp = Blueprint("accounts", __name__, url_prefix="/console/accounts")


def _owned(account_id: int) -> ProviderAccount:
    try:
        return provider_accounts.get_account(db.session, current_user.organisation_id, account_id)
    except NotFound:
        abort(404)


@bp.route("", methods=["GET", "POST"])
@admin_required
def index() -> str | Response | tuple[str, int]:
    form = ConnectAccountForm()
    if form.validate_on_submit():
        details = provider_accounts.AccountDetails(
            kind=ProviderKind(form.kind.data),
            label=form.label.data or "",
            tenant=form.tenant.data or "",
            client_id=form.client_id.data or "",
            client_secret=form.client_secret.data or "",
            host_user=form.host_user.data or "",
            webhook_secret=form.webhook_secret.data or "",
        )
        try:
            account = provider_accounts.connect_account(
                db.session,
                current_user.organisation,
                details,
                box=secrets_of(current_app),
                actor=current_user,
            )
        except DomainError as exc:
            form.label.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                f"{account.label} is connected. Test the connection to check the credentials.",
                "success",
            )
            return redirect(url_for("accounts.show", account_id=account.id))
    accounts = provider_accounts.accounts_of(db.session, current_user.organisation_id)
    status = 400 if form.errors else 200
    return render_template("console/accounts.html", accounts=accounts, form=form), status


@bp.get("/<int:account_id>")
@admin_required
def show(account_id: int) -> str:
    return render_template("console/account.html", account=_owned(account_id), form=ConfirmForm())


@bp.post("/<int:account_id>/test")
@admin_required
def test(account_id: int) -> Response:
    account = _owned(account_id)
    try:
        host = provider_accounts.check_connection(
            db.session,
            account,
            provider_for=interactive_providers_of(current_app),
            now=utcnow(),
            actor=current_user,
        )
    except ProviderError as exc:
        flash(f"The connection failed. {exc}", "error")
    else:
        flash(f"The connection works: vcsafe signed in and found the host “{host}”.", "success")
    db.session.commit()
    return redirect(url_for("accounts.show", account_id=account.id))


@bp.post("/<int:account_id>/disconnect")
@admin_required
def disconnect(account_id: int) -> Response:
    account = _owned(account_id)
    try:
        provider_accounts.disconnect_account(db.session, account, actor=current_user)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("accounts.show", account_id=account.id))
    db.session.commit()
    for registry in current_app.extensions["vcsafe.providers"]:
        registry.forget(account_id)
    flash(f"{account.label} was disconnected and its secrets deleted.", "success")
    return redirect(url_for("accounts.index"))
