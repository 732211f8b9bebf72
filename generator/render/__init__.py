"""Stage 5: the wiki as Markdown pages (``pages``), through the one Jinja environment
(``environment``); links, claim wording and views of many profiles in their own modules."""

from .pages import REFERENCE_PAGES, page_origins, page_paths, render_page

__all__ = ["REFERENCE_PAGES", "page_origins", "page_paths", "render_page"]
