"""The organiser console: sign-in, dashboard and everything behind a login."""
