"""The validate stage: typed tables checked against the registry, each fault a located `Problem`.

* `schema`: each column cast to its type, then the pandera schema made from the registry;
* `codes`: ISO 3166 codes exist;
* `links`: unique keys, references, evidence for every record and its field, dates against the
  texts that report them;
* `package`: a built package checked with all of the above (and the evidence spans).

Checks are vectorised polars expressions and joins; Python loops run only over failing rows.
"""

from .codes import check_codes
from .links import (check_dates_against_sources, check_evidence_fields, check_references,
                    check_unique_keys)
from .package import check_package
from .schema import cast, schema, validate

__all__ = ["cast", "check_codes", "check_dates_against_sources", "check_evidence_fields",
           "check_package", "check_references", "check_unique_keys", "schema", "validate"]
