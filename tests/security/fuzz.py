"""Hypothesis strategies for hostile form input, and the checks every fuzzed answer must pass."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

#: Cases per fuzzed target; CI runs the default, a deeper run sets VCSAFE_FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("VCSAFE_FUZZ_EXAMPLES", "1500"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure reproduces
    database=None,
    # The app and its database carry over from case to case, as they would in production.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Everything a form field can carry: any text (control characters, NUL, right-to-left marks,
# markup), very long text, and the values the forms expect, so some cases get far in.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
# Lengths at and just past every limit the forms have, and past the request size limit.
long_text = st.sampled_from(
    [199, 200, 201, 300, 301, 320, 321, 1000, 1001, 50_000, 50_001, 1_100_000]
).map(lambda n: "é" * n)
expected = st.sampled_from(
    [
        "",
        "y",
        "yes",
        "no",
        "adult",
        "child",
        "1",
        "0",
        "-1",
        "99999999999999999999",
        "ada@example.org",
        "a@b",
        "@",
        "2030-01-01T10:00",
        "2000-13-45T99:99",
        "Europe/London",
        "Mars/Olympus",
        "zoom",
        "teams",
        "admin",
        "organiser",
        "none",
        "consent",
        "required",
        "breach",
        "disruption",
        "reported",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\x00",
    ]
)
# Mostly short hostile text; now and then a value the form expects, or an overlong one.
field_value = st.one_of(any_text, any_text, any_text, expected, expected, long_text)


def form_of(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of `names`, each with a hostile value, plus the odd unexpected field."""
    return st.dictionaries(
        st.one_of(st.sampled_from(names), any_text.filter(bool)), field_value, max_size=14
    )


def assert_handled(response: TestResponse, what: str) -> None:
    """A clear answer: never a server error, never a stack trace."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert "Traceback" not in body and "sqlalchemy" not in body.lower(), what
