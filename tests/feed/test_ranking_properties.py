"""Properties of the feed ranking that must hold for any reader and any articles."""

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.feed.ranking import (
    NO_RUN,
    REASON_THRESHOLD,
    Candidate,
    Profile,
    Reason,
    Run,
    Scored,
    Weights,
    build_feed,
    decay,
    diversify,
    drop_wire_copies,
    hours_between,
    interest,
    overruns,
    primary_topic,
    rank,
    score,
    wire_copy_key,
)
from app.feed.service import per_followed_label

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
WEIGHTS = Weights()
INTEREST_HALF_LIFE_HOURS = 14 * 24.0
REASON_CODES = {
    "followed_topic",
    "followed_author",
    "inferred_interest",
    "trending",
    "recent",
    "editors_pick",
}
MAX_RUN = 3

properties = settings(max_examples=200, deadline=None, derandomize=True, database=None)

label_ids = st.integers(1, 40)
# Within a week an hour's difference in age still moves the score by far more than rounding.
ages = st.floats(0, 24 * 7, allow_nan=False)
engagements = st.floats(0, 10_000, allow_nan=False)
interests = st.floats(-0.99, 0.99, allow_nan=False)


def published(age_hours: float) -> datetime:
    return NOW - timedelta(hours=age_hours)


@st.composite
def candidates(draw: st.DrawFn, article_id: str = "a") -> Candidate:
    return Candidate(
        article_id=article_id,
        published_at=published(draw(ages)),
        topics=tuple(draw(st.lists(label_ids, max_size=3, unique=True))),
        authors=tuple(draw(st.lists(label_ids, max_size=2, unique=True))),
        engagement=draw(engagements),
        editors_pick=draw(st.booleans()),
        story=wire_copy_key(draw(st.sampled_from(["Storm hits the coast", "Markets rally", ""]))),
    )


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    return Profile(
        followed_topics=frozenset(draw(st.sets(label_ids, max_size=5))),
        followed_authors=frozenset(draw(st.sets(label_ids, max_size=5))),
        topic_interest=draw(st.dictionaries(label_ids, interests, max_size=8)),
        author_interest=draw(st.dictionaries(label_ids, interests, max_size=8)),
    )


def article_ids(items: list[Scored]) -> list[str]:
    return [item.candidate.article_id for item in items]


@properties
@given(followed=label_ids, other=label_ids, age=ages, engagement=engagements, pick=st.booleans())
def test_a_followed_topic_outranks_an_unrelated_article(
    followed: int, other: int, age: float, engagement: float, pick: bool
) -> None:
    assume(followed != other)
    profile = Profile(followed_topics=frozenset({followed}))
    unrelated = Candidate("a", published(age), (other,), engagement=engagement, editors_pick=pick)
    on_topic = unrelated._replace(article_id="b", topics=(other, followed))

    ranked = rank([unrelated, on_topic], profile, NOW, WEIGHTS)

    assert article_ids(ranked) == ["b", "a"]
    assert ranked[0].score > ranked[1].score


@properties
@given(followed=label_ids, other=label_ids, topic=label_ids, age=ages, engagement=engagements)
def test_a_followed_author_outranks_an_unrelated_article(
    followed: int, other: int, topic: int, age: float, engagement: float
) -> None:
    assume(followed != other)
    profile = Profile(followed_authors=frozenset({followed}))
    unrelated = Candidate("a", published(age), (topic,), (other,), engagement)
    by_followed = Candidate("b", published(age), (topic,), (followed,), engagement)

    ranked = rank([unrelated, by_followed], profile, NOW, WEIGHTS)

    assert article_ids(ranked) == ["b", "a"]
    assert ranked[0].score > ranked[1].score


@properties
@given(
    article=candidates(),
    profile=profiles(),
    age=ages,
    older_by_minutes=st.floats(1, 24 * 60, allow_nan=False),
)
def test_the_fresher_of_two_otherwise_equal_articles_ranks_higher(
    article: Candidate, profile: Profile, age: float, older_by_minutes: float
) -> None:
    fresh = article._replace(article_id="z", published_at=published(age))
    stale_at = published(age) - timedelta(minutes=older_by_minutes)
    stale = article._replace(article_id="a", published_at=stale_at)

    ranked = rank([stale, fresh], profile, NOW, WEIGHTS)

    assert article_ids(ranked) == ["z", "a"]
    assert ranked[0].score > ranked[1].score


