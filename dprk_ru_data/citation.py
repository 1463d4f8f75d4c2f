"""How to cite a release: one citation, read from the descriptor, in several formats.

The version, release date (the descriptor's ``created``), licence and content hash all come from
``datapackage.json``, so the citation always names exactly the tables it describes. ``CITATION.cff``
at the repository root is this module's ``cff`` rendering, written by the build.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Callable

FORMATS = ("text", "apa", "bibtex", "cff", "json", "zenodo")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
DOI_PREFIX = "https://doi.org/"
CFF_MESSAGE = ("If you use this dataset, please cite the version you used as below, "
               "with its content hash.")


@dataclass(frozen=True)
class Citation:
    """What a citation of one release says."""

    name: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    version: str
    released: str | None
    licence: str
    content_hash: str
    keywords: tuple[str, ...]
    doi: str | None = None  # from the descriptor's `id` (https://doi.org/...), where recorded

    @classmethod
    def from_descriptor(cls, package: dict[str, Any]) -> "Citation":
        created = package.get("created")
        if created is not None and not _is_day(str(created)[:10]):
            raise ValueError(f"datapackage.json: created {created!r} does not begin with a "
                             "YYYY-MM-DD date")
        return cls(
            name=package["name"],
            title=package["title"],
            abstract=package["description"],
            authors=tuple(c["title"] for c in package.get("contributors", [])
                          if c.get("role", "author") == "author"),
            version=package["version"],
            released=created[:10] if created else None,
            licence=package["licenses"][0]["name"],
            content_hash=package["contentHash"],
            keywords=tuple(package.get("keywords", [])),
            doi=str(package["id"]).removeprefix(DOI_PREFIX)
            if str(package.get("id", "")).startswith(DOI_PREFIX) else None,
        )


def _is_day(text: str) -> bool:
    import datetime as dt

    try:
        return len(text) == 10 and dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def text(citation: Citation) -> str:
    """A plain reference, in the usual author (year). title [Data set] order."""
    year = citation.released[:4] if citation.released else "unreleased"
    released = f", released {citation.released}" if citation.released else ", unreleased"
    return (f"{'; '.join(citation.authors)} ({year}). {citation.title} "
            f"({citation.name} version {citation.version}{released}) [Data set]. "
            f"Licence: {citation.licence}. Content hash: {citation.content_hash}."
            + (f" https://doi.org/{citation.doi}" if citation.doi else "") + "\n")


def apa(citation: Citation) -> str:
    """An APA (7th edition) reference to the data set, with the release's year, month and day;
    the content hash stands where APA puts a retrieval note, the DOI where one is recorded."""
    if citation.released:
        year, month, day = (int(part) for part in citation.released.split("-"))
        when = f"{year}, {MONTHS[month - 1]} {day}"
    else:
        when = "n.d."
    names = list(citation.authors) or [citation.name]  # APA: no author, the work's name leads
    authors = ", ".join(names[:-1]) + (", & " if len(names) > 1 else "") + names[-1]
    unreleased = ", unreleased" if not citation.released else ""
    tail = f"https://doi.org/{citation.doi}" if citation.doi else f"{citation.name}."
    return (f"{authors}. ({when}). {citation.title} (Version {citation.version}{unreleased}) "
            f"[Data set]. {tail} Content hash: {citation.content_hash}.\n")


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                   "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}"}


def _bibtex_escape(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in value)


def bibtex(citation: Citation) -> str:
    """A BibTeX ``@misc`` entry (biblatex reads ``version`` and ``date`` too)."""
    fields: list[tuple[str, str]] = [
        # Double braces keep the title's capitals (DPRK) as written.
        ("title", "{" + _bibtex_escape(citation.title) + "}"),
        ("author", " and ".join("{" + _bibtex_escape(a) + "}" for a in citation.authors)),
    ]
    if citation.released:
        month = MONTHS[int(citation.released[5:7]) - 1][:3].lower()  # BibTeX's macro: nov
        fields += [("year", citation.released[:4]), ("month", month),
                   ("date", citation.released)]
    if citation.doi:
        fields.append(("doi", _bibtex_escape(citation.doi)))
    fields += [
        ("version", citation.version),
        ("howpublished", _bibtex_escape(f"Data set, {citation.name} version {citation.version}")),
        ("note", _bibtex_escape(
            f"{'Unreleased development build. ' if not citation.released else ''}"
            f"Licence: {citation.licence}. Content hash: {citation.content_hash}")),
    ]
    key = f"{citation.name}-{citation.version}"
    # A month is BibTeX's own three-letter macro, written bare, so that styles print its name.
    body = "".join(f"  {name} = {value if name == 'month' else '{' + value + '}'},\n"
                   for name, value in fields)
    return f"@misc{{{key},\n{body}}}\n"


def _yaml(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def cff(citation: Citation) -> str:
    """A ``CITATION.cff`` file (Citation File Format 1.2.0) for the dataset."""
    lines = [
        "# Generated by `dprk-data build` from datapackage.json: do not edit by hand.",
        "cff-version: 1.2.0",
        f"message: {_yaml(CFF_MESSAGE)}",
        "type: dataset",
        f"title: {_yaml(citation.title)}",
        f"abstract: {_yaml(citation.abstract)}",
        "authors:",
        *(f"  - name: {_yaml(author)}" for author in citation.authors),
        f"version: {_yaml(citation.version)}",
    ]
    if citation.released:
        lines.append(f"date-released: {_yaml(citation.released)}")
    lines += [
        f"license: {_yaml(citation.licence)}",
        "identifiers:",
        *(["  - type: doi", f"    value: {_yaml(citation.doi)}"] if citation.doi else []),
        "  - type: other",
        f"    value: {_yaml(citation.content_hash)}",
        f"    description: {_yaml('Content hash of the data tables: the SHA-256 of their sha256sum manifest, sorted by path.')}",
        "keywords:",
        *(f"  - {_yaml(keyword)}" for keyword in citation.keywords),
    ]
    return "\n".join(lines) + "\n"


def csl_json(citation: Citation) -> str:
    """A CSL-JSON item (what Zotero, Mendeley and pandoc import) as a one-item list."""
    item: dict[str, Any] = {
        "id": f"{citation.name}-{citation.version}",
        "type": "dataset",
        "title": citation.title,
        "author": [{"literal": author} for author in citation.authors],
        "version": citation.version,
        "abstract": citation.abstract,
        "license": citation.licence,
        "note": f"Content hash: {citation.content_hash}",
    }
    if citation.released:
        year, month, day = (int(part) for part in citation.released.split("-"))
        item["issued"] = {"date-parts": [[year, month, day]]}
    if citation.doi:
        item["DOI"] = citation.doi
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


def zenodo(citation: Citation) -> str:
    """A ``.zenodo.json`` (Zenodo's deposit metadata) from the same citation as CITATION.cff, so
    that a release deposited on Zenodo gets the same title, creators, version and licence."""
    record: dict[str, Any] = {
        "upload_type": "dataset",
        "title": f"{citation.title} ({citation.name} {citation.version})",
        "description": citation.abstract,
        "creators": [{"name": author} for author in citation.authors],
        "version": citation.version,
        "license": {"id": citation.licence.lower()},
        "keywords": list(citation.keywords),
        "notes": f"Content hash: {citation.content_hash}",
    }
    if citation.released:
        record["publication_date"] = citation.released
    if citation.doi:
        record["doi"] = citation.doi
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Citation], str]] = {
    "text": text, "apa": apa, "bibtex": bibtex, "cff": cff, "json": csl_json, "zenodo": zenodo}


def render(package: dict[str, Any], output_format: str = "text", doi: str | None = None) -> str:
    """The citation of the package described by `package` in `output_format` (one of FORMATS);
    `doi`, where given, is the release's DOI recorded after it was built (a stored release's
    descriptor predates its deposit), used where the descriptor names none.

    >>> "@misc{dprk-ru-data-" in render(__import__("dprk_ru_data").package(), "bibtex")
    True
    """
    if output_format not in RENDERERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    citation = Citation.from_descriptor(package)
    if doi and not citation.doi:
        citation = dataclasses.replace(citation, doi=doi)
    return RENDERERS[output_format](citation)
