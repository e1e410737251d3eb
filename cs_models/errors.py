"""The package's exception family.

Every error a user can cause is raised as a :class:`CSLensError` subclass. The
error carries a stable ``code`` (translated by the UI via the catalogue key
``errors.<code>``), plus where it happened (file, spreadsheet row, column) and
the parameters needed to format the message. ``str(err)`` is an English
fallback for logs and the command line.
"""

from __future__ import annotations

from typing import Any


class CSLensError(Exception):
    """Base class of all errors raised on purpose by :mod:`cs_models`.

    Parameters
    ----------
    code : str
        Stable machine-readable code, e.g. ``"empty_file"``.
    message : str
        English fallback message.
    file, row, column : optional
        Where the problem is. ``row`` is the 1-based row number as shown in Excel.
    **params
        Extra values for the translated message template.
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.file = file
        self.row = row
        self.column = column
        self.params = params
        super().__init__(message or code)

    @property
    def message(self) -> str:
        """English fallback message."""
        return str(self.args[0])

    def where(self) -> dict[str, Any]:
        """Location fields that are set, for message formatting and JSON.

        Returns
        -------
        dict
            ``file``, ``row`` and ``column`` where known.
        """
        out: dict[str, Any] = {}
        if self.file is not None:
            out["file"] = self.file
        if self.row is not None:
            out["row"] = self.row
        if self.column is not None:
            out["column"] = self.column
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (used by the ``report`` command).

        Returns
        -------
        dict
            ``code``, ``message``, the location and the parameters.
        """
        return {"code": self.code, "message": self.message, **self.where(), **self.params}


class IngestError(CSLensError):
    """A file could not be read or mapped to a canonical dataset."""


class DataError(CSLensError):
    """The data are readable but unsuitable for the requested analysis."""