@properties
@given(article=candidates(), profile=profiles(), more=st.floats(0.01, 10_000, allow_nan=False))
def test_more_engagement_lifts_an_article(
    article: Candidate, profile: Profile, more: float
) -> None:
    busier = article._replace(engagement=article.engagement + more)

    assert score(busier, profile, NOW, WEIGHTS).score > score(article, profile, NOW, WEIGHTS).score


@properties
@given(
    article=candidates(),
    topic=label_ids,
    kind=st.sampled_from(["dislike", "like", "read", "share", "open"]),
    hours_ago=st.floats(0, 24 * 60, allow_nan=False),
)
def test_a_signal_moves_the_topics_other_articles_its_way(
    article: Candidate, topic: int, kind: str, hours_ago: float
) -> None:
    other_article = article._replace(topics=(*article.topics, topic))
    signal = interest([(kind, published(hours_ago))], NOW, INTEREST_HALF_LIFE_HOURS)

    before = score(other_article, Profile(), NOW, WEIGHTS).score
    after = score(other_article, Profile(topic_interest={topic: signal}), NOW, WEIGHTS).score

    if kind == "dislike":
        assert after < before
    else:
        assert after > before


@properties
@given(
    article=candidates(),
    profile=profiles(),
    topic=label_ids,
    kind=st.sampled_from(["dislike", "like", "read", "share", "open"]),
    earlier=st.lists(st.sampled_from(["dislike", "like", "read", "share", "open"]), max_size=4),
)
def test_a_signal_never_moves_an_article_against_its_way(
    article: Candidate, profile: Profile, topic: int, kind: str, earlier: list[str]
) -> None:
    # Whatever else the reader liked or disliked, one more signal can only push one way.
    on_topic = article._replace(topics=(*article.topics, topic))
    signals = [(k, published(24.0)) for k in earlier]

    def knowing(topic_signals: list[tuple[str, datetime]]) -> Profile:
        topic_interest = interest(topic_signals, NOW, INTEREST_HALF_LIFE_HOURS)
        return replace(profile, topic_interest={**profile.topic_interest, topic: topic_interest})

    before_profile = knowing(signals)
    after_profile = knowing([*signals, (kind, published(24.0))])

    before = score(on_topic, before_profile, NOW, WEIGHTS).score
    after = score(on_topic, after_profile, NOW, WEIGHTS).score

    assert after <= before if kind == "dislike" else after >= before


def scored(article_id: str, topic: int | None, value: float, headline: str = "") -> Scored:
    topics = () if topic is None else (topic,)
    candidate = Candidate(article_id, NOW, topics, story=wire_copy_key(headline))
    return Scored(candidate, value, (Reason("recent"),))


@properties
@given(st.lists(st.one_of(st.none(), st.integers(1, 3)), max_size=25))
def test_diversify_caps_same_topic_runs_while_another_topic_remains(
    topics: list[int | None],
) -> None:
    """Item i is the best remaining one (input order), unless items i-3..i-1 share a topic T.

    Then it is the best remaining one not on T, if any is left. So four in a row on T happen
    only when nothing but T remains. Articles without a topic share none.
    """
    items = [scored(f"a{i:02}", t, -i) for i, t in enumerate(topics)]
    result = diversify(items, primary_topic)

    assert sorted(article_ids(result)) == article_ids(items)
    for i in range(MAX_RUN, len(result)):
        run = {r.candidate.primary_topic for r in result[i - MAX_RUN : i + 1]}
        if len(run) == 1 and run != {None}:
            assert {r.candidate.primary_topic for r in result[i:]} == run
    for i, item in enumerate(result):
        remaining = result[i:]
        best = min(remaining, key=lambda r: r.candidate.article_id)
        run = {r.candidate.primary_topic for r in result[max(i - MAX_RUN, 0) : i]}
        capped = i >= MAX_RUN and len(run) == 1 and run != {None}
        if capped:
            (run_topic,) = run
            others = [r for r in remaining if r.candidate.primary_topic != run_topic]
            if others:
                best = min(others, key=lambda r: r.candidate.article_id)
        assert item == best


