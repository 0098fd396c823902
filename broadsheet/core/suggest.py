"""Did-you-mean for series and indicator ids: spelling (schema.did_you_mean) and the tickers and
short names editors type for them (SPX for SP500, CPI for CPI_YOY). No pandas: the plan uses it."""

from __future__ import annotations

from collections.abc import Iterable

from broadsheet.core.schema import did_you_mean

# Tickers and names editors type for a catalog id (did-you-mean beyond spelling)
TICKERS = {"SPX": "SP500", "GSPC": "SP500", "S&P500": "SP500", "SPY": "SP500", "NDX": "NASDAQCOM", "IXIC": "NASDAQCOM",
           "COMP": "NASDAQCOM", "NASDAQ": "NASDAQCOM", "DJI": "DJIA", "DOW": "DJIA", "US10Y": "DGS10", "US2Y": "DGS2",
           "US20Y": "DGS20", "US30Y": "DGS30", "DX": "DXY", "USDX": "DXY", "BRN": "BRENT", "CL": "WTI", "XAU": "GOLD",
           "CPI": "CPI_YOY", "PPI": "PPI_FD_YOY", "NFP": "NFP_CHANGE", "PAYROLLS": "NFP_CHANGE",
           "UNRATE": "UNEMPLOYMENT_RATE", "PMI": "ISM_MFG_PMI"}


def suggest(word: str, known: Iterable[str], what: str) -> str:
    """'did you mean X? known series: …' for an unknown series or indicator id."""
    known = sorted(known)
    key = str(word).upper().lstrip("^").replace(" ", "")
    close = TICKERS.get(key) if TICKERS.get(key) in known else did_you_mean(key, known)
    listed = f"{what}: {', '.join(known)}"
    return f"did you mean {close!r}? {listed}" if close else listed
