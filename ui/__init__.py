"""Streamlit-side helpers of CS Lens: translation, session state, sidebar and shared widgets."""
