"""Organisations, users, roles and sign-in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vcsafe.crypto import dummy_password_hash, hash_password, verify_password
from vcsafe.models import Organisation, Role, User
from vcsafe.services import audit
from vcsafe.services.errors import DomainError, NotFound

MIN_PASSWORD_LENGTH = 12


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User | None:
    """The active user with this email and password, or None; unknown emails take as long."""
    user = find_user_by_email(session, email)
    if user is None:
        verify_password(dummy_password_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    user.last_sign_in_at = now
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")


def create_organisation(
    session: Session, *, organisation_name: str, email: str, name: str, password: str
) -> User:
    """A new organisation and its first admin."""
    organisation = Organisation(name=organisation_name.strip())
    session.add(organisation)
    session.flush()
    admin = add_user(
        session, organisation, email=email, name=name, password=password, role=Role.ADMIN
    )
    audit.record(session, organisation.id, "organisation.created", subject=organisation)
    return admin


def add_user(
    session: Session,
    organisation: Organisation,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    actor: User | None = None,
) -> User:
    """Add a user to an organisation; emails are unique across vcsafe."""
    email = email.strip()
    if find_user_by_email(session, email) is not None:
        raise DomainError("A user with this email already exists.")
    check_password_strength(password)
    user = User(
        organisation_id=organisation.id,
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        organisation.id,
        "user.added",
        actor_id=actor.id if actor else None,
        subject=user,
        role=role.value,
    )
    return user


def users_of(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.organisation_id == organisation_id).order_by(User.name)
        )
    )


def get_user(session: Session, organisation_id: int, user_id: int) -> User:
    """A user of this organisation; any other organisation's user is NotFound."""
    user = session.get(User, user_id)
    if user is None or user.organisation_id != organisation_id:
        raise NotFound("user")
    return user


def update_user(session: Session, user: User, *, role: Role, active: bool, actor: User) -> None:
    """Change a user's role or access; an organisation always keeps one active admin."""
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise DomainError("You cannot remove your own admin rights or deactivate yourself.")
    changed = {"role": role.value} if role is not user.role else {}
    if active != user.active:
        changed["active"] = str(active).lower()
    user.role = role
    user.active = active
    if changed:
        end_sessions(user)  # a new role or a lost access applies now, not at next sign-in
    if changed:
        audit.record(
            session,
            user.organisation_id,
            "user.changed",
            actor_id=actor.id,
            subject=user,
            **changed,
        )


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    user.session_generation += 1


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("The current password is not right.")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record(
        session, user.organisation_id, "user.password_changed", actor_id=user.id, subject=user
    )
