"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect


def counter_key(value: str) -> str:
    """`value` (a visitor's IP address, an email) as a hash keyed with the secret key: the
    rate limiter's counters, in Redis or in memory, hold no personal data, and no one can
    reverse them by hashing every possible address."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def visitor_key() -> str:
    """The rate limits' default key: the visitor's address (ProxyFix decides which), hashed."""
    return counter_key(get_remote_address())


csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared on the views that need them; storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=visitor_key, default_limits=[])
