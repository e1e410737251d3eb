"""The sample data are one object shared by every session: no page may change them."""

from __future__ import annotations

import pytest

from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, run_app
from ui import caching
from ui.navigation import PAGES
from ui.state import sample_datasets


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_modifies_the_shared_sample(lang):
    """After every page has run on the shared sample, each of its frames still hashes (in full,
    not from the remembered digest) exactly as a fresh read of the sample files does."""
    for spec in PAGES:
        assert_clean(run_app(spec.path, lang=lang))
    shared, fresh = sample_datasets(lang), load_sample(lang)
    assert shared.available() == fresh.available()
    for kind in fresh.available():
        assert caching._full_digest(shared.get(kind)) == caching._full_digest(fresh.get(kind)), kind
        assert caching.frame_digest(shared.get(kind)) == caching._full_digest(fresh.get(kind)), kind
