"""No body breaks the API: generated values in every field (texts with control characters, dates past
the bounds, huge numbers, objects and lists where a value belongs) answer below 500 and store nothing
out of bounds."""

import itertools

from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from intake.payload import FORM_FIELDS
from tests.fuzz.stored import out_of_bounds
from tests.fuzz.strategies import BOUND_DATES, texts

PATHS = [*FORM_FIELDS, "consultant", "student.campus"]
values = st.one_of(
    texts,
    st.sampled_from(BOUND_DATES).map(lambda day: f"{day}T10:00:00+08:00"),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def test_no_body_breaks_the_api(call, token, body, settings):
    settings.INTAKE_RATE_LIMIT = 10_000
    keys = itertools.count()

    @examples(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(changes=st.dictionaries(st.sampled_from(PATHS), values, min_size=1, max_size=4))
    def fuzz(changes):
        sent = {name: dict(part) if isinstance(part, dict) else part for name, part in body.items()}
        for path, value in changes.items():
            section, _dot, name = path.rpartition(".")
            (sent[section] if section else sent)[name] = value
        response = call(sent, token=token, key=f"fuzz-{next(keys)}")
        assert response.status_code < 500, (changes, response.content)
        assert response.status_code in (201, 403, 422), (changes, response.json())
        assert not out_of_bounds(), changes

    fuzz()
