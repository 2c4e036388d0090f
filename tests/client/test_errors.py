"""The error classes are plain and declared once: caught by class, identical by type, picklable
with every field, and copied (never edited) when a caller adds context."""

from __future__ import annotations

import pickle

import pytest

import anypoint_pulumi
from anypoint_pulumi.access import errors

CLASSES = [getattr(errors, name) for name in dir(errors)
           if isinstance(getattr(errors, name), type)
           and issubclass(getattr(errors, name), errors.AnypointError)]


def test_the_package_exports_the_access_layer_s_own_classes() -> None:
    exported = [getattr(anypoint_pulumi, name) for name in anypoint_pulumi.__all__
                if name.endswith("Error")]
    assert sorted(c.__name__ for c in exported) == sorted(c.__name__ for c in CLASSES)
    assert all(c.__module__ == "anypoint_pulumi.access.errors" for c in exported)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_pickles_as_itself_with_its_fields(cls: type[errors.AnypointError]) -> None:
    error = cls("Something failed") if cls is errors.ConfigurationError else cls(
        "Something failed", host="h.example.com", endpoint="GET /x", status=418, hint="Retry")
    error.extra = "kept"  # type: ignore[attr-defined]

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is cls
    assert str(copy) == str(error) and copy.args == error.args
    assert vars(copy) == vars(error)


def test_rate_limited_error_keeps_its_wait_through_pickling() -> None:
    error = errors.RateLimitedError("Rate limited", retry_after=12.5, status=429)

    assert pickle.loads(pickle.dumps(error)).retry_after == 12.5


def test_configuration_error_keeps_its_field_through_pickling() -> None:
    error = errors.ConfigurationError("bad", field="base_url", hint="Fix it")

    copy = pickle.loads(pickle.dumps(error))
    assert (copy.field, copy.hint) == ("base_url", "Fix it")


def test_with_context_returns_a_copy_of_the_same_class() -> None:
    error = errors.NotFoundError("Not found", host="h", endpoint="GET /x", status=404)

    copy = error.with_context("get_environment(name='x')", hint="Check the name")

    assert type(copy) is errors.NotFoundError
    assert str(copy).startswith("get_environment(name='x'): Not found")
    assert copy.hint == "Check the name" and copy.status == 404
    assert error.message == "Not found" and error.hint is None, "the original is untouched"
