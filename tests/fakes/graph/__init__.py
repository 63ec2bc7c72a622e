"""A local Microsoft identity platform and Microsoft Graph, for tests and demo mode.

Real msal and requests code talks to it over loopback (vcsafe keeps the production authority
`https://login.microsoftonline.com/<tenant>` and reroutes it here). It serves what vcsafe uses:

- identity, hand-coded from Microsoft's documentation (it is in no spec file): the tenant's
  OpenID configuration (advertising the production URLs), instance discovery, and the
  client-credentials token endpoint with Entra's error answers (AADSTS7000215 wrong secret,
  AADSTS700016 unknown app, AADSTS90002 unknown tenant, AADSTS1002012 wrong scope);
- Graph v1.0: online meetings, recordings, OneDrive items, subscriptions. Every Graph request
  is validated against ../shared/specs/graph/graph-v1.0-subset.strict.json (when present) and
  against rules Microsoft's metadata leaves out (required, read-only and undeclared fields).
  A request breaking them is answered 400 with an ODataError and recorded in `violations`.
  Hand-coded documented v1.0 calls the subset leaves out: `GET /users/{id}`,
  `GET /users/{id}/drive`, `POST /drives/{id}/items/{id}/permanentDelete`.

Modelled behaviour: a callRecording cannot be deleted (405, as Graph answers an unsupported
operation); its file is a drive item in the organiser's OneDrive, named by the recording's
`recordingContentUrl`; DELETE of a drive item moves it to the recycle bin, `permanentDelete`
removes it for good, and either way the callRecording goes with it. Creating a subscription
first performs Graph's validation handshake against notificationUrl (and
lifecycleNotificationUrl) and refuses the subscription unless the token comes back as
text/plain with 200 within 10 s. Unlike Graph, plain http notification URLs are accepted on
loopback (the tests' own receivers).

Laid out by what each part holds: state (what the parts share, the account record, Graph's
error answer), spec (the OpenAPI description and checking requests against it), rules (what
Graph enforces beyond its metadata), fake (GraphFake: running, controls, the request
pipeline), entra (identity and tokens), meetings, recordings, drive (users and OneDrive
items) and subscriptions (their routes and test controls), notifications (outbound).
"""

from tests.fakes.graph.entra import GRAPH_SCOPE, PUBLIC_AUTHORITY, TOKEN_SECONDS
from tests.fakes.graph.fake import GraphFake
from tests.fakes.graph.meetings import MEETING_DEFAULTS
from tests.fakes.graph.rules import (
    HANDSHAKE_FAILED,
    HANDSHAKE_SECONDS,
    MAX_MINUTES,
    VALIDATION_TOKEN,
)
from tests.fakes.graph.spec import GRAPH_SPEC, graph_specs_available
from tests.fakes.graph.state import Answer, odata_error

__all__ = [
    "GRAPH_SCOPE",
    "GRAPH_SPEC",
    "HANDSHAKE_FAILED",
    "HANDSHAKE_SECONDS",
    "MAX_MINUTES",
    "MEETING_DEFAULTS",
    "PUBLIC_AUTHORITY",
    "TOKEN_SECONDS",
    "VALIDATION_TOKEN",
    "Answer",
    "GraphFake",
    "graph_specs_available",
    "odata_error",
]
