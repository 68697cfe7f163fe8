"""Normalisation of company names and addresses for ids, history keys and screening.

Both normalisers reduce a string to lower-case ASCII words separated by single spaces, so that
two renderings of the same party or place compare equal: Cyrillic and other scripts are
transliterated (``unidecode``), quotes, apostrophes and punctuation are dropped, dotted
acronyms are closed up (``A.S.`` -> ``as``). Names also lose their legal forms (``OOO``,
``Ltd. Sti.``, ``Limited Liability Company``, the CSL's "and any successor ..." boilerplate);
addresses get one spelling per common abbreviation (``Street``/``St.`` -> ``st``) and lose a
trailing country (``..., Yerevan, Armenia, AM`` -> ``... yerevan``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pandas as pd
import pycountry
from unidecode import unidecode

from features.distinct import map_distinct

LEGAL_FORMS = frozenset({
    "llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "co", "company", "plc",
    "gmbh", "ag", "kg", "ohg", "mbh", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "oyj",
    "ab", "as", "asa", "aps", "llp", "lllp", "lp", "pllc", "pte", "pvt", "pty", "bhd", "sdn",
    "tbk", "kk", "fze", "fzco", "fzc", "fz", "dmcc", "jsc", "ojsc", "cjsc", "pjsc", "zao", "oao",
    "ooo", "pao", "nao", "ao", "ip", "chp", "fop", "too", "tov", "osoo", "zhshs", "mchj", "mchzh",
    "xk", "pp", "sp", "zoo", "kft", "doo", "dd", "ad", "eood", "ood", "ltda", "eirl", "cv", "sl",
    "ug", "sro", "spol", "se", "uab", "sia", "spe", "sti", "sirketi", "anonim",
    "aktiengesellschaft",
})  # fmt: skip
"""Legal-form words dropped from names (after transliteration), e.g. OOO, TOO, MChJ, GmbH."""

LEGAL_FORM_PHRASES: tuple[str, ...] = (
    r"and any successors? sub ?units? or subsidiar(?:y|ies) thereof",
    r"(?:(?:open|closed|public|private|non public) )?joint stock company",
    r"(?:public |private )?limited liability (?:company|partnership)",
    r"(?:public|private) limited company",
    r"limited partnership",
    r"sole proprietorship",
    r"free zone (?:establishment|company)",
    r"(?:(?:otkryt|zakryt|publichn|nepublichn)\w* )?aktsionern\w* ob\w*estvo",
    r"(?:ob\w*estvo|tovarish\w*) s ogranichenn\w* otvetstvennost\w*",
    r"tovar\w*stvo z obmezhen\w* vidpovidal\w*",
    r"zhauapkershilig\w* shekteul\w* seriktestig\w*",
    r"masuli\w*ti cheklangan (?:ja|zha)mi\w*",
    r"individual\w* predprinimatel\w*",
    r"gesellschaft mit beschrankter haftung",
    r"societe anonyme|sociedad anonima",
)
"""Multi-word legal forms and boilerplate, as regexes over the lower-case ASCII words."""

ADDRESS_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("street", "st", "saint"), "st"),
    **dict.fromkeys(("road", "rd"), "rd"),
    **dict.fromkeys(("avenue", "ave", "av", "avenida"), "ave"),
    **dict.fromkeys(("boulevard", "blvd", "bulvar", "bulvari", "blv"), "blvd"),
    **dict.fromkeys(("building", "bldg", "bld", "bldng"), "bldg"),
    **dict.fromkeys(("number", "no", "nr", "num"), "no"),
    **dict.fromkeys(("floor", "fl", "flr"), "fl"),
    **dict.fromkeys(("room", "rm"), "rm"),
    **dict.fromkeys(("suite", "ste"), "ste"),
    **dict.fromkeys(("apartment", "apartments", "apt", "apts", "apartmani"), "apt"),
    **dict.fromkeys(("district", "dist"), "dist"),
    **dict.fromkeys(("lane", "ln"), "ln"),
    **dict.fromkeys(("drive", "dr"), "dr"),
    **dict.fromkeys(("square", "sq"), "sq"),
    **dict.fromkeys(("highway", "hwy"), "hwy"),
    **dict.fromkeys(("centre", "center", "ctr"), "ctr"),
    **dict.fromkeys(("tower", "twr"), "twr"),
    **dict.fromkeys(("block", "blk"), "blk"),
    **dict.fromkeys(("industrial", "ind"), "ind"),
    **dict.fromkeys(("east", "e"), "e"),
    **dict.fromkeys(("west", "w"), "w"),
    **dict.fromkeys(("north", "n"), "n"),
    **dict.fromkeys(("south", "s"), "s"),
    **dict.fromkeys(("ulitsa", "ul"), "ul"),
    **dict.fromkeys(("prospekt", "prosp", "pr"), "pr"),
    **dict.fromkeys(("pereulok", "per"), "per"),
    **dict.fromkeys(("shosse", "sh"), "sh"),
    **dict.fromkeys(("oblast", "obl"), "obl"),
    **dict.fromkeys(("korpus", "korp"), "korp"),
    **dict.fromkeys(("stroenie", "strasse", "str"), "str"),
    **dict.fromkeys(("dom", "d"), "d"),
    **dict.fromkeys(("kvartira", "kv"), "kv"),
    **dict.fromkeys(("caddesi", "cad", "cd"), "cad"),
    **dict.fromkeys(("sokak", "sokagi", "sk"), "sk"),
    **dict.fromkeys(("mahallesi", "mah", "mh"), "mah"),
    **dict.fromkeys(("postfach", "pob"), "pobox"),
}
"""One spelling per common address word (English, Russian and Turkish abbreviations)."""

COUNTRY_ALIASES: tuple[str, ...] = (
    "uae", "usa", "uk", "russia", "turkiye", "turkey", "iran", "syria", "south korea",
    "north korea", "korea", "taiwan", "vietnam", "laos", "moldova", "bolivia", "venezuela",
    "tanzania", "czech republic", "macau", "macao", "hong kong sar", "kyrgyz republic", "palestine",
)  # fmt: skip
"""Country names in common use that pycountry does not list, stripped from address ends."""

MAX_COUNTRY_NAME_WORDS = 4
"""The longest country name stripped from an address end without a comma before it."""

_C1_AS_CP1252 = {code: bytes([code]).decode("cp1252", "replace") for code in range(0x80, 0xA0)}
"""C1 control characters are mis-decoded Windows-1252 (the CSL has ``Gui\\x92an``): map back."""

_NUMERO = re.compile(r"\bn\s*[°º]|#", re.IGNORECASE)
_APOSTROPHES = str.maketrans("", "", "'`")
_DOTTED_ACRONYM = re.compile(r"\b[a-z](?:\.[a-z])+\b\.?")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_LEGAL_PHRASE = re.compile(r"\b(?:" + "|".join(LEGAL_FORM_PHRASES) + r")\b")
_FLOOR = re.compile(r"\b(\d+|g) ?f\b")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
_PO_BOX = re.compile(r"\b(?:p ?o|post office) box\b")


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII with apostrophes removed, dotted acronyms closed up and ``&`` -> and."""
    text = unidecode(_NUMERO.sub(" no ", text.translate(_C1_AS_CP1252))).lower()
    text = _DOTTED_ACRONYM.sub(lambda match: match.group().replace(".", ""), text)
    return text.translate(_APOSTROPHES).replace("&", " and ")


