"""Sign-in and sign-out, with throttling of failed attempts."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from vcsafe.console.forms import SignInForm, SignOutForm
from vcsafe.db import db
from vcsafe.extensions import counter_key, limiter
from vcsafe.models import utcnow
from vcsafe.services import accounts

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
SEEN_KEY = "seen"


def _attempts_limit() -> str:
    limit: str = current_app.config["LOGIN_ATTEMPTS_LIMIT"]
    return limit


def _account_key() -> str:
    # Counted under a keyed hash of the email: the shared counter store holds no addresses.
    email = request.form.get("email", "").strip().lower()
    return "sign-in:" + counter_key(email)


def _failed(response: Response) -> bool:
    return request.method == "POST" and response.status_code != 302


@bp.before_app_request
def _end_idle_sessions() -> None:
    """Sign out a console session left idle for longer than the configured lifetime.

    The cookie stays a browser-session cookie (not "permanent"): Flask-Login's strong session
    protection, which drops a cookie presented by another address or browser, only applies
    to those. The idle clock lives in the signed session itself.
    """
    if "_user_id" not in session:
        return
    now = int(time.time())
    idle_limit = current_app.permanent_session_lifetime.total_seconds()
    if now - int(session.get(SEEN_KEY, 0)) > idle_limit:
        logout_user()
        session.pop(SEEN_KEY, None)
    elif now - int(session.get(SEEN_KEY, 0)) > 60:  # renew at most once a minute
        session[SEEN_KEY] = now


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_attempts_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_attempts_limit, methods=["POST"], deduct_when=_failed, key_func=_account_key)
def sign_in() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("console.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(
            db.session, form.email.data or "", form.password.data or "", now=utcnow()
        )
        if user is not None:
            db.session.commit()
            login_user(user)
            session[SEEN_KEY] = int(time.time())
            log.info("user %s signed in", user.id)
            return redirect(_safe_next(request.args.get("next")))
        log.info("failed sign-in")
        form.password.errors.append("The email or password is not right.")
        return render_template("auth/sign_in.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("auth/sign_in.html", form=form), status


@bp.post("/sign-out")
def sign_out() -> Response:
    form = SignOutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.end_sessions(current_user)
            db.session.commit()
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("console.dashboard")
