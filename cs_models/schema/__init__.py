"""Which dataset a table holds, how its columns map to the canonical ones, and what is wrong in it.

Three steps, none of which guesses silently:

1. :func:`detect_kind` scores a table's headers against Japanese and English synonyms
   (``顧客ID``, ``契約開始日``, ``Account ID``, ``Close Date``, ``Created at`` …) and
   names the canonical dataset it most likely holds.
2. :func:`suggest_mapping` proposes a :class:`ColumnMapping` (canonical field -> header).
   The user confirms or edits it; it is saved as JSON (:meth:`ColumnMapping.to_json`)
   and re-applied to next month's file.
3. :func:`validate` turns the table into the canonical frame of
   ``docs/ARCHITECTURE.md`` and lists every problem as (file, row as shown in Excel,
   column, code, message, action). A row is either used or excluded, never dropped
   silently: ``rows_used + rows_excluded == rows_read`` always. Unmapped columns keep
   their header, except one named like a canonical column already built (a spare
   ``customer_id``), which becomes ``"customer_id (2)"``.

Issue codes (translated by the UI as ``validation.<code>``):

``missing_id``, ``missing_date``, ``invalid_date``, ``two_digit_year``, ``ambiguous_date``,
``end_before_start``,
``zero_duration``, ``duplicate_id``, ``invalid_flag``, ``missing_end_date``,
``invalid_amount``, ``negative_amount``, ``invalid_number``, ``out_of_scale``.
"""


from __future__ import annotations

from cs_models.schema._cells import DATE_ISSUES
from cs_models.schema._mapping import (
    COMMON_SCALES,
    DETECT_ROWS,
    FALSE_FLAGS,
    FIELDS,
    ISSUE_COLUMNS,
    MAPPING_VERSION,
    MESSAGES_EN,
    REQUIRED,
    SCALE_IN_HEADER,
    SYNONYMS,
    TRUE_FLAGS,
    ColumnMapping,
    KindGuess,
    ReadTable,
    detect_kind,
    normalise_header,
    numeric_columns,
    suggest_mapping,
    suggest_scale,
)
from cs_models.schema._validate import (
    ValidationResult,
    validate,
)

__all__ = [
    "COMMON_SCALES",
    "DATE_ISSUES",
    "DETECT_ROWS",
    "FALSE_FLAGS",
    "FIELDS",
    "ISSUE_COLUMNS",
    "MAPPING_VERSION",
    "MESSAGES_EN",
    "REQUIRED",
    "SCALE_IN_HEADER",
    "SYNONYMS",
    "TRUE_FLAGS",
    "ColumnMapping",
    "KindGuess",
    "ReadTable",
    "ValidationResult",
    "detect_kind",
    "normalise_header",
    "numeric_columns",
    "suggest_mapping",
    "suggest_scale",
    "validate",
]
