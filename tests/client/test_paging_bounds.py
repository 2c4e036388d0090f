"""Listing environments asks at most ⌈total / page size⌉ + 1 pages (the first answer's total and
page size), never more than ``MAX_PAGES``, and stops on a page that adds nothing new: a server
that claims more pages forever cannot keep the client asking."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import UnexpectedResponseError
from anypoint_pulumi.access.limits import MAX_PAGES
from tests.support.hostile import HostileServer, pager

PATH = "/accounts/api/organizations/org/environments"


@pytest.fixture
def client(hostile: HostileServer) -> AccessManagementClient:
    return AccessManagementClient(base_url=hostile.base_url, retries=0, timeout_seconds=30.0)


def test_an_endless_pager_is_asked_no_more_than_its_total_needs(hostile, client):
    hostile.route(PATH, pager(total=1000, page_size=500))  # would send new pages forever

    found = client.environments("tok", "org")

    assert len(found) == 1000
    assert hostile.count(PATH) == 2


def test_a_pager_claiming_more_forever_stops_at_total_over_page_size_plus_one(hostile, client):
    served = pager(total=1000, page_size=100, claimed=lambda page: 1000 * page)
    hostile.route(PATH, served)  # the total grows with every page: only the first one counts

    found = client.environments("tok", "org")

    assert len(found) == 1000
    assert hostile.count(PATH) == 10


def test_a_pager_that_never_reaches_its_total_fails_at_the_bound_saying_so(hostile, client):
    short = pager(total=1000, page_size=500)
    hostile.route(PATH, lambda seen: short(seen) if seen.query["offset"] == ["0"] else
                  pager(total=1000, page_size=1)(seen))  # then one new entry per page

    with pytest.raises(UnexpectedResponseError) as caught:
        client.environments("tok", "org")

    assert hostile.count(PATH) == math.ceil(1000 / 500) + 1
    assert "claims 1000 environments but 3 pages gave 502" in caught.value.message


def test_a_huge_total_is_bounded_by_the_hard_ceiling(hostile, client):
    hostile.route(PATH, pager(total=10**12, page_size=2))

    with pytest.raises(UnexpectedResponseError, match="stopped rather than ask on"):
        client.environments("tok", "org")

    assert hostile.count(PATH) == MAX_PAGES


def test_a_page_that_adds_nothing_new_ends_the_listing(hostile, client):
    hostile.route(PATH, pager(total=5000, page_size=500, fresh=False))  # ignores offset

    found = client.environments("tok", "org")

    assert len(found) == 500 and len(set(found)) == 500
    assert hostile.count(PATH) == 2


@pytest.mark.parametrize("total", [None, "1000", True, -5, 1.5e9, [1000]])
def test_a_total_that_is_not_a_count_ends_after_the_first_page(hostile, client, total):
    hostile.route(PATH, pager(total=total, page_size=500))

    assert len(client.environments("tok", "org")) == 500
    assert hostile.count(PATH) == 1


def test_an_empty_page_ends_the_listing(hostile, client):
    hostile.route(PATH, pager(total=1000, page_size=0))

    assert client.environments("tok", "org") == []
    assert hostile.count(PATH) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(total=st.integers(0, 3000), page_size=st.integers(1, 500), fresh=st.booleans(),
       grows=st.booleans())
def test_property_the_page_count_is_bounded(hostile, client, total, page_size, fresh, grows):
    before = hostile.count(PATH)
    hostile.route(PATH, pager(total=total, page_size=page_size, fresh=fresh,
                              claimed=(lambda page: total * page) if grows else None))

    with contextlib.suppress(UnexpectedResponseError):  # a listing that cannot end: refused
        client.environments("tok", "org")

    asked = hostile.count(PATH) - before
    assert asked <= max(1, min(MAX_PAGES, math.ceil(total / page_size) + 1))
