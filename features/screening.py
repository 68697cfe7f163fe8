"""Fuzzy screening of names and addresses against a watchlist, point in time.

``WatchlistIndex`` is fitted on the canonical frame of ``features.watchlist`` and answers, per
query row, the best-matching entry *listed strictly before the row's date*:

- names (and every alias) are compared after ``normalise_name``; the score (0-100) is the
  larger of rapidfuzz's ``ratio`` and ``token_sort_ratio`` (``SCORERS``): word order does not
  matter, a missing or extra word does;
- addresses match when their ``normalise_address`` forms are equal, or optionally when their
  score reaches a high threshold and both contain the same numbers.

Matching runs on distinct normalised strings only, mapped back to rows. Blocking keeps it
fast: a query string is scored only against the ``candidates`` list strings sharing the most
(IDF-weighted) blocking keys with it -- its words, its words with one letter deleted and its
words run together (``blocking_keys``) -- plus any list string equal to it. Keys found in more
than ``MAX_KEY_SHARE`` of the list strings (``trading``, ``international``) are not blocked on.

Dates: a row dated D sees an entry only if the entry's ``listed_on`` is strictly before D (the
day of D: a time of day is dropped). Entries without a listing date are treated as listed
since always and are seen by every row. A row without a date sees only those undated entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from features.distinct import map_distinct, sorted_distinct
from features.names import (
    normalise_address,
    normalise_addresses,
    normalise_name,
    normalise_names,
)
from features.watchlist import WATCHLIST_COLUMNS

MIN_NAME_SCORE = 70.0
"""Name scores below this are reported as 0 (no similar entry)."""
NAME_MATCH_THRESHOLD = 88.0
"""Suggested score from which a name match counts as a hit; the benchmark's recall uses it."""
ADDRESS_FUZZY_THRESHOLD = 95.0
"""Default score from which two different normalised addresses still count as the same."""
CANDIDATES_PER_QUERY = 20
"""List strings scored per distinct query string (the best by blocking-key cosine)."""
MIN_WORD_FOR_DELETIONS = 4
"""Shorter words are blocked on as they are: their one-letter deletions match too much."""
JOINED_KEY_PREFIX = "~"
MAX_KEY_SHARE = 0.01
"""Keys in more than this share of the list strings are too common to block on..."""
MIN_KEY_POSTINGS = 50
"""...unless they are in at most this many (so small lists block on every key)."""
QUERY_CHUNK_SIZE = 4096
"""Query strings per sparse product, bounding its memory."""
REMEMBERED_QUERIES = 1 << 20
"""Distinct query strings whose scored pairs a table keeps between calls."""
MIN_ADDRESS_WORDS = 3
"""Addresses shorter than this (``Dubai``, ``Gaza City, PS``) are too vague to link parties."""
EXACT_SCORE = 100.0
SCORERS = (fuzz.ratio, fuzz.token_sort_ratio)
"""A pair scores the larger of the two: words as written, and words sorted. Sorting alone
fails when a typo moves a word (``gershik kapital`` / ``gershik capital`` sort apart)."""

DIGITS = re.compile(r"\d+")

NAME_MATCH_COLUMNS = ("score", "entry_id", "matched_name", "country_match")
ADDRESS_MATCH_COLUMNS = ("matched", "score", "entry_id", "matched_address")


@dataclass(frozen=True)
class _Pairs:
    """Query positions, list-string positions and their scores, one element per pair."""

    query: np.ndarray
    choice: np.ndarray
    score: np.ndarray


def blocking_keys(text: str) -> list[str]:
    """The keys a normalised string is blocked on: each word, each word with one letter
    deleted (so one typo -- deletion, insertion, substitution, swap -- still shares a key) and
    the words run together (so ``radio tekhnika`` meets ``radiotekhnika``)."""
    words = text.split()
    keys = [JOINED_KEY_PREFIX + "".join(words), *words]
    for word in words:
        if len(word) >= MIN_WORD_FOR_DELETIONS:
            keys.extend(word[:i] + word[i + 1 :] for i in range(len(word)))
    return keys


