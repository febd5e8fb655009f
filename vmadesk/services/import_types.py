"""What the import dialogs name: the CSV column mapping and the errors a file read raises.

Apart from :mod:`vmadesk.services.views` because the reader package loads the FHIR models
(hundreds of milliseconds): only the import dialogs, opened on demand, import this.
"""

from __future__ import annotations

from vmadesk.ingest import CsvMapping, IngestCancelled, IngestError
from vmadesk.ingest.csv_mapping import SYNONYMS, partial_mapping

__all__ = ["SYNONYMS", "CsvMapping", "IngestCancelled", "IngestError", "partial_mapping"]
