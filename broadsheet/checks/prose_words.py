"""The words around a number in an issue's prose, in both languages, as the typed-number checks
read them (typed_number_claims.py, typed_values.py): movement words, rates, consensus and prior,
months and days, bounds and thresholds, the units a number is typed with.

The names of series and indicators are not here: they are the catalog's (data/catalog.yaml,
`lint:`), read by typed_number_claims.NameIndex. A sentence that names none still speaks of the
list item above when it has a rate, consensus or prior word.
"""

import re

YOY = r"年增|年率|年比|y/y|year[- ]on[- ]year|year[- ]over[- ]year|annual|12-month"
MOM = r"月增|月率|月比|月來看|m/m|month[- ]on[- ]month|month[- ]over[- ]month|monthly"
CONSENSUS_RE = re.compile(r"預期|預估|共識|consensus|expect|forecast|estimate", re.I)
PRIOR_RE = re.compile(r"前值|前月|上月|前一個月|previous|prior|last month", re.I)
# a number right after these is a threshold or a rounded bound, not a reading of the data
APPROX_BEFORE_RE = re.compile(
    r"(?:逾|超過|超|約|近|將近|至少|不到|跌破|突破|衝破|站上|失守|more than|over|above|about|around|nearly"
    r"|almost|roughly|approximately|at least|under|below|beyond|less than)\s*[$]?\s*$", re.I)
APPROX_AFTER_RE = re.compile(r"^\s*(?:以上|以下|附近|左右|多|上下|大關|關卡|-?plus\b|or so\b|-?level\b|line\b"
                             r"|mark\b|handle\b|threshold\b)", re.I)
# a clause with these words speaks of an intraday extreme or a threshold (the data holds closes)
THRESHOLD_CLAUSE_RE = re.compile(r"一度|觸及|盤中|關卡|門檻|榮枯線|心理|briefly|intraday|touch(?:ed|ing)"
                                 r"|at one point|psychological|threshold", re.I)
MOVE_RE = re.compile(r"漲|跌|升|降|揚|挫|飆|奔|彈|瀉|崩|變動"
                     r"|rose|rise|fell|fall|gain|lost|lose|drop|jump|surge|soar|plunge|slump|climb|tumbl|sank"
                     r"|sink|declin|increas|decreas|advanc|retreat|rall|\bup\b|\bdown\b"
                     r"|\bmov(?:e|ed|es|ing)\b|\bsw(?:ung|ing|ings)\b|\bsl(?:id|ide|ides|ipped|ip)\b|\bshed\b"
                     r"|\badd(?:ed|s)?\b|plummet|rebound|bounc|\bdip(?:ped|s)?\b|\bedg(?:ed|es)\b"
                     r"|\b(?:high|low)er\b", re.I)
MONTHS_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december"]
# a month in English: its name, or the abbreviation (Apr, Apr., Sept) written with its capital
MONTH_EN = (r"\b(" + "|".join(MONTHS_EN) + r"|(?-i:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
            r")(?![A-Za-z])")
MONTH_RE = re.compile(r"(?<![\d/])(1[0-2]|0?[1-9])\s*月(?!\s*\d+\s*日)|" + MONTH_EN, re.I)
DATE_RE = re.compile(r"(?<![\d/])(1[0-2]|0?[1-9])\s*(?:月\s*|/)(3[01]|[12]\d|0?[1-9])(?:\s*日)?(?![\d/])"
                     r"|" + MONTH_EN + r"\s*(3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b", re.I)
NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9_.\-–/])(?P<sign>[-−+])?[$]?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>\s*(?:%|％|個百分點|percentage points?\b|percent\b|萬|億|兆|bps?\b|basis points?\b|基點|個基點|點"
    r"|points?\b|pts?\b|美元|dollars?\b|[kK]\b|thousand\b|million\b|billion\b|trillion\b))?"
    r"(?![A-Za-z0-9/\-–]|\.\d)")
# a page, an item or a rank: "p. 123", "page 12", "No. 3", "#1", "第 3"
PAGE_BEFORE_RE = re.compile(r"(?:\bpp?\.|\bpages?|\bno\.|#|第)\s*$", re.I)

MONTH_BEFORE_RE = re.compile(MONTH_EN + r"\s*$", re.I)  # April 9, Apr. 9
MONTH_AFTER_RE = re.compile(r"\s*(?:(?:st|nd|rd|th)\b\s*)?(?:of\s+)?" + MONTH_EN, re.I)  # 9 April, 9th of April

# English puts the field after the number too: "below the 2.6% expected", "from 50.3 the previous month"
FIELD_AFTER_RE = re.compile(r"\s*(?:(?:was|were|had been)\s+)?(?:(?P<consensus>expected|forecast|estimated"
                            r"|consensus)|(?P<prior>previously|prior|(?:in\s+)?the\s+(?:previous|prior)\s+month"
                            r"|last\s+month|the\s+month\s+before|a\s+month\s+earlier))\b", re.I)
# a value typed before this one in the clause: the field words before it are its own
VALUE_BEFORE_RE = re.compile(r"\d[\d,]*\.\d+|\d+(?:\.\d+)?\s*[%％]|\d{1,3}(?:,\d{3})+")
# the start of a move, "from 4.01% to 4.34% by April 9": not the close of the day named
FROM_BEFORE_RE = re.compile(r"(?:\bfrom|從|由)\s*[$]?\s*$", re.I)
# a number's own month: "February's 2.8%", "2 月的 2.8%"
# ("February's downwardly revised 117,000", "2 月下修後的 11.7萬": the prior of the next release)
OWN_MONTH = (r"(?:" + MONTH_EN + r"(?:'s|’s)\s*(?P<revised>(?:(?:down|up)wardly\s+)?revised)?"
             r"|(?<![\d/])(?:1[0-2]|0?[1-9])\s*月份?\s*(?P<revised_zh>[下上]修後?|修正後)?的)")
OWN_MONTH_RE = re.compile(OWN_MONTH + r"\s*$", re.I)
OWN_MONTH_PHRASE_RE = re.compile(OWN_MONTH + r"(?=\s*[$]?\d)", re.I)  # left out of the sentence's month
# a clause with these speaks of the release its sentence names, as the English clause of the same
# sentence does: "月增率為 0.1%" ("and 0.1% month on month"), "2 月的 2.8%" ("February's 2.8%")
RATE_CLAUSE_RE = re.compile(YOY + "|" + MOM + "|" + OWN_MONTH, re.I)
