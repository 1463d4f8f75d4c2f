"""The validate stage: typed tables checked against the registry, each fault a located `Problem`.

* `schema`: each column cast to its type, then the pandera schema made from the registry (told in
  one query where a table keeps it all, `passes`; pandera locates what fails);
* `codes`: ISO 3166 codes exist;
* `links`: unique keys, references, evidence for every record and its field, dates against the
  texts that report them;
* `names`: actor names unique once normalised, each in one script.

A built package is checked with the same functions by `build.check_package`.

Checks are vectorised polars expressions and joins; Python loops run only over failing rows.
"""

from .codes import check_codes
from .links import (check_dates_against_sources, check_disagreements, check_evidence_fields,
                    check_field_evidence, check_foreign_keys, check_references,
                    check_unique_keys, check_view_keys, increasing, record_keys)
from .names import check_actor_names
from .schema import cast, passes, schema, validate

__all__ = ["cast", "check_actor_names", "check_codes", "check_dates_against_sources",
           "check_disagreements", "check_evidence_fields", "check_field_evidence",
           "check_foreign_keys", "check_references", "check_unique_keys", "check_view_keys",
           "increasing", "passes", "record_keys", "schema", "validate"]
