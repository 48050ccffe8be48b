"""The offline metrics on impressions with known answers, and `evaluate_mind` end to end."""

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.feed.evaluate import (
    EvaluationReport,
    MethodResult,
    auc,
    evaluate_mind,
    format_report,
    mrr,
    ndcg,
)


def test_mrr_averages_reciprocal_ranks_over_clicked_items() -> None:
    assert mrr([1, 0, 1], [3.0, 2.0, 1.0]) == pytest.approx((1 / 1 + 1 / 3) / 2)
    assert mrr([0, 0, 1], [3.0, 2.0, 1.0]) == pytest.approx(1 / 3)


def test_auc_perfect_reversed_and_tied() -> None:
    assert auc([1, 1, 0, 0], [4.0, 3.0, 2.0, 1.0]) == 1.0
    assert auc([1, 1, 0, 0], [1.0, 2.0, 3.0, 4.0]) == 0.0
    assert auc([1, 0, 1, 0], [7.0, 7.0, 7.0, 7.0]) == 0.5
    # The click ties one non-click (a half) and beats the other: 1.5 of 2 pairs.
    assert auc([1, 0, 0], [0.5, 0.5, 0.1]) == 0.75


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 4)), min_size=2, max_size=30).filter(
        lambda pairs: len({label for label, _ in pairs}) == 2
    )
)
def test_auc_is_the_share_of_correctly_ordered_pairs(pairs: list[tuple[int, int]]) -> None:
    labels = [label for label, _ in pairs]
    scores = [float(s) for _, s in pairs]
    clicked = [s for label, s in zip(labels, scores, strict=True) if label]
    skipped = [s for label, s in zip(labels, scores, strict=True) if not label]
    wins = sum(1.0 if c > n else 0.5 if c == n else 0.0 for c in clicked for n in skipped)
    assert auc(labels, scores) == pytest.approx(wins / (len(clicked) * len(skipped)))