@properties
@given(st.lists(st.one_of(st.none(), st.integers(1, 3)), max_size=25), st.integers(0, 30))
def test_a_diversified_prefix_is_the_start_of_the_whole(
    topics: list[int | None], length: int
) -> None:
    items = [scored(f"a{i:02}", t, -i) for i, t in enumerate(topics)]

    assert (
        diversify(items, primary_topic, length=length) == diversify(items, primary_topic)[:length]
    )


@properties
@given(
    st.lists(st.one_of(st.none(), st.integers(1, 3)), max_size=25),
    st.integers(1, 3),
    st.integers(0, MAX_RUN),
)
def test_diversifying_after_a_run_is_diversifying_the_run_and_what_follows(
    topics: list[int | None], run_topic: int, run_length: int
) -> None:
    """Items continuing a run (the end of an earlier page) are ordered as they would be
    had the run's items been ranked first, just before them."""
    run = [scored(f"r{i}", run_topic, 10.0 - i) for i in range(run_length)]
    items = [scored(f"a{i:02}", t, -i) for i, t in enumerate(topics)]

    continued = diversify(items, primary_topic, run=Run(run_topic, run_length))
    assert continued == diversify(run + items, primary_topic)[run_length:]
    # Items that overrun nothing in their order keep it (pages rely on that).
    if not overruns(Run(run_topic, run_length), map(primary_topic, items)):
        assert continued == items
    together = [primary_topic(item) for item in run + continued]
    assert overruns(NO_RUN, together) == overruns(Run(run_topic, run_length), together[run_length:])


@properties
@given(st.lists(st.one_of(st.none(), st.integers(1, 3)), max_size=25))
def test_a_run_past_the_cap_is_one_on_a_topic(topics: list[int | None]) -> None:
    groups = [(topic, len(list(same))) for topic, same in itertools.groupby(topics)]
    longest = max((length for topic, length in groups if topic is not None), default=0)

    assert overruns(NO_RUN, topics) == (longest > MAX_RUN)
    assert NO_RUN.after(topics) == (Run(*groups[-1]) if groups else NO_RUN)


story_words = st.lists(st.text("abcxyz019", min_size=1, max_size=6), min_size=1, max_size=3)


@st.composite
def wire_headline(draw: st.DrawFn, words: list[str]) -> str:
    """The story's words with any case, punctuation and spacing between and around them."""
    cased = [w.upper() if draw(st.booleans()) else w.capitalize() for w in words]
    separators = st.sampled_from([" ", "  ", ", ", " - ", ": ", "... ", "'"])
    text = cased[0] + "".join(draw(separators) + w for w in cased[1:])
    return draw(st.sampled_from(["", "'", "“"])) + text + draw(st.sampled_from(["", "!", "?"]))


@properties
@given(data=st.data(), stories=st.lists(story_words, min_size=1, max_size=4))
def test_drop_wire_copies_keeps_the_best_ranked_copy_of_each_story(
    data: st.DataObject, stories: list[list[str]]
) -> None:
    copies = data.draw(st.lists(st.integers(0, len(stories) - 1), min_size=1, max_size=12))
    articles = [
        Candidate(
            f"a{i:02}",
            published(data.draw(ages)),
            (1,),
            engagement=data.draw(engagements),
            story=wire_copy_key(data.draw(wire_headline(stories[story]))),
        )
        for i, story in enumerate(copies)
    ]
    ranked = rank(articles, Profile(), NOW, WEIGHTS)
    story_of = {f"a{i:02}": " ".join(stories[s]) for i, s in enumerate(copies)}

    kept = drop_wire_copies(ranked)

    best_of_each: dict[str, Scored] = {}
    for item in ranked:
        best_of_each.setdefault(story_of[item.candidate.article_id], item)
    assert kept == list(best_of_each.values())


