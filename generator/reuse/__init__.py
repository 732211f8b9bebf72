"""Speed, kept in one place: what a rebuild reuses of the last run, and why it may.

The stages (``load``, ``validate``, ``verify``, ``wiki``, ``render``, ``output``) are
plain functions of their inputs. This package gives the pipeline versions of their
per-item steps that reuse earlier results: a file's parsed and checked profile while its
content is the same, an archive's prepared text and placed quotes while its bytes are
the same, and a page's text while nothing it read when it was last rendered has changed
(``reads`` records what each page reads, as Lektor records dependencies).
"""