def test_ndcg_hand_computed() -> None:
    labels = [0, 1, 0, 1, 0, 0]
    best_first = [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    # Clicks at ranks 2 and 4; the ideal puts them at ranks 1 and 2.
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg(labels, best_first, 5) == pytest.approx(expected)
    assert ndcg(labels, best_first, 5) == pytest.approx(0.650921, abs=1e-6)
    assert ndcg(labels, best_first, 1) == 0.0
    assert ndcg([1, 0, 1], [9.0, 1.0, 5.0], 5) == 1.0


def test_ndcg_counts_only_the_top_k() -> None:
    labels = [0, 0, 0, 0, 0, 1]
    best_first = [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    assert ndcg(labels, best_first, 5) == 0.0
    assert ndcg(labels, best_first, 10) == pytest.approx(1 / math.log2(7))


def test_ties_keep_the_order_of_the_impression() -> None:
    assert mrr([0, 1], [1.0, 1.0]) == 0.5
    assert mrr([1, 0], [1.0, 1.0]) == 1.0
    assert ndcg([0, 1], [1.0, 1.0], 5) == pytest.approx(1 / math.log2(3))


@pytest.mark.parametrize("metric", [auc, mrr, lambda y, s: ndcg(y, s, 5)])
def test_an_impression_without_clicks_has_no_score(
    metric: Callable[[list[int], list[float]], float],
) -> None:
    # The official scorer's roc_auc_score fails on it, and 0/0 is its MRR and nDCG.
    with pytest.raises(ValueError, match="no clicked item"):
        metric([0, 0, 0], [0.3, 0.2, 0.1])


def test_auc_of_clicks_only_is_undefined() -> None:
    with pytest.raises(ValueError, match="only clicked items"):
        auc([1, 1], [0.2, 0.1])


def test_labels_and_scores_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 labels but 3 scores"):
        mrr([1, 0], [0.1, 0.2, 0.3])


NEWS = {
    "N1": ("sports", "football_nfl", "Rams win in overtime"),
    "N2": ("sports", "football_nfl", "Quarterback traded"),
    "N3": ("sports", "basketball_nba", "Lakers sign a guard"),
    "N4": ("sports", "football_nfl", "Injury report for week 11"),
    "N5": ("finance", "markets", "Stocks close higher"),
    "N6": ("finance", "markets", "Oil prices fall"),
    "N7": ("lifestyle", "recipes", "Ten soups for the winter"),
    "N8": ("lifestyle", "travel", "Cheap flights this season"),
    "N9": ("news", "politics", "Senate passes the budget"),
}


def write_mind(directory: Path, behaviors: list[str]) -> Path:
    lines = [
        "\t".join([news_id, category, sub, title, "An abstract.", "https://x.test/", "[]", "[]"])
        for news_id, (category, sub, title) in NEWS.items()
    ]
    (directory / "news.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / "behaviors.tsv").write_text("\n".join(behaviors) + "\n", encoding="utf-8")
    return directory


def behavior(number: int, user: str, time: str, history: str, impressions: str) -> str:
    return "\t".join([str(number), user, time, history, impressions])


def result(report: EvaluationReport, method: str) -> MethodResult:
    return next(r for r in report.results if r.method == method)


def test_ranking_puts_the_readers_own_topic_first(tmp_path: Path) -> None:
    sports_fan = "N1 N2 N3"
    directory = write_mind(
        tmp_path,
        [
            # The clicked sports item comes last, so ties broken by position cannot help it.
            behavior(1, "U1", "11/15/2019 8:00:00 AM", sports_fan, "N5-0 N7-0 N9-0 N4-1"),
            behavior(2, "U1", "11/15/2019 9:00:00 AM", sports_fan, "N6-0 N8-0 N5-0 N2-1"),
            behavior(3, "U1", "11/15/2019 10:00:00 AM", sports_fan, "N9-0 N7-0 N6-0 N3-1"),
            behavior(4, "U1", "11/15/2019 11:00:00 AM", sports_fan, "N8-0 N5-0 N9-0 N1-1"),
            # No click at all: the official scorer cannot score it, so it is skipped.
            behavior(5, "U1", "11/15/2019 11:30:00 AM", sports_fan, "N8-0 N1-0"),
        ],
    )
    report = evaluate_mind(directory)

    ranked, chance = result(report, "ranking"), result(report, "random")
    assert (ranked.impressions, ranked.auc, ranked.mrr, ranked.ndcg5) == (4, 1.0, 1.0, 1.0)
    assert chance.impressions == 4
    assert chance.auc < ranked.auc
    assert (report.impressions_read, report.skipped_single_class) == (5, 1)
    # None of the shown items was clicked earlier: popularity cannot tell them apart.
    assert result(report, "popularity").auc == pytest.approx((0.5 + 0.5 + 0.5 + 0.5) / 4)


def test_popularity_counts_only_clicks_from_earlier_impressions(tmp_path: Path) -> None:
    directory = write_mind(
        tmp_path,
        [
            # Out of time order on purpose: the evaluator replays them by time.
            behavior(3, "U3", "11/15/2019 10:00:00 AM", "", "N5-0 N6-1"),
            behavior(1, "U1", "11/15/2019 8:00:00 AM", "", "N6-0 N5-1"),
            behavior(2, "U2", "11/15/2019 9:00:00 AM", "", "N6-0 N5-1"),
        ],
    )
    popularity = result(evaluate_mind(directory), "popularity")

    # 8:00 no clicks yet, a tie: N6 (no click) first. 9:00 N5 has one click: right.
    # 10:00 N5 has two clicks, N6 none: wrong.
    assert popularity.auc == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert popularity.mrr == pytest.approx((0.5 + 1.0 + 0.5) / 3)


def test_clicks_in_the_same_second_are_not_yet_known(tmp_path: Path) -> None:
    directory = write_mind(
        tmp_path,
        [
            behavior(1, "U1", "11/15/2019 8:00:00 AM", "", "N6-0 N5-1"),
            behavior(2, "U2", "11/15/2019 8:00:00 AM", "", "N6-0 N5-1"),
            behavior(3, "U3", "11/15/2019 8:00:01 AM", "", "N6-0 N5-1"),
        ],
    )
    popularity = result(evaluate_mind(directory), "popularity")

    assert popularity.auc == pytest.approx((0.5 + 0.5 + 1.0) / 3)


def test_ranking_trends_on_the_last_two_days_of_clicks(tmp_path: Path) -> None:
    directory = write_mind(
        tmp_path,
        [
            behavior(1, "U1", "11/15/2019 8:00:00 AM", "", "N6-0 N5-1"),
            behavior(2, "U2", "11/15/2019 9:00:00 AM", "", "N6-0 N5-1"),
            # Three days on, those clicks are out of the trending window, not out of popularity.
            behavior(3, "U3", "11/18/2019 9:00:00 AM", "", "N6-0 N5-1"),
        ],
    )
    report = evaluate_mind(directory)

    assert result(report, "ranking").auc == pytest.approx((0.5 + 1.0 + 0.5) / 3)
    assert result(report, "popularity").auc == pytest.approx((0.5 + 1.0 + 1.0) / 3)


def test_limit_takes_the_first_lines_of_the_file(tmp_path: Path) -> None:
    directory = write_mind(
        tmp_path,
        [
            behavior(1, "U1", "11/15/2019 9:00:00 AM", "", "N6-0 N5-1"),
            behavior(2, "U2", "11/15/2019 8:00:00 AM", "", "N5-0 N6-0 N7-1"),
            behavior(3, "U3", "11/15/2019 7:00:00 AM", "", "N6-0 N7-0 N5-1"),
        ],
    )
    report = evaluate_mind(directory, limit=2)

    assert report.impressions_read == 2
    # 8:00 then 9:00, both ties: N7, clicked at 8:00, is not shown at 9:00. Replayed in file
    # order, 8:00 would rank N5 (clicked at 9:00) first; with 7:00 read, N5 too.
    assert result(report, "popularity").auc == pytest.approx((0.5 + 0.5) / 2)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2\tU1\t11/15/2019 8:00:00 AM\tN1", r"behaviors\.tsv line 2: expected 5 .*found 4"),
        ("2\tU1\t2019-11-15 08:00\tN1\tN2-1", r"behaviors\.tsv line 2: time '2019-11-15 08:00'"),
        ("2\tU1\t11/15/2019 8:00:00 AM\tN1\tN2-1 N3", r"line 2: impression 'N3' is not like"),
        ("2\tU1\t11/15/2019 8:00:00 AM\tN1\tN2-1 N3-2", r"line 2: impression 'N3-2'"),
        ("2\tU1\t11/15/2019 8:00:00 AM\tN404\tN2-1", r"line 2: news id 'N404' is not in news"),
    ],
)
def test_malformed_behaviors_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    directory = write_mind(tmp_path, [behavior(1, "U1", "11/15/2019 7:00:00 AM", "", "N1-1"), line])

    with pytest.raises(ValueError, match=message):
        evaluate_mind(directory)


def test_malformed_news_names_the_line(tmp_path: Path) -> None:
    directory = write_mind(tmp_path, [behavior(1, "U1", "11/15/2019 7:00:00 AM", "", "N1-1")])
    with (directory / "news.tsv").open("a", encoding="utf-8") as news:
        news.write("N10\tsports\tRams\n")

    with pytest.raises(ValueError, match=r"news\.tsv line 10: expected 8 tab-separated columns"):
        evaluate_mind(directory)


def test_format_report_prints_one_row_per_method() -> None:
    report = EvaluationReport(
        results=(
            MethodResult("ranking", 12, 0.61234, 0.3, 0.35, 0.4),
            MethodResult("random", 0, math.nan, math.nan, math.nan, math.nan),
        ),
        impressions_read=15,
        skipped_single_class=3,
    )
    lines = format_report(report)

    assert lines[0].split() == ["method", "impressions", "AUC", "MRR", "nDCG@5", "nDCG@10"]
    assert lines[1].split() == ["ranking", "12", "0.6123", "0.3000", "0.3500", "0.4000"]
    assert lines[2].split() == ["random", "0", "n/a", "n/a", "n/a", "n/a"]
    assert lines[3].startswith("15 impressions read, 3 skipped")


def test_evaluate_command_prints_the_table(tmp_path: Path) -> None:
    directory = write_mind(
        tmp_path,
        [behavior(1, "U1", "11/15/2019 8:00:00 AM", "N1 N2", "N5-0 N9-0 N4-1")],
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", "evaluate", "--mind", str(directory)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "ranking" in result.stdout
    assert "popularity" in result.stdout
    assert "AUC" in result.stdout
    missing = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", "evaluate", "--mind", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
