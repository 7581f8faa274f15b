"""Outcome measures for THRIVE: a pure-Python catalogue, scoring and reliable-change engine.

The engine lives in ``thrive.measures.engine`` and never imports Django; the web app stores
completions and calls it.
"""