def test_wire_copies_of_non_english_headlines_are_told_apart() -> None:
    greek = [
        scored("a1", 1, 2.0, headline="Ελλάδα: 5 νεκροί από την κακοκαιρία"),
        scored("a2", 2, 1.0, headline="Κύπρος: 5 νέα κρούσματα"),
    ]
    assert article_ids(drop_wire_copies(greek)) == ["a1", "a2"]


@properties
@given(data=st.data(), articles=st.lists(candidates(), max_size=12), profile=profiles())
def test_the_same_articles_in_any_order_rank_the_same(
    data: st.DataObject, articles: list[Candidate], profile: Profile
) -> None:
    articles = [a._replace(article_id=f"a{i:02}") for i, a in enumerate(articles)]
    shuffled = data.draw(st.permutations(articles))

    assert rank(shuffled, profile, NOW, WEIGHTS) == rank(articles, profile, NOW, WEIGHTS)
    assert build_feed(shuffled, profile, NOW, WEIGHTS) == build_feed(
        articles, profile, NOW, WEIGHTS
    )


@properties
@given(article=candidates(), profile=profiles())
def test_every_article_has_reasons_that_name_what_the_reader_follows(
    article: Candidate, profile: Profile
) -> None:
    reasons = score(article, profile, NOW, WEIGHTS).reasons

    assert reasons
    assert {r.code for r in reasons} <= REASON_CODES
    followed_topics = [t for t in article.topics if t in profile.followed_topics]
    followed_authors = [a for a in article.authors if a in profile.followed_authors]
    topic_reasons = [r for r in reasons if r.code == "followed_topic"]
    author_reasons = [r for r in reasons if r.code == "followed_author"]
    assert [r.topic for r in topic_reasons] == followed_topics[:1]
    assert [r.author for r in author_reasons] == followed_authors[:1]
    for r in reasons:
        if r.code == "inferred_interest":
            liked = (r.topic in article.topics and profile.topic_interest.get(r.topic, 0) > 0) or (
                r.author in article.authors and profile.author_interest.get(r.author, 0) > 0
            )
            assert liked


def contribution(reason: Reason, article: Candidate, profile: Profile, weights: Weights) -> float:
    """What a reason's part of the score is, from the terms ``score`` documents."""
    if reason.code == "inferred_interest":
        if reason.topic is not None:
            return weights.inferred_interest * profile.topic_interest[reason.topic]
        return weights.inferred_interest * profile.author_interest[reason.author or 0]
    engagement = article.engagement
    return {
        "followed_topic": weights.followed_topic,
        "followed_author": weights.followed_author,
        "recent": weights.freshness
        * decay(hours_between(article.published_at, NOW), weights.freshness_half_life_hours),
        "trending": weights.engagement * engagement / (engagement + weights.engagement_smoothing),
        "editors_pick": weights.editors_pick,
    }[reason.code]


@properties
@given(
    article=candidates(),
    profile=profiles(),
    follows=st.sampled_from([3.0, 0.1]),
    pick=st.sampled_from([1.0, 0.1]),
)
def test_reasons_are_what_added_enough_to_show_largest_first(
    article: Candidate, profile: Profile, follows: float, pick: float
) -> None:
    weights = replace(WEIGHTS, followed_topic=follows, followed_author=follows, editors_pick=pick)
    reasons = score(article, profile, NOW, weights).reasons

    parts = [contribution(r, article, profile, weights) for r in reasons]
    assert parts == sorted(parts, reverse=True)
    # Nothing large enough to show: the article is there for being recent, however little.
    shown_anyway = reasons == (Reason("recent"),)
    assert shown_anyway or all(part >= REASON_THRESHOLD for part in parts)
    if follows < REASON_THRESHOLD:
        assert not {"followed_topic", "followed_author"} & {r.code for r in reasons}
    if article.editors_pick and pick >= REASON_THRESHOLD:
        assert Reason("editors_pick") in reasons


def test_followed_labels_share_a_candidate_budget_but_keep_a_floor() -> None:
    assert per_followed_label(0) == per_followed_label(1) == 40
    assert per_followed_label(20) == 20
    assert per_followed_label(200) == 10
