"""Curation: from a new article to evidence-backed events in the curated dataset.

The workflow of ``pages/6_Curate.py``, as plain functions:

1. :mod:`geo.curate.extract` takes the text out of a pasted string or a .txt/.html/.pdf file;
   :mod:`geo.curate.archive` keeps it unchanged under ``seeds/`` with its SHA-256 and a source
   record (title, outlet, publication date, URL or "not stated").
2. :mod:`geo.curate.candidates` proposes events, rule-based and offline: places from the
   curated gazetteer and GeoNames, dates resolved against the publication date with the
   reasoning, actors from the actor table, and the sentences that support each.
3. :mod:`geo.curate.store` validates a confirmed or edited event with the project's loader plus
   the curation checks (quote verbatim, point inside the country, choices made explicitly), and
   saves, edits or deletes it in ``data/events.csv`` with a change log and undo.

:mod:`geo.curate.settings` says where the curated dataset lives and who may curate.
"""
