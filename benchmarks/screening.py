"""Benchmark of ``WatchlistIndex``: build time, query time, peak RSS and recall of name variants.

A synthetic watchlist of made-up company names (with aliases, addresses and listing dates) and
a set of distinct query names, part variants of listed names (typo, word order, legal form,
Cyrillic transliteration, alias, case and punctuation) and the rest unrelated, are generated
from a seed. Printed side by side from one run: build and query times, peak RSS, recall and
false-hit rate at ``NAME_MATCH_THRESHOLD``, and on a sample, the blocked search against an
exhaustive ``rapidfuzz.process.cdist`` (same best score share, time ratio).

    python -m benchmarks.screening --entries 20000 --queries 100000
"""

# Cyrillic letters that look Latin are the point of the transliterated variants:
# ruff: noqa: RUF001
from __future__ import annotations

import argparse
import resource
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process

from features.names import normalise_name
from features.screening import NAME_MATCH_THRESHOLD, SCORERS, WatchlistIndex
from features.watchlist import watchlist_frame

SYLLABLES = tuple(
    consonant + vowel + coda
    for consonant in ("b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh")
    for vowel in ("a", "e", "i", "o", "u")
    for coda in ("", "n", "r", "s", "k")
)
GENERIC_WORDS = (
    "trading", "logistics", "electronics", "technologies", "systems", "group", "industrial",
    "engineering", "import", "export", "components", "supply", "solutions", "international",
    "global", "holding", "machinery", "optics", "instruments", "aero", "marine", "energy",
    "steel", "trade", "service", "development", "invest", "partners", "micro", "tech", "radio",
    "semiconductor", "precision", "bearing", "cargo", "shipping", "digital", "parts", "capital",
)  # fmt: skip
LEGAL_PREFIXES = ("OOO", "TOO", "AO", "JSC", "MChJ", "LLC")
LEGAL_SUFFIXES = ("LLC", "Ltd", "Ltd.", "GmbH", "FZE", "Ltd. Sti.", "A.S.", "Limited", "Co., Ltd.")
COUNTRIES = ("AE", "AM", "KZ", "KG", "TR", "HK", "CN", "RU", "UZ", "GE", "RS", "IN")
CYRILLIC = (
    ("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("yu", "ю"),
    ("ya", "я"), ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"),
    ("g", "г"), ("h", "х"), ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("v", "в"), ("w", "в"), ("x", "кс"), ("y", "ы"), ("z", "з"),
)  # fmt: skip
VARIANT_KINDS = ("typo", "word_order", "legal_form", "transliteration", "alias", "case_punct")
FIRST_LISTING = np.datetime64("2012-01-01")
LISTING_DAYS = 14 * 365
UNDATED_SHARE = 0.1
ALIAS_SHARE = 0.3
AS_OF = pd.Timestamp("2100-01-01")
"""Queries are dated after every listing, so recall does not depend on dates."""


@dataclass(frozen=True)
class Queries:
    names: pd.Series
    source: pd.Series
    """The entry a variant was made from; NA for unrelated names."""
    kind: pd.Series


def pseudo_word(rng: np.random.Generator) -> str:
    syllables = rng.choice(SYLLABLES, size=rng.integers(2, 4))
    return "".join(syllables).capitalize()


def company_core(rng: np.random.Generator) -> list[str]:
    words = [pseudo_word(rng) for _ in range(rng.choice([1, 2], p=[0.6, 0.4]))]
    generic = rng.choice(
        GENERIC_WORDS, size=rng.choice([0, 1, 2], p=[0.3, 0.5, 0.2]), replace=False
    )
    return words + [str(word).capitalize() for word in generic]


def with_legal_form(core: list[str], rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(LEGAL_PREFIXES)} {' '.join(core)}"
    return f"{' '.join(core)} {rng.choice(LEGAL_SUFFIXES)}"


def make_watchlist(n_entries: int, rng: np.random.Generator) -> pd.DataFrame:
    """A canonical watchlist of made-up companies; about 30% have one or two aliases."""
    entries = []
    for i in range(n_entries):
        aliases = tuple(
            with_legal_form(company_core(rng), rng)
            for _ in range(rng.integers(1, 3) if rng.random() < ALIAS_SHARE else 0)
        )
        undated = rng.random() < UNDATED_SHARE
        country = str(rng.choice(COUNTRIES))
        entries.append(
            {
                "entry_id": f"bench-{i}",
                "name": with_legal_form(company_core(rng), rng),
                "aliases": aliases,
                "country": country,
                "addresses": (
                    f"{rng.integers(1, 300)} {pseudo_word(rng)} Street, {pseudo_word(rng)}, "
                    f"{country}",
                ),
                "listed_on": None
                if undated
                else FIRST_LISTING + np.timedelta64(int(rng.integers(LISTING_DAYS)), "D"),
                "source": "synthetic",
            }
        )
    return watchlist_frame(entries)


def typo(name: str, rng: np.random.Generator) -> str:
    position = int(rng.integers(1, len(name) - 1))
    edit = rng.integers(4)
    letter = chr(int(rng.integers(ord("a"), ord("z") + 1)))
    if edit == 0:
        return name[:position] + name[position + 1 :]
    if edit == 1:
        return name[:position] + letter + name[position:]
    if edit == 2:
        return name[:position] + letter + name[position + 1 :]
    return name[: position - 1] + name[position] + name[position - 1] + name[position + 1 :]


def transliterate(text: str) -> str:
    lowered = text.lower()
    for latin, cyrillic in CYRILLIC:
        lowered = lowered.replace(latin, cyrillic)
    return lowered.upper()


def variant(entry: pd.Series, kind: str, rng: np.random.Generator) -> str:
    """One rendering of a listed entry's name as a shipment document might write it."""
    core = normalise_name(entry["name"]).split()
    if kind == "typo":
        position = int(np.argmax([len(word) for word in core]))
        core[position] = typo(core[position], rng)
        return with_legal_form([word.capitalize() for word in core], rng)
    if kind == "word_order":
        return with_legal_form([word.capitalize() for word in rng.permutation(core)], rng)
    if kind == "legal_form":
        return with_legal_form([word.capitalize() for word in core], rng)
    if kind == "transliteration":
        return f"ООО «{transliterate(' '.join(core))}»"
    if kind == "alias" and entry["aliases"]:
        return str(rng.choice(list(entry["aliases"])))
    return " ".join(core).upper().replace(" ", ", ", 1) + "."


def make_queries(
    watchlist: pd.DataFrame, n_queries: int, variant_share: float, rng: np.random.Generator
) -> Queries:
    """Distinct query names: variants of random entries, the rest new made-up names."""
    listed = set(watchlist["name"].map(normalise_name))
    listed.update(watchlist["aliases"].explode().dropna().map(normalise_name))
    rows: dict[str, tuple[object, str]] = {}
    n_variants = int(n_queries * variant_share)
    while len(rows) < n_variants:
        position = int(rng.integers(len(watchlist)))
        entry = watchlist.iloc[position]
        kind = str(rng.choice(VARIANT_KINDS))
        if kind == "alias" and not entry["aliases"]:
            continue
        rows.setdefault(variant(entry, kind, rng), (entry["entry_id"], kind))
    while len(rows) < n_queries:
        name = with_legal_form(company_core(rng), rng)
        if normalise_name(name) not in listed:
            rows.setdefault(name, (pd.NA, "unrelated"))
    frame = pd.DataFrame(
        [(name, source, kind) for name, (source, kind) in rows.items()],
        columns=["name", "source", "kind"],
    ).astype("str")
    return Queries(frame["name"], frame["source"], frame["kind"])


def exhaustive_best(index: WatchlistIndex, names: pd.Series, n_jobs: int) -> np.ndarray:
    """Best score of each name against every listed string (``SCORERS``), no blocking."""
    strings = index.name_table_.strings
    queries = names.map(normalise_name).to_numpy(dtype=object)
    best = np.zeros(len(queries), dtype=np.float32)
    for scorer in SCORERS:
        scores = process.cdist(queries, strings, scorer=scorer, dtype=np.float32, workers=n_jobs)
        best = np.maximum(best, scores.max(axis=1))
    return best


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--variant-share", type=float, default=0.3)
    parser.add_argument("--exhaustive-sample", type=int, default=2_000)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    watchlist = make_watchlist(args.entries, rng)
    queries = make_queries(watchlist, args.queries, args.variant_share, rng)
    countries = pd.Series(rng.choice(COUNTRIES, size=len(queries.names)), dtype="str")
    as_of = pd.Series(AS_OF, index=queries.names.index)
    rss_before = peak_rss_mib()

    started = time.perf_counter()
    index = WatchlistIndex(n_jobs=args.n_jobs).fit(watchlist)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    matches = index.best_name_matches(queries.names, countries, as_of)
    query_seconds = time.perf_counter() - started

    is_variant = queries.source.notna()
    hit = matches["score"] >= NAME_MATCH_THRESHOLD
    right_entry = matches["entry_id"] == queries.source
    listed_strings = len(index.name_table_.strings)
    print(f"watchlist: {len(watchlist)} entries, {listed_strings} distinct normalised names")
    print(f"queries:   {len(queries.names)} distinct names, {int(is_variant.sum())} variants")
    print(f"build:     {build_seconds:.2f} s")
    print(f"query:     {query_seconds:.2f} s ({len(queries.names) / query_seconds:,.0f} names/s)")
    print(f"peak RSS:  {peak_rss_mib():.0f} MiB (before the index: {rss_before:.0f} MiB)")
    print(f"recall of variants at score >= {NAME_MATCH_THRESHOLD:g} (right entry):")
    for kind, group in (hit & right_entry)[is_variant].groupby(queries.kind[is_variant]):
        print(f"  {kind:16s} {group.mean():.3f}  (n={len(group)})")
    print(f"  {'all':16s} {(hit & right_entry)[is_variant].mean():.3f}")
    print(f"false hits on unrelated names: {hit[~is_variant].mean():.4f}")

    print(f"exhaustive rapidfuzz.process.cdist on samples of {args.exhaustive_sample} names:")
    for label, subset in (("variants", is_variant), ("unrelated", ~is_variant)):
        names = queries.names[subset]
        sample = names.sample(n=min(args.exhaustive_sample, len(names)), random_state=args.seed)
        started = time.perf_counter()
        exhaustive = exhaustive_best(index, sample, args.n_jobs)
        exhaustive_seconds = time.perf_counter() - started
        started = time.perf_counter()
        blocked = index.best_name_matches(sample, None, as_of.loc[sample.index])["score"]
        blocked_seconds = time.perf_counter() - started
        found = exhaustive >= NAME_MATCH_THRESHOLD
        same = np.isclose(blocked.to_numpy()[found], exhaustive[found]).mean()
        print(
            f"  {label:9s} score >= {NAME_MATCH_THRESHOLD:g}: exhaustive {found.mean():.3f}, "
            f"blocked {(blocked >= NAME_MATCH_THRESHOLD).mean():.3f}; same best score where "
            f"exhaustive >= {NAME_MATCH_THRESHOLD:g}: {same:.3f}; time exhaustive / blocked "
            f"{exhaustive_seconds / blocked_seconds:.1f}x"
        )


if __name__ == "__main__":
    main()
