"""Webhook receivers for Zoom and Microsoft Graph: verify, then hand to services."""
