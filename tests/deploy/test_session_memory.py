"""An ended session leaves nothing of its upload behind (issue 16, "memory that never comes back").

The uploaded datasets live in the session's state only; the digest memo (``ui.caching._KNOWN``)
and the latest-date memo (``ui.state._LATEST``) hold weak references, and ``cache_data`` keeps
pickled *results*, never the frames. So once the session is gone and the garbage collector has run,
a weak reference to the uploaded frame is dead. Not a timed test: it asks the collector, not the clock.
"""

from __future__ import annotations

import gc
import weakref

from cs_models.datasets import Datasets
from cs_models.sample import load_sample
from tests.app.util import assert_clean, run_app


def _upload() -> Datasets:
    """A fresh copy of the sample's customers and events, as if this session had uploaded them."""
    sample = load_sample("en")
    return Datasets(customers=sample.customers.copy(deep=True), events=sample.events.copy(deep=True),
                    source="upload", origins={"customers": "customers.csv", "events": "events.csv"})


def test_uploaded_frames_are_collected_when_the_session_ends():
    """Open Churn and the Overview on an upload, end the session: the frames are garbage."""
    upload = _upload()
    frames = [weakref.ref(upload.customers), weakref.ref(upload.events)]
    holder = weakref.ref(upload)
    at = run_app("pages/churn.py", uploaded=upload)
    assert_clean(at)
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    del upload, at
    gc.collect()
    assert holder() is None
    assert all(ref() is None for ref in frames)


def test_no_page_caches_a_function_it_defines():
    """``cached(fn)`` keeps ``fn`` for the process's life: a page's own function (a new object each
    run, holding the run's globals and so the session's frames) must live in a module instead."""
    import re

    from tests.app.util import ROOT

    for page in sorted((ROOT / "pages").glob("*.py")):
        text = page.read_text(encoding="utf-8")
        defined = set(re.findall(r"^def (\w+)", text, re.M))
        assert not defined & set(re.findall(r"cached\((\w+)\)", text)), page.name

