"""Plotly figure builders (no Streamlit). One module per topic; see :mod:`.theme`."""
