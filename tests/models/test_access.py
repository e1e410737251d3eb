"""The sign-in allow-list (``cs_models.access``): who is admitted, checked by hand-written cases."""

from __future__ import annotations

import pytest

from cs_models.access import AccessPolicy
from cs_models.errors import DataError

POLICY = AccessPolicy.from_mapping({"email_domains": ["Example.co.jp", "@team.example"],
                                    "emails": ["Guest@Partner.example"]})


def test_no_list_admits_everyone_signed_in():
    assert not AccessPolicy.from_mapping(None).restricted
    assert AccessPolicy().admits({})
    assert AccessPolicy().admits({"email": "anyone@anywhere.example"})


@pytest.mark.parametrize(("claims", "expected"), [
    ({"email": "aiko@example.co.jp"}, True),
    ({"email": "AIKO@EXAMPLE.CO.JP "}, True),                       # case and spaces do not matter
    ({"email": "ken@team.example", "email_verified": True}, True),  # "@team.example" listed with its @
    ({"email": "guest@partner.example"}, True),                     # a single address
    ({"email": "other@partner.example"}, False),                    # not its domain
    ({"email": "aiko@sub.example.co.jp"}, False),                   # subdomains are not the domain
    ({"email": "aiko@example.co.jp.evil.example"}, False),
    ({"email": "evil@example.co.jp@evil.example"}, False),          # two @: not an address
    ({"email": "aiko@example.co.jp", "email_verified": False}, False),
    ({"email": "aiko@example.co.jp", "email_verified": "false"}, False),
    ({"sub": "u-1"}, False),                                        # no e-mail claim
    ({"email": None}, False),
])
def test_a_list_admits_only_verified_listed_addresses(claims, expected):
    assert POLICY.restricted
    assert POLICY.admits(claims) is expected


def test_the_list_is_normalised():
    assert POLICY.to_dict() == {"domains": ["example.co.jp", "team.example"], "emails": ["guest@partner.example"]}


@pytest.mark.parametrize("table", [
    {"email_domains": "example.co.jp"},          # a text, not a list
    {"emails": ["a@example.com", 3]},
    {"emails": [" "]},
    {"email_domain": ["example.co.jp"]},         # a misspelt key would silently admit everyone
])
def test_a_list_that_cannot_be_read_is_an_error(table):
    with pytest.raises(DataError) as info:
        AccessPolicy.from_mapping(table)
    assert info.value.code == "access_bad_config"
