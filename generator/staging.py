"""A site replaced only by a build that passed.

MkDocs empties the site folder early in a build and writes page by page; a build that
then fails (a broken link in strict mode, say) leaves a half-written site. With this, a
build writes into a sibling folder, and only once it has passed (no warning counted, in
strict mode) is that folder put in the site's place. A failed build leaves the last good
site exactly as it was, whatever made it fail.
"""

from __future__ import annotations

import logging
import os
import shutil

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import CountHandler


class Staging:
    """A build's output folder beside the site, swapped in by ``finish``."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.site = config.site_dir
        self.folder = f"{self.site.rstrip(os.sep)}.building"
        config.site_dir = self.folder
        # Counted as MkDocs counts them to fail a strict build.
        self._warnings = CountHandler()
        self._warnings.setLevel(logging.WARNING)
        logging.getLogger("mkdocs").addHandler(self._warnings)

    def finish(self) -> None:
        """Put the built site in place, unless strict mode is about to fail the build."""
        logging.getLogger("mkdocs").removeHandler(self._warnings)
        self.config.site_dir = self.site
        if self.config.strict and self._warnings.get_counts():
            shutil.rmtree(self.folder, ignore_errors=True)
            return
        old = f"{self.site.rstrip(os.sep)}.old"
        shutil.rmtree(old, ignore_errors=True)
        if os.path.lexists(self.site):
            os.rename(self.site, old)
        os.rename(self.folder, self.site)
        shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        """Drop a failed build's output; the site stays as it was."""
        logging.getLogger("mkdocs").removeHandler(self._warnings)
        self.config.site_dir = self.site
        shutil.rmtree(self.folder, ignore_errors=True)
