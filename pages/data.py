"""Data: what is loaded, and the upload of your own files (read -> map -> check -> use)."""

from __future__ import annotations

import hashlib

import streamlit as st

from cs_models.pipeline import FileReport
from ui.components import page_header
from ui.data_view import UPLOAD_TYPES, USED_KEY, render_file, render_loaded, render_templates, render_use
from ui.i18n import t
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
for upload in uploads or []:
    content = upload.getvalue()
    file_key = "data_" + hashlib.sha256(content + upload.name.encode("utf-8")).hexdigest()[:12]
    result = render_file(file_key, upload.name, content)
    if result is not None:
        checked.append(result)
if uploads:
    render_use(checked)
render_warehouse()
