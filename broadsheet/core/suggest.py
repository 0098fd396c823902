"""Did-you-mean: the closest known name to a mistyped one, and for series and indicator ids the
tickers and short names editors type for them too (SPX for SP500, CPI for CPI_YOY). Imports
nothing of broadsheet: every check that names what it knows uses it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Tickers and names editors type for a catalog id (did-you-mean beyond spelling)
TICKERS = {"SPX": "SP500", "GSPC": "SP500", "S&P500": "SP500", "SPY": "SP500", "NDX": "NASDAQCOM", "IXIC": "NASDAQCOM",
           "COMP": "NASDAQCOM", "NASDAQ": "NASDAQCOM", "DJI": "DJIA", "DOW": "DJIA", "US10Y": "DGS10", "US2Y": "DGS2",
           "US20Y": "DGS20", "US30Y": "DGS30", "DX": "DXY", "USDX": "DXY", "BRN": "BRENT", "CL": "WTI", "XAU": "GOLD",
           "CPI": "CPI_YOY", "PPI": "PPI_FD_YOY", "NFP": "NFP_CHANGE", "PAYROLLS": "NFP_CHANGE",
           "UNRATE": "UNEMPLOYMENT_RATE", "PMI": "ISM_MFG_PMI"}


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest known name to a mistyped one, or None when nothing is close."""
    found = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return found[0] if found else None


def known_hint(word: str, choices: Iterable[str], what: str = "known") -> str:
    """'did you mean X? known: a, b, c' for an unknown name (choices in the order given)."""
    choices = [str(c) for c in choices]
    close = did_you_mean(word, choices)
    listed = f"{what}: {', '.join(choices)}"
    return f"did you mean {close!r}? {listed}" if close else listed


def suggest(word: str, known: Iterable[str], what: str) -> str:
    """'did you mean X? known series: …' for an unknown series or indicator id."""
    known = sorted(known)
    key = str(word).upper().lstrip("^").replace(" ", "")
    close = TICKERS.get(key) if TICKERS.get(key) in known else did_you_mean(key, known)
    listed = f"{what}: {', '.join(known)}"
    return f"did you mean {close!r}? {listed}" if close else listed
