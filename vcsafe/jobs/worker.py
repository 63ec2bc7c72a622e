"""The background worker: scheduled jobs (APScheduler). Thin: the services do the work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from vcsafe.app import mail_eraser_of, mailer_of, providers_of, secrets_of, settings_of
from vcsafe.db import db
from vcsafe.models import utcnow
from vcsafe.services import (
    lifecycle,
    outbox,
    provider_watch,
    purge,
    registrant_push,
    registration_blocks,
    reminders,
    safety_fixes,
    subscriptions,
)

log = logging.getLogger(__name__)
#: How often Teams meetings get their change-notification subscriptions created and renewed.
SUBSCRIPTION_INTERVAL_MINUTES = 5
#: How often the worker looks for meetings whose registrants are due their day-before reminder.
REMINDER_INTERVAL_MINUTES = 5
#: How often the worker looks for upcoming meetings to read back from their provider (each is
#: read once every provider_watch.WATCH_EVERY).
WATCH_INTERVAL_MINUTES = 10
S = TypeVar("S", bound=BaseScheduler)


def run_cleanup(app: Flask, *, progress: Callable[[int], None] | None = None) -> purge.PurgeReport:
    """One cleanup run: notice ended meetings nobody told us about, then purge what is due
    (and the registration blocks of meetings nobody can register for any more).
    Safe to call again at any time, and from several workers at once (PostgreSQL)."""
    settings = settings_of(app)
    now = utcnow()
    lifecycle.poll_overdue(
        db.factory(app),
        providers_of(app),
        now=now,
        grace=timedelta(minutes=settings.webhook_grace_minutes),
    )
    with db.factory(app).begin() as session:
        blocks = registration_blocks.delete_spent(session, now=now)
    if blocks:
        log.info("cleanup: %d registration blocks of past meetings deleted", blocks)
    report = purge.run(
        db.factory(app),
        providers_of(app),
        now=now,
        lease=timedelta(seconds=settings.purge_lease_seconds),
        erase_mail_copies=mail_eraser_of(app),
        progress=progress,
        base_url=settings.base_url,
        box=secrets_of(app),
    )
    log.info(
        "cleanup: %d registrants and %d recordings deleted, %d kept as contacts, %d to retry",
        report.registrants,
        report.recordings,
        report.contacts_kept,
        report.failed,
    )
    return report


def plan_cleanup(app: Flask) -> purge.Plan:
    """What a cleanup would delete now (nothing is deleted)."""
    with db.factory(app)() as session:
        return purge.plan(session, now=utcnow())


def run_push(app: Flask) -> registrant_push.PushReport:
    """Switch automatic recording off where someone refused and it is still on, push waiting
    registrants to their provider, then send the emails that are due."""
    switched = safety_fixes.enforce_pending_refusals(db.factory(app), providers_of(app))
    if switched:
        log.info("recording: automatic recording switched off for %d meetings", switched)
    report = registrant_push.push_due(
        db.factory(app), providers_of(app), box=secrets_of(app), now=utcnow()
    )
    if report.pushed or report.failed:
        log.info("push: %d registrants pushed, %d to retry", report.pushed, report.failed)
    run_outbox(app)
    return report


def run_outbox(app: Flask) -> outbox.DeliveryReport:
    report = outbox.send_due(db.factory(app), mailer_of(app), secrets_of(app), now=utcnow())
    if report.sent or report.failed:
        log.info("mail: %d sent, %d to retry", report.sent, report.failed)
    return report


def run_reminders(app: Flask) -> reminders.ReminderReport:
    """Queue the day-before reminders of meetings starting soon (the push job sends them)."""
    report = reminders.send_due(db.factory(app), secrets_of(app), now=utcnow())
    if report.meetings:
        log.info("reminders: %d queued for %d meetings", report.emails, report.meetings)
    return report


def run_watch(app: Flask) -> provider_watch.WatchReport:
    """Read upcoming meetings back from Zoom or Teams; tell their organisers what changed."""
    report = provider_watch.watch_due(
        db.factory(app),
        providers_of(app),
        secrets_of(app),
        base_url=settings_of(app).base_url,
        now=utcnow(),
    )
    if report.changed or report.missing or report.failed:
        log.info(
            "watch: %d meetings read, %d with changed settings, %d missing, %d to retry",
            report.read,
            report.changed,
            report.missing,
            report.failed,
        )
    return report


def run_subscriptions(app: Flask) -> subscriptions.SubscriptionReport:
    """Subscribe Teams meetings to change notifications and keep the subscriptions alive."""
    report = subscriptions.keep_subscriptions(
        db.factory(app), providers_of(app), base_url=settings_of(app).base_url, now=utcnow()
    )
    if report.created or report.removed or report.failed:
        log.info(
            "subscriptions: %d created, %d renewed, %d removed, %d to retry",
            report.created,
            report.renewed,
            report.removed,
            report.failed,
        )
    return report


def schedule_jobs(scheduler: S, app: Flask) -> S:
    """Add vcsafe's recurring jobs to a scheduler (blocking for the worker, background in serve)."""
    settings = settings_of(app)
    common = {"args": [app], "next_run_time": utcnow(), "max_instances": 1, "coalesce": True}
    scheduler.add_job(
        run_cleanup, "interval", minutes=settings.cleanup_interval_minutes, id="cleanup", **common
    )
    scheduler.add_job(
        run_push, "interval", seconds=settings.push_interval_seconds, id="push", **common
    )
    scheduler.add_job(
        run_reminders, "interval", minutes=REMINDER_INTERVAL_MINUTES, id="reminders", **common
    )
    scheduler.add_job(run_watch, "interval", minutes=WATCH_INTERVAL_MINUTES, id="watch", **common)
    scheduler.add_job(
        run_subscriptions,
        "interval",
        minutes=SUBSCRIPTION_INTERVAL_MINUTES,
        id="subscriptions",
        **common,
    )
    return scheduler
