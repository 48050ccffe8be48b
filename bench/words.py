"""Words, names and skewed choices: the raw material of a believable newsroom."""

from __future__ import annotations

import itertools
import random
from bisect import bisect_right

VOCABULARY = """
government minister election council budget policy reform vote parliament court judge ruling
appeal inquiry report evidence witness police officer investigation charge trial verdict
economy market inflation interest rate bank lender growth recession trade tariff export
import factory worker union strike wage salary pension tax spending deficit debt bond investor
company chief executive board profit revenue loss share stock merger deal startup technology
software platform data privacy security breach network cloud chip device phone battery energy
power grid wind solar nuclear coal gas oil price fuel climate emission carbon heat storm flood
drought wildfire rain weather forecast river coast island city town village region county
state country border migrant refugee asylum embassy treaty summit talks ceasefire conflict
army troops missile drone attack defence security alliance sanction envoy president prime
leader party opposition campaign poll voter candidate debate speech promise plan strategy
health hospital doctor nurse patient vaccine virus disease treatment drug trial research
scientist study university school teacher student exam child family parent housing rent
mortgage home builder planning transport rail train bus airport flight airline road traffic
car electric vehicle bike museum art artist film director actor music album concert festival
book author novel prize award sport football match goal league club coach player season
final cup tennis cricket rugby race champion record team fans stadium water food farm farmer
crop harvest supply shortage queue shop retail sales consumer demand price rise fall cut
record high low week month year today yesterday morning night local national global public
private new old major minor early late first last next major key central senior former
""".split()  # noqa: SIM905 - prose is easier to edit than a list
FIRST_NAMES = """
Ada Alan Alice Amara Anna Ben Carla Chen Chloe Daniel David Elena Emma Farah Felix Grace Hana
Hugo Ines Isaac Jamal James Jana Jonas Julia Kai Kemi Laura Leo Lina Luca Maya Mei Nadia Noah
Omar Owen Priya Rafael Rosa Ruth Sam Sara Sofia Tariq Theo Uma Victor Yara Yusuf Zoe
""".split()  # noqa: SIM905 - prose is easier to edit than a list
LAST_NAMES = """
Abbott Adeyemi Bauer Becker Brown Campbell Chen Costa Davies Diaz Edwards Evans Fischer Garcia
Gupta Hall Hansen Hughes Ito Jensen Jones Kaur Khan Kim Kowalski Lee Lopez Martin Meyer Moreau
Murphy Nakamura Nguyen Novak Okafor Olsen Patel Perez Rossi Santos Schmidt Silva Smith Suzuki
Taylor Thomas Tran Walker Wang Weber Williams Wilson Wright Young Zhang
""".split()  # noqa: SIM905 - prose is easier to edit than a list
SECTIONS = [
    "World", "UK", "US", "Politics", "Business", "Technology", "Science", "Climate",
    "Health", "Culture", "Sport", "Opinion",
]  # fmt: skip


# Relative article volume by hour of day (UTC): a newsroom files mostly in working hours.
DIURNAL = [2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 3, 2]


class Phrases:
    """Pools of sentences drawn once, so a million articles cost little to write.

    A body is a run of pooled sentences, so its word count (and reading time) is a sum.
    """

    def __init__(self, rng: random.Random, size: int = 4096) -> None:
        def sentence(low: int, high: int) -> str:
            words = rng.choices(VOCABULARY, k=rng.randint(low, high))
            return " ".join(words).capitalize()

        self.short = [sentence(3, 6) for _ in range(size)]
        self.medium = [sentence(10, 18) + "." for _ in range(size)]
        self.long = [sentence(15, 30) + "." for _ in range(size)]
        self.medium_words = [len(s.split()) for s in self.medium]

    def headline(self, rng: random.Random) -> str:
        return f"{rng.choice(self.short)} {rng.choice(self.short).lower()}"

    def body(self, rng: random.Random, words: int) -> tuple[str, int]:
        """About ``words`` words in paragraphs of five sentences; and the exact word count."""
        chosen = rng.choices(range(len(self.medium)), k=max(1, words // 14))
        sentences = [self.medium[i] for i in chosen]
        paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
        return "\n\n".join(paragraphs), sum(self.medium_words[i] for i in chosen)


class Zipf:
    """Draws items 0..n-1 with probability proportional to 1 / rank**s (ranks shuffled)."""

    def __init__(
        self, n: int, s: float, rng: random.Random, item_of_rank: list[int] | None = None
    ) -> None:
        self.cumulative = list(itertools.accumulate(1 / k**s for k in range(1, n + 1)))
        self.total = self.cumulative[-1]
        if item_of_rank is None:
            item_of_rank = list(range(n))
            rng.shuffle(item_of_rank)
        self.item_of_rank = item_of_rank

    def draw(self, rng: random.Random) -> int:
        rank = bisect_right(self.cumulative, rng.random() * self.total)
        return self.item_of_rank[min(rank, len(self.item_of_rank) - 1)]

    def distinct(self, rng: random.Random, k: int) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < k:
            item = self.draw(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen
