"""vcsafe: a safety companion for online meetings on Zoom and Microsoft Teams."""
