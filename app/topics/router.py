"""Topics and authors: public reads; editors create and edit topics."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.articles.kept import RenamesTopics
from app.auth.dependencies import Caller, EditorUser
from app.db import SessionDep
from app.models import Author, Topic
from app.pagination import CursorParam, Cursors, Limit, Page
from app.schemas import PLAIN_TEXT
from app.syndication.topics import ChangesTopicFeeds
from app.topics import service
from app.topics.schemas import AuthorOut, TopicIn, TopicOut, TopicUpdate

router = APIRouter(tags=["topics and authors"])

SearchQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=100, pattern=PLAIN_TEXT, description="Part of the name or slug"),
]
SlugPath = Annotated[str, Path(max_length=200)]


async def _page(
    session: SessionDep,
    cursors: Cursors,
    caller: str,
    model: type[Topic] | type[Author],
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Topic | Author], str | None]:
    binding = cursors.binding(model.__tablename__, {"q": q}, caller)
    after = None
    if cursor is not None:
        name, slug = cursors.decode_strings(cursor, binding, 2)
        after = (name, slug)
    labels = await service.list_labels(session, model, query=q, limit=limit + 1, after=after)
    next_cursor = None
    if len(labels) > limit:
        labels = labels[:limit]
        next_cursor = cursors.encode(binding, [labels[-1].name, labels[-1].slug])
    return labels, next_cursor


@router.get("/v1/topics", response_model=Page[TopicOut])
async def list_topics(
    session: SessionDep,
    cursors: Cursors,
    caller: Caller,
    limit: Limit,
    q: SearchQuery = None,
    cursor: CursorParam = None,
) -> Page[TopicOut]:
    """Topics by name; `q` finds part of a name or slug."""
    topics, next_cursor = await _page(session, cursors, caller, Topic, q, limit, cursor)
    return Page(items=[TopicOut.model_validate(t) for t in topics], next_cursor=next_cursor)


@router.get("/v1/topics/{slug}", response_model=TopicOut)
async def read_topic(slug: SlugPath, session: SessionDep) -> TopicOut:
    return TopicOut.model_validate(await service.get_label(session, Topic, slug))


@router.post(
    "/v1/topics",
    status_code=status.HTTP_201_CREATED,
    response_model=TopicOut,
    responses={409: {"description": "A topic with this slug exists."}},
)
async def create_topic(
    body: TopicIn, session: SessionDep, _editor: EditorUser, response: Response
) -> TopicOut:
    """Create a topic; its slug is derived from the name."""
    topic = await service.create_topic(session, name=body.name, description=body.description)
    response.headers["Location"] = f"/v1/topics/{topic.slug}"
    return TopicOut.model_validate(topic)


@router.patch(
    "/v1/topics/{slug}", response_model=TopicOut, dependencies=[ChangesTopicFeeds, RenamesTopics]
)
async def update_topic(
    slug: SlugPath, body: TopicUpdate, session: SessionDep, _editor: EditorUser
) -> TopicOut:
    """Rename a topic or change its description; the slug stays."""
    changes = body.model_dump(exclude_unset=True)
    return TopicOut.model_validate(await service.update_topic(session, slug, changes))


@router.get("/v1/authors", response_model=Page[AuthorOut])
async def list_authors(
    session: SessionDep,
    cursors: Cursors,
    caller: Caller,
    limit: Limit,
    q: SearchQuery = None,
    cursor: CursorParam = None,
) -> Page[AuthorOut]:
    """Authors by name; `q` finds part of a name or slug."""
    authors, next_cursor = await _page(session, cursors, caller, Author, q, limit, cursor)
    return Page(items=[AuthorOut.model_validate(a) for a in authors], next_cursor=next_cursor)


@router.get("/v1/authors/{slug}", response_model=AuthorOut)
async def read_author(slug: SlugPath, session: SessionDep) -> AuthorOut:
    return AuthorOut.model_validate(await service.get_label(session, Author, slug))
