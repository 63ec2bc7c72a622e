"""Users and roles of the organisation (admins), and one's own password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from vcsafe.console.access import admin_required
from vcsafe.console.forms import AddUserForm, ChangePasswordForm, EditUserForm
from vcsafe.db import db
from vcsafe.models import Role
from vcsafe.services import accounts
from vcsafe.services.errors import DomainError, NotFound

bp = Blueprint("users", __name__, url_prefix="/console")


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def index() -> str | Response | tuple[str, int]:
    form = AddUserForm()
    if form.validate_on_submit():
        try:
            accounts.add_user(
                db.session,
                current_user.organisation,
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                role=Role(form.role.data),
                actor=current_user,
            )
        except DomainError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{form.name.data} can now sign in.", "success")
            return redirect(url_for("users.index"))
    users = accounts.users_of(db.session, current_user.organisation_id)
    status = 400 if form.errors else 200
    return render_template("console/users.html", users=users, form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: int) -> str | Response | tuple[str, int]:
    try:
        user = accounts.get_user(db.session, current_user.organisation_id, user_id)
    except NotFound:
        abort(404)
    form = EditUserForm(obj=None, role=user.role.value, active=user.active)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                db.session,
                user,
                role=Role(form.role.data),
                active=form.active.data,
                actor=current_user,
            )
        except DomainError as exc:
            form.role.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{user.name} was updated.", "success")
            return redirect(url_for("users.index"))
    status = 400 if form.errors else 200
    return render_template("console/user_edit.html", user=user, form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user, form.current.data or "", form.new.data or ""
            )
        except DomainError as exc:
            form.current.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this browser stays signed in
            flash("Your password was changed. Other sessions were signed out.", "success")
            return redirect(url_for("console.dashboard"))
    status = 400 if form.errors else 200
    return render_template("console/change_password.html", form=form), status
