"""Domain errors raised by services; views turn them into messages or 404s."""


class DomainError(Exception):
    """A rule of the domain refused the request; the message is fit to show the user."""


class NotFound(DomainError):
    """The object does not exist, or belongs to another organisation."""
