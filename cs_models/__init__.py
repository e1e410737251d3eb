"""CS Lens modelling package: ingestion, customer-success analytics and charts.

This package never imports Streamlit. Functions take canonical pandas frames and
plain parameters and return frozen dataclasses or Plotly figures.
"""

from cs_models.datasets import DATASET_KINDS, Datasets
from cs_models.errors import CSLensError, DataError, IngestError

__all__ = ["DATASET_KINDS", "CSLensError", "DataError", "Datasets", "IngestError"]
__version__ = "0.1.0"
