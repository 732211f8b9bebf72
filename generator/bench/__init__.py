"""Measuring the generator and the site build on synthetic wikis (``factfile bench``).

Kept apart from the pipeline: nothing in the generator imports it, and the command
loads it only when it is run.
"""

from .synthetic import SyntheticWiki, linking_pages, synthesise

__all__ = ["SyntheticWiki", "linking_pages", "synthesise"]
