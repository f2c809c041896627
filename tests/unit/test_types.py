"""NOT_GIVEN and Timeout."""

from __future__ import annotations

import copy
import math
import pickle

import attrs
import pytest

from eliza_client._constants import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
from eliza_client._errors import ValidationError
from eliza_client._types import NOT_GIVEN, NotGiven, Timeout


def test_not_given_is_a_falsy_singleton() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert NotGiven() is NOT_GIVEN
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN
    assert copy.deepcopy(NOT_GIVEN) is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def test_not_given_or_is_a_usable_alias() -> None:
    def pick(value: int | NotGiven | None = NOT_GIVEN) -> str:
        if isinstance(value, NotGiven):
            return "default"
        return "none" if value is None else str(value)

    assert (pick(), pick(None), pick(3)) == ("default", "none", "3")


def test_timeout_fields_and_requests_tuple() -> None:
    timeout = Timeout(5, 30)
    # Left out, the total deadline is 60 s, or connect + read when longer; None asks for no deadline.
    assert timeout == Timeout(connect=5.0, read=30.0, total=60.0)
    assert Timeout(10, 100).total == 110.0
    assert Timeout(5, None).total is None
    assert Timeout(5, 30, total=None).total is None
    assert Timeout.coerce(None) == Timeout(None, None, None)
    assert isinstance(timeout.connect, float)
    assert timeout.as_requests() == (5.0, 30.0)
    assert Timeout(1, None, total=10).as_requests() == (1.0, None)
    assert Timeout.default() == Timeout(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
    assert hash(timeout) == hash(Timeout(5.0, 30.0))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        timeout.read = 1.0  # type: ignore[misc]


def test_timeout_coerce() -> None:
    existing = Timeout(2, 3)
    assert Timeout.coerce(existing) is existing
    assert Timeout.coerce(10) == Timeout(10, 10)
    assert Timeout.coerce(2.5) == Timeout(2.5, 2.5)
    assert Timeout.coerce((3, 120)) == Timeout(3, 120)
    assert Timeout.coerce((None, 60)) == Timeout(None, 60)
    assert Timeout.coerce(None) == Timeout(None, None)


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"connect": -1, "read": 1}, "timeout.connect", "range"),
        ({"connect": 1, "read": 0}, "timeout.read", "range"),
        ({"connect": 1, "read": 1, "total": -0.5}, "timeout.total", "range"),
        ({"connect": math.nan, "read": 1}, "timeout.connect", "range"),
        ({"connect": 1, "read": math.inf}, "timeout.read", "range"),
        ({"connect": True, "read": 1}, "timeout.connect", "type"),
        ({"connect": 1, "read": "30"}, "timeout.read", "type"),
    ],
)
def test_timeout_validation_names_the_field(kwargs: dict[str, object], field: str, rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        Timeout(**kwargs)  # type: ignore[arg-type]
    assert (info.value.field, info.value.rule) == (field, rule)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(("value", "rule"), [((1, 2, 3), "type"), ("5", "type"), (False, "type"), (-3, "range")])
def test_timeout_coerce_rejects(value: object, rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        Timeout.coerce(value)  # type: ignore[arg-type]
    assert info.value.rule == rule
