"""broadsheet: a static-site generator for a bilingual weekly markets newsletter."""

__version__ = "0.1.0"