class _FuzzyTable:
    """Distinct list strings with a blocking-key index; scores query strings against them."""

    def __init__(self, strings: np.ndarray, *, candidates: int, n_jobs: int) -> None:
        self.strings = strings
        self.candidates = candidates
        self.n_jobs = n_jobs
        self.position = pd.Series(np.arange(len(strings)), index=pd.Index(strings, dtype=object))
        self.vectorizer: TfidfVectorizer | None = TfidfVectorizer(
            analyzer=blocking_keys,
            max_df=max(MIN_KEY_POSTINGS, int(MAX_KEY_SHARE * len(strings))),
            binary=True,
            dtype=np.float32,
        )
        self.matrix_t: sp.csr_matrix | None = None
        self._known: dict[float, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        try:
            self.matrix_t = self.vectorizer.fit_transform(strings).T.tocsr()
        except ValueError:  # no strings, or every key too common to block on
            self.vectorizer = None

    def pairs(self, queries: np.ndarray, score_cutoff: float) -> _Pairs:
        """Scored (query, list string) pairs at or above ``score_cutoff``.

        Each distinct query string is scored once per table and cutoff and remembered (up to
        ``REMEMBERED_QUERIES``), so consignee and end-user names, and successive chunks of a
        file, do not pay twice for the same name.
        """
        known = self._known.setdefault(score_cutoff, {})
        fresh = np.array([query not in known for query in queries], dtype=bool)
        if fresh.any():
            if len(known) + int(fresh.sum()) > REMEMBERED_QUERIES:
                known.clear()
            scored = self._score(queries[fresh], score_cutoff)
            order = np.argsort(scored.query, kind="stable")
            bounds = np.searchsorted(scored.query[order], np.arange(int(fresh.sum()) + 1))
            for position, query in enumerate(queries[fresh]):
                chosen = order[bounds[position] : bounds[position + 1]]
                known[query] = (scored.choice[chosen], scored.score[chosen])
        found = [known[query] for query in queries]
        counts = np.array([len(choices) for choices, _ in found], dtype=np.int64)
        if not counts.sum():
            empty = np.empty(0, dtype=np.int64)
            return _Pairs(empty, empty, np.empty(0, dtype=np.float64))
        return _Pairs(
            np.repeat(np.arange(len(queries)), counts),
            np.concatenate([choices for choices, _ in found]),
            np.concatenate([scores for _, scores in found]),
        )

    def _score(self, queries: np.ndarray, score_cutoff: float) -> _Pairs:
        query, choice = self._candidates(queries)
        scores = np.zeros(len(query), dtype=np.float32)
        for scorer in SCORERS:
            scored = process.cpdist(
                queries[query],
                self.strings[choice],
                scorer=scorer,
                score_cutoff=score_cutoff,
                dtype=np.float32,
                workers=self.n_jobs,
            )
            scores = np.maximum(scores, scored)
        keep = scores >= score_cutoff
        return _Pairs(query[keep], choice[keep], scores[keep].astype(np.float64))

    def _candidates(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Equal strings, plus the ``candidates`` best by blocking-key cosine per query."""
        exact = self.position.reindex(pd.Index(queries, dtype=object))
        found = exact.notna().to_numpy()
        query_parts = [np.flatnonzero(found)]
        choice_parts = [exact.to_numpy()[found].astype(np.int64)]
        if self.vectorizer is not None and self.matrix_t is not None:
            for start in range(0, len(queries), QUERY_CHUNK_SIZE):
                chunk = self.vectorizer.transform(queries[start : start + QUERY_CHUNK_SIZE])
                rows, columns = _top_k(chunk @ self.matrix_t, self.candidates)
                query_parts.append(rows + start)
                choice_parts.append(columns)
        size = max(len(self.strings), 1)
        pairs = sorted_distinct(
            np.concatenate(query_parts).astype(np.int64) * size
            + np.concatenate(choice_parts).astype(np.int64)
        )
        return pairs // size, pairs % size


def _top_k(product: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the ``k`` largest values of each row (ties: lower column first)."""
    product.sort_indices()
    counts = np.diff(product.indptr)
    rows = np.repeat(np.arange(product.shape[0]), counts)
    order = np.lexsort((-product.data, rows))
    ranks = np.arange(len(order)) - np.repeat(product.indptr[:-1], counts)
    keep = order[ranks < k]
    return rows[keep], product.indices[keep].astype(np.int64)


class WatchlistIndex(BaseEstimator):
    """Point-in-time fuzzy lookup of names and addresses in a watchlist.

    Parameters
    ----------
    min_score : float
        Name scores below this are reported as 0.
    candidates : int
        List strings scored per distinct query string after blocking.
    address_fuzzy_threshold : float or None
        Score from which two different normalised addresses with the same numbers still match;
        None for exact matches only.
    n_jobs : int
        Threads for rapidfuzz scoring (-1: all cores); results do not depend on it.

    Attributes
    ----------
    entries_ : DataFrame
        The fitted watchlist's canonical columns, positionally indexed.
    names_ : DataFrame
        One row per (normalised name or alias, entry): ``key``, ``entry``, ``listed_as``.
    addresses_ : DataFrame
        One row per (normalised address, entry): ``key``, ``entry``, ``listed_as``, ``numbers``;
        only addresses of at least ``MIN_ADDRESS_WORDS`` words with a number.
    name_table_, address_table_ : _FuzzyTable
        The distinct normalised names / addresses and their blocking index.
    """

    def __init__(
        self,
        *,
        min_score: float = MIN_NAME_SCORE,
        candidates: int = CANDIDATES_PER_QUERY,
        address_fuzzy_threshold: float | None = ADDRESS_FUZZY_THRESHOLD,
        n_jobs: int = 1,
    ) -> None:
        self.min_score = min_score
        self.candidates = candidates
        self.address_fuzzy_threshold = address_fuzzy_threshold
        self.n_jobs = n_jobs

    def fit(self, watchlist: pd.DataFrame, y: object = None) -> WatchlistIndex:
        """Index a canonical watchlist frame (``features.watchlist.WATCHLIST_COLUMNS``)."""
        missing = [column for column in WATCHLIST_COLUMNS if column not in watchlist.columns]
        if missing:
            raise ValueError(f"watchlist frame lacks canonical column(s) {missing!r}")
        self.entries_ = watchlist.loc[:, list(WATCHLIST_COLUMNS)].reset_index(drop=True)
        self.entries_["listed_on"] = pd.to_datetime(self.entries_["listed_on"])
        self.names_ = _listed_strings(self.entries_, ["name", "aliases"], normalise_name)
        addresses = _listed_strings(self.entries_, ["addresses"], normalise_address)
        addresses = addresses[_informative(addresses["key"]).to_numpy()]
        self.addresses_ = addresses.assign(numbers=_numbers(addresses["key"]))
        self.name_table_ = self._table(self.names_)
        self.address_table_ = self._table(self.addresses_)
        return self

    def _table(self, listed: pd.DataFrame) -> _FuzzyTable:
        strings = listed["key"].drop_duplicates().to_numpy(dtype=object)
        return _FuzzyTable(strings, candidates=self.candidates, n_jobs=self.n_jobs)

    def best_name_matches(
        self, names: pd.Series, countries: pd.Series | None, as_of: pd.Series
    ) -> pd.DataFrame:
        """The best name match per row among entries listed strictly before ``as_of``.

        ``countries`` (ISO-2, may be None) and ``as_of`` (dates) go row for row with ``names``.
        Returns a frame on ``names.index`` with ``score`` (0-100; 0 when no entry reaches
        ``min_score``; NaN when the name is missing or normalises to nothing), ``entry_id`` and
        ``matched_name`` (the listed name or alias as written) of the best entry, and
        ``country_match`` (whether the row's country is the entry's; NA when either is
        missing). Equal scores prefer a same-country entry, then the earlier one in the list.
        """
        check_is_fitted(self)
        keys = normalise_names(names)
        country = None if countries is None else _aligned(countries, names).astype("str")
        best = self._best(keys, as_of, self.name_table_, self.names_, self.min_score, country)
        entry_id, entry_country = self._entry_values(best["entry"], ["entry_id", "country"])
        matched = best["entry"].notna()
        country_match = pd.Series(pd.NA, index=names.index, dtype="boolean")
        if country is not None:
            known = matched & country.notna() & entry_country.notna()
            country_match[known] = (country == entry_country)[known]
        columns = (best["score"], entry_id, best["listed_as"], country_match)
        return pd.DataFrame(dict(zip(NAME_MATCH_COLUMNS, columns, strict=True)))

    def address_matches(self, addresses: pd.Series, as_of: pd.Series) -> pd.DataFrame:
        """Whether each row's address is a listed address of an entry listed before ``as_of``.

        Addresses match when equal after ``normalise_address`` or, when
        ``address_fuzzy_threshold`` is set, when they reach it and contain the same numbers.
        Addresses of fewer than ``MIN_ADDRESS_WORDS`` words or without a number never match.
        Returns a frame on ``addresses.index`` with ``matched`` (bool), ``score`` (0 when not
        matched), ``entry_id`` and ``matched_address`` (as listed).
        """
        check_is_fitted(self)
        keys = normalise_addresses(addresses)
        keys = keys.where(_informative(keys))
        threshold = self.address_fuzzy_threshold
        cutoff = EXACT_SCORE if threshold is None else threshold
        best = self._best(
            keys, as_of, self.address_table_, self.addresses_, cutoff, None, same_numbers=True
        )
        (entry_id,) = self._entry_values(best["entry"], ["entry_id"])
        columns = (best["entry"].notna(), best["score"].fillna(0.0), entry_id, best["listed_as"])
        return pd.DataFrame(dict(zip(ADDRESS_MATCH_COLUMNS, columns, strict=True)))

    def _entry_values(self, entry: pd.Series, columns: list[str]) -> list[pd.Series]:
        """Entry columns for nullable entry positions (NA where there is no entry)."""
        found = entry.notna().to_numpy()
        positions = entry.to_numpy(dtype=np.int64, na_value=0)[found]
        results = []
        for column in columns:
            values = np.full(len(entry), None, dtype=object)
            values[found] = self.entries_[column].to_numpy(dtype=object)[positions]
            results.append(pd.Series(values, index=entry.index, dtype="str"))
        return results

    def _best(
        self,
        keys: pd.Series,
        as_of: pd.Series,
        table: _FuzzyTable,
        listed: pd.DataFrame,
        cutoff: float,
        countries: pd.Series | None,
        *,
        same_numbers: bool = False,
    ) -> pd.DataFrame:
        """Per row: best ``score``, ``entry`` position and ``listed_as`` among seen entries.

        Rows are reduced to distinct (string, day, country) queries first; ``same_numbers``
        keeps only pairs whose strings hold the same numbers (addresses).
        """
        keys = keys.where(keys != "")
        codes, strings = pd.factorize(keys)
        strings = np.asarray(strings, dtype=object)
        pairs = table.pairs(strings, cutoff)
        # Only rows whose string has a scored pair need the per-date choice below.
        candidate_rows = np.flatnonzero(np.isin(codes, pairs.query))
        rows = pd.DataFrame(
            {
                "query": codes[candidate_rows],
                "day": _day(_aligned(as_of, keys)).to_numpy()[candidate_rows],
            }
        )
        if countries is not None:
            rows["country"] = countries.to_numpy()[candidate_rows]
        distinct = rows.groupby(list(rows.columns), dropna=False, sort=False).ngroup()
        queries = rows.assign(distinct=distinct).drop_duplicates("distinct")

        candidates = pd.DataFrame(
            {"query": pairs.query, "key": table.strings[pairs.choice], "score": pairs.score}
        ).merge(listed, on="key")
        if same_numbers:
            query_numbers = _numbers(pd.Series(strings)).to_numpy()[candidates["query"]]
            candidates = candidates[(query_numbers == candidates["numbers"]).to_numpy()]
        entries = self.entries_.iloc[candidates["entry"]]
        candidates["listed_on"] = entries["listed_on"].to_numpy()
        candidates["entry_country"] = entries["country"].to_numpy()

        joined = queries.merge(candidates, on="query")
        seen = joined["listed_on"].isna() | (joined["listed_on"] < joined["day"])
        joined = joined[seen.to_numpy()]
        order = {"distinct": True, "score": False}
        if countries is not None:
            joined = joined.assign(same_country=joined["country"] == joined["entry_country"])
            order["same_country"] = False
        order["entry"] = True
        joined = joined.sort_values(list(order), ascending=list(order.values()))
        best = joined.drop_duplicates("distinct").set_index("distinct")

        score = np.where(codes >= 0, 0.0, np.nan)
        score[candidate_rows] = best["score"].reindex(distinct).fillna(0.0).to_numpy()
        entry = pd.array(np.full(len(codes), pd.NA), dtype="Int64")
        entry[candidate_rows] = best["entry"].reindex(distinct).astype("Int64").to_numpy()
        listed_as = np.full(len(codes), None, dtype=object)
        listed_as[candidate_rows] = best["listed_as"].reindex(distinct).to_numpy(dtype=object)
        return pd.DataFrame(
            {"score": score, "entry": entry, "listed_as": pd.array(listed_as, dtype="str")},
            index=keys.index,
        )


def _listed_strings(
    entries: pd.DataFrame, columns: list[str], normalise: Callable[[str], str]
) -> pd.DataFrame:
    """One row per (normalised ``key``, ``entry`` position) with the string as ``listed_as``."""
    values = pd.concat([entries[column].explode() for column in columns]).dropna()
    listed = pd.DataFrame({"entry": values.index, "listed_as": values.astype("str").to_numpy()})
    listed["key"] = listed["listed_as"].map(normalise)
    listed = listed[listed["key"] != ""].drop_duplicates(["key", "entry"])
    return listed.loc[:, ["key", "entry", "listed_as"]].reset_index(drop=True)


def _is_informative(key: str) -> bool:
    # Normalised: words are separated by single spaces.
    return key.count(" ") + 1 >= MIN_ADDRESS_WORDS and any(char.isdigit() for char in key)


def _informative(keys: pd.Series) -> pd.Series:
    """Normalised addresses precise enough to link parties: enough words and a number."""
    return map_distinct(keys, _is_informative, dtype="bool", missing=False)


def _aligned(values: pd.Series, like: pd.Series) -> pd.Series:
    """``values`` row for row with ``like`` (by position), on ``like``'s index."""
    if len(values) != len(like):
        raise ValueError(f"expected {len(like)} values row for row, found {len(values)}")
    return pd.Series(values.to_numpy(), index=like.index, dtype=values.dtype)


def numbers_in(key: str) -> str:
    """The numbers of a normalised address, sorted: two addresses can only be the same place
    when these are equal."""
    return " ".join(sorted(DIGITS.findall(key)))


def _numbers(keys: pd.Series) -> pd.Series:
    return keys.map(numbers_in)


def _day(as_of: pd.Series) -> pd.Series:
    """Dates as naive midnight timestamps (a time of day would let the same day through)."""
    stamps = pd.to_datetime(as_of)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps.dt.normalize()


class RecordScreener:
    """``WatchlistIndex`` answers for one shipment at a time, without pandas.

    Gives the same values as ``watchlist_features`` computes for a row: the best name score
    among entries listed before the day (the country only breaks ties between entries, so it
    does not change the score) and whether the address is a listed one.
    """

    def __init__(self, index: WatchlistIndex) -> None:
        check_is_fitted(index)
        self.index = index
        listed_on = index.entries_["listed_on"].to_numpy(dtype="datetime64[ns]")
        self._listed_on = [None if np.isnat(day) else int(day.view(np.int64)) for day in listed_on]
        self._name_entries = _entries_by_key(index.names_)
        self._address_entries = _entries_by_key(index.addresses_)

    def prepare(self, names: list[str | None], addresses: list[str | None]) -> None:
        """Score the names and addresses of a batch of shipments in one pass per table (one
        vectoriser call instead of one per string); the single-shipment answers that follow
        read the results from the tables' memory of scored strings."""
        index = self.index
        name_keys = {normalise_name(name) for name in names if name is not None} - {""}
        address_keys = {normalise_address(address) for address in addresses if address is not None}
        address_keys = {key for key in address_keys if key and _is_informative(key)}
        threshold = index.address_fuzzy_threshold
        for table, keys, cutoff in (
            (index.name_table_, name_keys, index.min_score),
            (index.address_table_, address_keys, EXACT_SCORE if threshold is None else threshold),
        ):
            if keys:
                table.pairs(np.array(sorted(keys), dtype=object), cutoff)

    def name_score(self, name: str | None, day: np.datetime64) -> float:
        """0-100, 0 when no entry listed before ``day`` reaches ``min_score``, NaN when the
        name is missing or normalises to nothing."""
        key = normalise_name(name) if name is not None else ""
        if not key:
            return np.nan
        index = self.index
        best = 0.0
        for string, score in self._pairs(index.name_table_, key, index.min_score):
            if score > best and self._any_seen(self._name_entries[string], day):
                best = score
        return best

    def address_listed(self, address: str | None, day: np.datetime64) -> bool:
        """Whether the address is a listed address of an entry listed before ``day``."""
        key = normalise_address(address) if address is not None else ""
        if not key or not _is_informative(key):
            return False
        threshold = self.index.address_fuzzy_threshold
        cutoff = EXACT_SCORE if threshold is None else threshold
        numbers = numbers_in(key)
        for string, _ in self._pairs(self.index.address_table_, key, cutoff):
            if numbers_in(string) == numbers and self._any_seen(self._address_entries[string], day):
                return True
        return False

    @staticmethod
    def _pairs(table: _FuzzyTable, key: str, cutoff: float) -> list[tuple[str, float]]:
        pairs = table.pairs(np.array([key], dtype=object), cutoff)
        return list(zip(table.strings[pairs.choice], pairs.score.tolist(), strict=True))

    def _any_seen(self, entries: list[int], day: np.datetime64) -> bool:
        if np.isnat(day):
            return any(self._listed_on[entry] is None for entry in entries)
        stamp = int(day.astype("datetime64[ns]").astype(np.int64))
        return any(
            self._listed_on[entry] is None or self._listed_on[entry] < stamp for entry in entries
        )


def _entries_by_key(listed: pd.DataFrame) -> dict[str, list[int]]:
    entries: dict[str, list[int]] = {}
    for key, entry in zip(listed["key"], listed["entry"], strict=True):
        entries.setdefault(key, []).append(int(entry))
    return entries
