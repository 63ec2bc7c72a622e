"""Access rules shared by console views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from vcsafe.db import db
from vcsafe.models import Meeting
from vcsafe.services import meetings
from vcsafe.services.errors import NotFound

F = TypeVar("F", bound=Callable[..., Any])


def admin_required(view: F) -> F:
    """Signed-in admins only; organisers get 403."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


T = TypeVar("T")


def found_or_404(lookup: Callable[[], T]) -> T:
    """Run a service lookup; NotFound (missing, or another organisation's) becomes 404."""
    try:
        return lookup()
    except NotFound:
        abort(404)


def owned_meeting(meeting_id: int) -> Meeting:
    """One of the signed-in user's organisation's meetings; any other id answers 404."""
    org_id = current_user.organisation_id
    return found_or_404(lambda: meetings.get_meeting(db.session, org_id, meeting_id))
