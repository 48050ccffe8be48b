"""Slugs: the URL names of topics and authors."""

import re
import unicodedata

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_SLUG_LENGTH = 80

_NON_ALPHANUMERIC_RUN = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ "China-Russia relations" -> "china-russia-relations"; accents fold to plain letters."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NON_ALPHANUMERIC_RUN.sub("-", folded.lower()).strip("-")
