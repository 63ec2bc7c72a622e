"""A local Zoom: the Server-to-Server OAuth token endpoint and the Meetings API, for tests and
demo mode.

Real zoomus and requests code talks to it over loopback. Every Meetings API request is
validated against ../shared/specs/zoom/ZoomMeetingsAPI.endpoints.json (when present); a request
that breaks it is answered 400 with Zoom's error shape and recorded in `violations`. In no spec
file, and so hand-coded from Zoom's documentation: `POST /oauth/token` (account credentials,
HTTP Basic client id and secret) and `GET /users/{userId}` (Users API).

Modelled behaviour: tokens live an hour and are refused once expired; meeting ids are 11-digit
numbers and every meeting has an instance UUID; a registrant added with `auto_approve` gets a
personal join link; DELETE of a registrant removes it for good; recordings are deleted for good
with `action=delete` and moved to the trash with `action=trash`; meeting UUIDs that start with
"/" or contain "//" must arrive double-URL-encoded; a per-second rate limit answers 429 with
Zoom's message and a Retry-After. Outbound webhooks are built, validated against
ZoomMeetingsWebhooks.webhooks.json and signed as Zoom signs them.

Laid out by what each part holds: spec (Zoom's descriptions), state (what the parts
share), fake (ZoomFake: running, controls, the request pipeline and OAuth), meetings,
registrants and recordings (their API routes and test controls), webhooks (outbound,
signed).
"""

from tests.fakes.zoom.fake import TOKEN_SECONDS, ZoomFake
from tests.fakes.zoom.meetings import SETTINGS_DEFAULTS, passcode_is_zooms
from tests.fakes.zoom.spec import MEETINGS_SPEC, WEBHOOKS_SPEC, zoom_specs_available
from tests.fakes.zoom.state import Answer
from tests.fakes.zoom.webhooks import sign

__all__ = [
    "MEETINGS_SPEC",
    "SETTINGS_DEFAULTS",
    "TOKEN_SECONDS",
    "WEBHOOKS_SPEC",
    "Answer",
    "ZoomFake",
    "passcode_is_zooms",
    "sign",
    "zoom_specs_available",
]
