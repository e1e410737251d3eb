"""Overview cards: one module per analysis, each with ``render() -> None``.

A card shows one to three headline numbers of its analysis (``st.metric``) and a
plain-language reading, computed by ``cs_models`` from the current datasets.
"""
