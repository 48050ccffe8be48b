"""Every table, imported here so that Alembic and the app see one metadata."""

from app.models.api_key import ApiKey, Scope
from app.models.content import Article, ArticleAuthor, ArticleTopic, Author, Topic
from app.models.user import RefreshToken, Role, User

__all__ = [
    "ApiKey",
    "Article",
    "ArticleAuthor",
    "ArticleTopic",
    "Author",
    "RefreshToken",
    "Role",
    "Scope",
    "Topic",
    "User",
]
