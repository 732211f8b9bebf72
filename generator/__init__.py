"""factfile: a static-site generator for sourced fact files.

The pipeline is one module per stage: ``load`` reads YAML profiles, ``validate``
turns them into the typed ``model``, ``quotes`` checks every citation against its
archived article, ``wiki`` derives the reverse side of every relation, ``render``
turns the wiki into Markdown pages and ``output`` writes them. ``build`` runs the
stages in order; ``plugin`` and ``cli`` are thin fronts over it.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
