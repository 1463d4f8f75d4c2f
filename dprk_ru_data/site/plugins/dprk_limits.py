"""Datasette plugin of dprk-ru-data: every connection to the served database gets the limits of
`dprk_ru_data.site.limits`, so that one expensive SQL call fails fast and other pages are
served meanwhile. Datasette's own bookkeeping database (`_internal`) is left as it is."""

from __future__ import annotations

import sqlite3
from typing import Any

import datasette.handle_exception as default_errors
from datasette import hookimpl

from dprk_ru_data.site.limits import bound_connection

# Where `rich` is installed, Datasette prints every error page's traceback with its local
# variables through it: about 0.7 s of the event loop per refused query or 404, during which no
# other page is served. The server's log keeps the one-line error Datasette writes anyway.
default_errors.rich = None


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database != "_internal":
        bound_connection(conn, int(datasette.setting("sql_time_limit_ms")))
