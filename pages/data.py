"""Data: what is loaded, and the upload of your own files (read -> map -> check -> use)."""

from __future__ import annotations

import streamlit as st

from cs_models.pipeline import FileReport
from ui.components import page_header
from ui.data_view import (
    UPLOAD_TYPES,
    USED_KEY,
    read_ahead,
    render_file,
    render_loaded,
    render_templates,
    render_use,
)
from ui.i18n import t
from ui.upload_store import keep_only, widget_key
from ui.uploader_texts import translate_uploaders
from ui.warehouse_view import render_warehouse

page_header("data")
translate_uploaders()
used_message = st.session_state.pop(USED_KEY, None)
if used_message:
    st.success(t("data.used", datasets=used_message), icon=":material/check_circle:")
render_loaded()
st.divider()
st.header(t("data.upload_title"), anchor=False)
st.caption(t("data.upload_help"))
render_templates()
uploads = st.file_uploader(t("data.uploader"), type=UPLOAD_TYPES, accept_multiple_files=True,
                           key="data_upload")
checked: list[FileReport] = []
keep_only({upload.file_id for upload in uploads or []})  # a removed file's parse is freed now
files = [(widget_key(u.file_id, u.name, content), u.file_id, u.name, content)
         for u in uploads or [] for content in (u.getvalue(),)]
read_ahead(files)  # each file is read while the one before it is checked
for key, file_id, name, content in files:
    result = render_file(key, file_id, name, content)
    if result is not None:
        checked.append(result)
if uploads:
    render_use(checked)
render_warehouse()
