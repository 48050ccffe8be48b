"""Every table, imported here so that Alembic and the app see one metadata."""

from app.models.api_key import ApiKey, Scope
from app.models.content import Article, ArticleAuthor, ArticleTopic, Author, Topic
from app.models.feed import FeedSnapshot
from app.models.reader import (
    ArticleEngagement,
    AuthorMute,
    AuthorSubscription,
    Bookmark,
    HiddenArticle,
    ReaderArticle,
    ReadingEvent,
    TopicMute,
    TopicSubscription,
)
from app.models.user import RefreshToken, Role, User

__all__ = [
    "ApiKey",
    "Article",
    "ArticleAuthor",
    "ArticleEngagement",
    "ArticleTopic",
    "Author",
    "AuthorMute",
    "AuthorSubscription",
    "Bookmark",
    "FeedSnapshot",
    "HiddenArticle",
    "ReaderArticle",
    "ReadingEvent",
    "RefreshToken",
    "Role",
    "Scope",
    "Topic",
    "TopicMute",
    "TopicSubscription",
    "User",
]
