"""Local HTTP fakes of Zoom and Microsoft Graph, validating every request against the official
OpenAPI descriptions in ../shared/specs. Used by the tests and by demo mode."""