NORMALISED_CACHE_SIZE = 1 << 18
"""Distinct names (and addresses) whose normal form is remembered between calls."""


@lru_cache(maxsize=NORMALISED_CACHE_SIZE)
def normalise_name(name: str) -> str:
    """Transliterate to ASCII, lower-case, drop punctuation and legal forms, collapse spaces.

    A name made only of legal-form words keeps them (``"OOO"`` -> ``"ooo"``) rather than
    becoming empty.
    """
    text = _NON_ALNUM.sub(" ", _ascii_lower(name))
    tokens = _LEGAL_PHRASE.sub(" ", text).split()
    kept = [token for token in tokens if token not in LEGAL_FORMS]
    return " ".join(kept or text.split())


@cache
def _country_names() -> frozenset[str]:
    """Normalised country names: pycountry's names and ``COUNTRY_ALIASES``."""
    names: set[str] = set(COUNTRY_ALIASES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            names.add(getattr(country, attribute, ""))
    return frozenset(_words(name) for name in names if name)


@cache
def _country_designations() -> frozenset[str]:
    """Country names and ISO-2 / ISO-3 codes: what a whole comma-separated segment may be.

    Codes are only stripped as whole segments: as last words they collide with address words
    (``no``, ``st``, ``per``).
    """
    codes = (code for c in pycountry.countries for code in (c.alpha_2, c.alpha_3))
    return _country_names() | {code.lower() for code in codes}


def _words(text: str) -> str:
    return _NON_ALNUM.sub(" ", _ascii_lower(text)).strip()


def _strip_trailing_countries(address: str) -> list[str]:
    """The address's words without trailing country segments (``, AM``) or names (``Russia``)."""
    segments = address.split(",")
    while segments and _words(segments[-1]) in _country_designations():
        segments.pop()
    tokens = _words(",".join(segments)).split()
    names = _country_names()
    stripped = True
    while stripped:
        stripped = False
        for size in range(min(MAX_COUNTRY_NAME_WORDS, len(tokens) - 1), 0, -1):
            if " ".join(tokens[-size:]) in names:
                del tokens[-size:]
                stripped = True
                break
    return tokens


@lru_cache(maxsize=NORMALISED_CACHE_SIZE)
def normalise_address(address: str) -> str:
    """Normalise like a name (legal forms kept), unify abbreviations, drop a trailing country.

    Trailing comma-separated segments that are a country code or name are removed, and so are
    trailing country names without a comma; digits and letters are split (``33b`` -> ``33 b``),
    ordinals lose their suffix (``69th`` -> ``69``) and ``19/F`` reads as ``19 fl``. Word order
    is kept: it distinguishes ``12 X St, 3`` from ``3 X St, 12``.
    """
    text = " ".join(_strip_trailing_countries(address))
    text = _ORDINAL.sub(r"\1", _FLOOR.sub(r"\1 fl", text))
    text = _PO_BOX.sub("pobox", _DIGIT_LETTER.sub(" ", text))
    return " ".join(ADDRESS_ABBREVIATIONS.get(token, token) for token in text.split())


def normalise_names(names: pd.Series) -> pd.Series:
    """``normalise_name`` over a Series, computed once per distinct value; NA stays NA."""
    return map_distinct(names, normalise_name, dtype="str", missing=None)


def normalise_addresses(addresses: pd.Series) -> pd.Series:
    """``normalise_address`` over a Series, computed once per distinct value; NA stays NA."""
    return map_distinct(addresses, normalise_address, dtype="str", missing=None)
