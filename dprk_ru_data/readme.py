"""The values the README's examples state, computed from the data when the build runs.

The README is written by hand, except what its examples say the data give. Between a line
``<!-- values:start ... -->`` and the next ``<!-- values:end -->``, each line of a ```` ```python ````
block that ends in a comment (two spaces, then ``# ``) states a value: `render` runs the blocks
in order, on the package at a given folder, and writes after the ``# `` the ``repr`` of what the
line's expression gives, as sqlite-utils keeps its README's outputs with ``cog``. The examples
stay plain code a newcomer can paste (``dprk_ru_data.load("claims")``); while they run here, the
package they import reads the folder given. Nothing else of the README is changed, and the
markers must pair up: anything else raises `ReadmeError`, naming the line.

>>> text = render("<!-- values:start -->\\n```python\\n1 + 1  # 3\\n```\\n<!-- values:end -->\\n",
...               None)
>>> text.splitlines()[2]
'1 + 1  # 2'
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

README = "README.md"
START = re.compile(r"<!-- values:start\b.*-->")
END = "<!-- values:end -->"
STATES = "  # "  # what separates an example's expression from the value it states


class ReadmeError(ValueError):
    """The README's markers are missing or do not pair up, or an example between them cannot
    state its value; `line` is the README's line (1 for the first), where there is one."""

    def __init__(self, line: int | None, why: str):
        super().__init__(f"{README}:{line}: {why}" if line else f"{README}: {why}")
        self.line, self.why = line, why


def check_markers(text: str) -> None:
    """Raise `ReadmeError` where the markers of `text` are missing or do not pair up; run
    nothing."""
    _walk(text, None)


def render(text: str, root: str | Path | None) -> str:
    """`text` (the README) with every stated value between its markers computed anew from the
    package at `root` (default: the shipped data). Raises `ReadmeError`."""
    return _walk(text, {"__builtins__": _builtins_reading(root)})


def _walk(text: str, namespace: dict[str, Any] | None) -> str:
    """`text` with its marked examples run in `namespace` and their values written anew (with
    no namespace, only the markers are checked)."""
    lines = text.splitlines(keepends=True)
    inside, block, regions = None, False, 0
    for number, line in enumerate(lines, start=1):
        bare = line.strip()
        if START.fullmatch(bare):
            if inside is not None:
                raise ReadmeError(number, f"a second values:start before the values:end of the "
                                          f"one on line {inside}")
            inside, regions = number, regions + 1
        elif bare == END:
            if inside is None:
                raise ReadmeError(number, "values:end without a values:start before it")
            if block:
                raise ReadmeError(number, "values:end inside a ```python block")
            inside = None
        elif bare.startswith("<!-- values") and bare.endswith("-->"):
            raise ReadmeError(number, f"{bare!r} is not a marker: write <!-- values:start --> "
                                      f"or {END}")
        elif inside is not None and bare.startswith("```"):
            block = bare == "```python" if not block else False
        elif inside is not None and block and namespace is not None:
            lines[number - 1] = _stated(line, number, namespace)
    if inside is not None:
        raise ReadmeError(inside, f"values:start without a {END} after it")
    if not regions:
        raise ReadmeError(None, "no <!-- values:start --> ... <!-- values:end --> markers: the "
                                "build writes the values the examples state between them")
    return "".join(lines)


def _stated(line: str, number: int, namespace: dict[str, Any]) -> str:
    """`line` of an example run in `namespace`, its stated value (if it states one) written
    anew."""
    body = line.rstrip("\r\n")
    code, sep, _ = body.partition(STATES)
    try:
        if not sep:
            exec(compile(code, f"{README}:{number}", "exec"), namespace)  # noqa: S102
            return line
        try:
            expression = compile(code.strip(), f"{README}:{number}", "eval")
        except SyntaxError:
            raise ReadmeError(number, "a stated value (after '  # ') follows a statement, not "
                                      "an expression") from None
        value = eval(expression, namespace)  # noqa: S307 - the project's own README
    except ReadmeError:
        raise
    except Exception as error:
        raise ReadmeError(number, f"the example fails on the data: {type(error).__name__}: "
                                  f"{error}") from None
    written = repr(value)
    try:
        same = ast.literal_eval(written) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise ReadmeError(number, f"the example gives a {type(value).__name__}, which cannot "
                                  "be stated as a Python literal: end it in a number, string, "
                                  "list or tuple (e.g. .to_list(), .rows())")
    return f"{code}{sep}{written}{line[len(body):]}"


def _builtins_reading(root: str | Path | None) -> dict[str, Any]:
    """Python's builtins, except that ``import dprk_ru_data`` gives the package with each
    function that reads the data reading `root`."""
    import dprk_ru_data

    if root is None:
        return dict(vars(builtins))
    reading = types.ModuleType(dprk_ru_data.__name__, dprk_ru_data.__doc__)
    for name in dprk_ru_data.__all__:
        value = getattr(dprk_ru_data, name)
        if callable(value) and "root" in _parameters(value):
            value = functools.partial(value, root=root)
        setattr(reading, name, value)
    setattr(reading, "__getattr__", functools.partial(getattr, dprk_ru_data))  # the rest as is
    real: Callable[..., Any] = builtins.__import__

    def importer(name: str, globals: Any = None, locals: Any = None,
                 fromlist: Any = (), level: int = 0) -> Any:
        if name == dprk_ru_data.__name__ and level == 0:
            return reading
        return real(name, globals, locals, fromlist, level)

    return {**vars(builtins), "__import__": importer}


def _parameters(function: Callable[..., Any]) -> set[str]:
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # a class or builtin without a signature
        return set()
