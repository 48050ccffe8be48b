"""Slugs: the URL names of topics and authors."""

import hashlib
import re
import unicodedata

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_SLUG_LENGTH = 80

_NON_ALPHANUMERIC_RUN = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ "China-Russia relations" -> "china-russia-relations"; accents fold to plain letters."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NON_ALPHANUMERIC_RUN.sub("-", folded.lower()).strip("-")


def slug_for(name: str) -> str:
    """The slug a topic or author gets: ``slugify`` cut to 80 characters, or, for a name with
    no Latin letters or digits at all ("中俄关系"), a stable slug made from its hash."""
    slug = slugify(name)[:MAX_SLUG_LENGTH].rstrip("-")
    if slug:
        return slug
    digest = hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:12]
    return f"x-{digest}"
