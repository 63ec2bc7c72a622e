"""The public pages: registration and consent, and the registrant's private manage page."""
