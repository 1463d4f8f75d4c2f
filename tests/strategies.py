"""Hypothesis strategies shared by the normaliser tests: numbers and dates in every spelling
the normalisers promise to read."""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import strategies as st

_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n: int) -> str:
    """English words for 0 <= n < 1000, written independently of the parser."""
    if n < 20:
        return _SMALL[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f"-{_SMALL[unit]}" if unit else "")
    hundreds, rest = divmod(n, 100)
    return f"{_SMALL[hundreds]} hundred" + (f" and {words(rest)}" if rest else "")


def spellings(n: int) -> list[str]:
    """Every supported way to write the integer n."""
    out = [str(n), f"{n:,}", f"{n:,}".replace(",", " ")]
    if n < 1000:
        out.append(words(n))
    for scale, suffixes in ((1_000_000, ("million", "m")), (1000, ("thousand", "k", "K"))):
        if n and n % scale == 0 and n // scale < 1000:
            head = n // scale
            out += [f"{head} {suffixes[0]}", f"{head}{suffixes[1]}", f"{head}-{suffixes[0]}"]
            if head < 20:
                out.append(f"{words(head)} {suffixes[0]}")
            break
    return out


integers = st.integers(min_value=0, max_value=10**9)
spelled_integers = integers.flatmap(lambda n: st.tuples(st.just(n), st.sampled_from(spellings(n))))
qualifiers = st.sampled_from(["", "about ", "around ", "approximately ", "roughly ", "some ",
                              "an estimated ", "nearly ", "almost ", "~", "c. ", "up to ",
                              "as many as ", "at most ", "no more than ", "less than ", "under ",
                              "at least ", "over ", "more than ", "upwards of "])
counted = st.sampled_from(["", " troops", " North Korean soldiers", " artillery shells"])

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def day_spellings(d: dt.date) -> list[str]:
    month = calendar.month_name[d.month]
    return [d.isoformat(), f"{d.day} {month} {d.year}", f"{month} {d.day}, {d.year}",
            f"on {d.day} {month} {d.year}", f"{calendar.month_abbr[d.month]}. {d.day} {d.year}"]


RELATIVE = ["Monday", "on Tuesday", "Friday", "last week", "last month", "earlier this month",
            "this year", "next year", "last year", "earlier this year", "in the coming months",
            "October 14", "in June", "by year-end", "fourth quarter", "summer", "yesterday"]
