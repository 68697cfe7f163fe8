"""Synthetic company names, their variants, street addresses and registry ids.

Names are built from parts (stem, activity word, legal form) so that variants can change one
part at a time, the way listed parties re-appear on documents: a transliteration, another legal
form, a typo, a different word order or spelling of the same words.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from features.names import normalise_name
from training.simulator.places import place

BUSINESS_TYPES: tuple[str, ...] = (
    "manufacturer",
    "distributor",
    "trading_house",
    "freight_forwarder",
)

# fmt: off
_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "RU": ("OOO", "AO", "LLC"), "BY": ("OOO", "ODO", "ChUP"), "KZ": ("TOO", "LLP"),
    "KG": ("OsOO", "LLC"), "UZ": ("MChJ", "LLC", "XK"), "TJ": ("LLC", "JSC"),
    "AM": ("LLC", "CJSC"), "GE": ("LLC", "JSC"), "AZ": ("MMC", "LLC"), "MN": ("LLC",),
    "TR": ("Ltd. Sti.", "A.S."), "AE": ("LLC", "FZE", "FZCO", "DMCC", "FZ-LLC"),
    "HK": ("Limited", "Co., Limited", "Company Limited"), "MO": ("Limitada", "Limited"),
    "CN": ("Co., Ltd.",), "TW": ("Co., Ltd.", "Corp."),
    "IN": ("Private Limited", "Pvt. Ltd.", "Limited"), "SG": ("Pte. Ltd.",),
    "MY": ("Sdn. Bhd.",), "TH": ("Co., Ltd.",), "VN": ("Company Limited", "JSC"),
    "IL": ("Ltd.",), "RS": ("d.o.o.",), "BR": ("Ltda.", "S.A."),
    "MX": ("S.A. de C.V.", "S. de R.L. de C.V."), "ZA": ("(Pty) Ltd",), "NI": ("S.A.",),
    "DE": ("GmbH", "AG", "GmbH & Co. KG"), "AT": ("GmbH", "AG"), "CH": ("AG", "GmbH", "SA"),
    "LI": ("AG", "Anstalt"), "FR": ("SAS", "SARL", "SA"), "IT": ("S.r.l.", "S.p.A."),
    "ES": ("S.L.", "S.A."), "PT": ("Lda.", "S.A."), "NL": ("B.V.", "N.V."),
    "BE": ("SRL", "NV"), "LU": ("S.A.", "S.a r.l."), "PL": ("Sp. z o.o.", "S.A."),
    "CZ": ("s.r.o.", "a.s."), "SK": ("s.r.o.", "a.s."), "HU": ("Kft.", "Zrt."),
    "RO": ("S.R.L.", "S.A."), "BG": ("EOOD", "OOD"), "HR": ("d.o.o.",), "SI": ("d.o.o.",),
    "SE": ("AB",), "DK": ("ApS", "A/S"), "NO": ("AS",), "FI": ("Oy", "Oyj"),
    "EE": ("OU", "AS"), "LV": ("SIA",), "LT": ("UAB",), "IE": ("Limited", "Ltd"),
    "GB": ("Ltd", "Limited", "PLC"), "US": ("Inc.", "LLC", "Corp."), "CA": ("Inc.", "Ltd."),
    "AU": ("Pty Ltd",), "NZ": ("Limited",), "JP": ("Co., Ltd.", "K.K."),
    "KR": ("Co., Ltd.", "Corp."), "GR": ("S.A.", "IKE"), "CY": ("Ltd",), "MT": ("Ltd",),
    "IS": ("ehf.",), "SA": ("LLC", "Co."), "EG": ("S.A.E.", "LLC"), "ID": ("PT",),
    "PH": ("Inc.", "Corp."), "CL": ("SpA", "Ltda."), "AR": ("S.A.", "S.R.L."),
    "CO": ("S.A.S.",), "MA": ("SARL", "SA"), "NG": ("Limited",), "PK": ("(Pvt) Ltd",),
    "QA": ("WLL", "LLC"), "OM": ("LLC", "SAOC"), "PE": ("S.A.C.",), "KE": ("Limited",),
    "JO": ("LLC",), "SC": ("Ltd",), "VG": ("Ltd",), "IR": ("Co.", "PJS"),
}
# fmt: on

PREFIX_FORMS = frozenset({"OOO", "AO", "ODO", "ChUP", "TOO", "OsOO", "PT"})
"""Legal forms written before the name (OOO "Vektor", TOO "Altyn")."""

_FORM_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "OOO": ("LLC", "Limited Liability Company", "OOO"),
    "LLC": ("OOO", "Limited Liability Company", "L.L.C."),
    "TOO": ("LLP", "TOO"),
    "LLP": ("TOO",),
    "OsOO": ("LLC", "OOO"),
    "MChJ": ("LLC", "OOO"),
    "AO": ("JSC", "CJSC"),
    "Limited": ("Ltd", "Ltd.", "Co., Limited"),
    "Co., Limited": ("Limited", "Co., Ltd."),
    "Company Limited": ("Co., Ltd.", "Limited"),
    "Co., Ltd.": ("Company Limited", "Co. Ltd", "Limited"),
    "FZE": ("FZCO", "FZ LLC", "LLC"),
    "FZCO": ("FZE", "FZ-LLC"),
    "Ltd. Sti.": ("Limited Sirketi", "Ltd."),
    "A.S.": ("Anonim Sirketi", "AS"),
    "GmbH": ("mbH", "Gesellschaft mbH"),
}
"""Ways of writing the same legal form; anything missing here falls back to dropping it."""

_CYRILLIC_LETTERS = (
    ("shch", "SHCHA"), ("kh", "HA"), ("ts", "TSE"), ("ch", "CHE"), ("sh", "SHA"),
    ("yu", "YU"), ("ya", "YA"), ("yo", "IO"), ("zh", "ZHE"), ("a", "A"), ("b", "BE"),
    ("v", "VE"), ("g", "GHE"), ("d", "DE"), ("e", "IE"), ("z", "ZE"), ("i", "I"),
    ("y", "SHORT I"), ("k", "KA"), ("l", "EL"), ("m", "EM"), ("n", "EN"), ("o", "O"),
    ("p", "PE"), ("r", "ER"), ("s", "ES"), ("t", "TE"), ("u", "U"), ("f", "EF"), ("c", "KA"),
    ("h", "HA"), ("w", "VE"), ("q", "KA"), ("j", "ZHE"),
)  # fmt: skip
"""Latin spellings and the Unicode names of the Cyrillic letters they stand for, longest first."""
CYRILLIC_PREFIX_FORMS = frozenset({"OOO", "AO", "TOO", "OsOO", "ODO"})
_LATIN_SPELLINGS = (
    ("kh", "h"), ("Kh", "H"), ("ks", "x"), ("ts", "tz"), ("k", "c"), ("y", "i"), ("v", "w"),
    ("iy", "y"), ("ph", "f"), ("c", "k"), ("i", "y"), ("ou", "u"), ("sh", "sch"), ("j", "zh"),
)  # fmt: skip

# fmt: off
_STEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cis": (
        ("Tekhno", "Elektro", "Radio", "Mikro", "Avia", "Energo", "Prom", "Snab", "Stroy",
         "Neva", "Ural", "Sibir", "Altyn", "Evro", "Aziya", "Kvant", "Vektor", "Impuls",
         "Signal", "Kontakt", "Resurs", "Optima", "Lider", "Alfa", "Sigma", "Orion", "Granit",
         "Zenit", "Kristall", "Polyus", "Sever", "Vostok", "Meridian", "Format", "Status",
         "Region", "Profi", "Ararat", "Tengri", "Samruk"),
        ("prom", "tekh", "servis", "komplekt", "snab", "tron", "lab", "sistem", "treyd",
         "invest", "layn", "kom", "ekspert", "pribor", "detal", "soyuz", "resurs", "logistik",
         "impeks", "stal"),
    ),
    "tr": (
        ("Anadolu", "Bosfor", "Ege", "Marmara", "Ozkan", "Yildiz", "Aydin", "Demir", "Kaya",
         "Akdeniz", "Gunes", "Atlas", "Delta", "Kuzey", "Toros", "Efes", "Kartal", "Sahin",
         "Tekin", "Ozturk", "Erdem", "Poyraz", "Mavi", "Yesil"),
        ("", "tek", "san", "tas", "el", "er", "can", "han"),
    ),
    "cn": (
        ("Huaxin", "Jinlong", "Tianyu", "Hengtai", "Xinda", "Zhongke", "Ruifeng", "Kaixin",
         "Hongda", "Weiye", "Baoli", "Shengda", "Yuanhang", "Dingsheng", "Jiahe", "Haoyun",
         "Xinghe", "Longteng", "Mingyang", "Sinotech", "Huayang", "Fuda", "Tongda", "Wanfeng"),
        ("", "", "tong", "xin", "da", "sheng", "tai", "feng"),
    ),
    "ae": (
        ("Al Noor", "Al Safa", "Gulf Star", "Emirates Link", "Falcon", "Desert Rose",
         "Al Manar", "Oasis", "Horizon", "Al Baraka", "Silver Sands", "Blue Ocean",
         "Royal Crown", "Al Fajr", "Golden Gate", "Crescent", "Al Rawda", "Pearl", "Al Waha",
         "Sapphire", "Zahrat", "Al Khaleej"),
        ("",),
    ),
    "generic": (
        ("Nova", "Prime", "Global", "Vertex", "Orion", "Apex", "Zenith", "Stellar", "Nexus",
         "Quantum", "Vector", "Summit", "Atlas", "Pioneer", "Meridian", "Polar", "Crystal",
         "Omega", "Sigma", "Titan", "Vista", "Fusion", "Astra", "Bright", "North", "Blue",
         "Green", "Silver", "Iron", "Rapid", "Smart", "Core", "Alpha", "Delta", "Unity",
         "Optima", "Sun", "Star", "Micro", "Inter"),
        ("tek", "tronic", "tron", "com", "link", "soft", "tech", "wave", "line", "net", "sys",
         "matic", "star", "gen", "flex", "point", "logic", "source", "path", "bridge"),
    ),
}

_ACTIVITIES: dict[str, dict[str, tuple[str, ...]]] = {
    "english": {
        "manufacturer": ("Electronics", "Industries", "Engineering", "Manufacturing",
                         "Technologies", "Systems", "Devices", "Instruments"),
        "distributor": ("Components", "Distribution", "Supply", "Electronics", "Solutions",
                        "Technology", "Parts"),
        "trading_house": ("Trading", "Trade", "Import Export", "International", "Commerce",
                          "Holding", "General Trading", "Group"),
        "freight_forwarder": ("Logistics", "Cargo", "Freight", "Shipping", "Express",
                              "Forwarding", "Transport"),
        "it": ("Software", "Labs", "Digital", "IT Solutions", "Systems", "Data"),
    },
    "cis": {
        "manufacturer": ("Zavod", "Proizvodstvo", "Elektronika", "Tekhnologii", ""),
        "distributor": ("Komponent", "Postavka", "Elektronika", "Snabzhenie", ""),
        "trading_house": ("Treyd", "Torgovyy Dom", "Impeks", "Invest", ""),
        "freight_forwarder": ("Logistik", "Trans", "Kargo", "Ekspress", "Ekspeditsiya"),
        "it": ("Soft", "Lab", "Tsifra", "IT", "Sistemy"),
    },
    "tr": {
        "manufacturer": ("Elektronik Sanayi", "Makina Sanayi", "Endustri", "Otomasyon"),
        "distributor": ("Elektronik", "Teknoloji", "Bilisim", "Elektrik Malzemeleri"),
        "trading_house": ("Dis Ticaret", "Ithalat Ihracat", "Ticaret", "Uluslararasi Ticaret"),
        "freight_forwarder": ("Lojistik", "Tasimacilik", "Nakliyat", "Kargo"),
        "it": ("Yazilim", "Bilisim", "Teknoloji"),
    },
}
# fmt: on

_FLAVOURS = {
    **dict.fromkeys(("RU", "BY", "KZ", "KG", "UZ", "TJ", "AM", "GE", "AZ", "MN"), "cis"),
    "TR": "tr",
    **dict.fromkeys(("CN", "HK", "MO", "TW"), "cn"),
    "AE": "ae",
}


@dataclass(frozen=True)
class CompanyName:
    """A company name in parts; ``text`` is how it is written on a document."""

    stem: str
    activity: str
    form: str
    country: str
    quoted: bool = False
    prefix_form: bool = False
    upper: bool = False

    @property
    def text(self) -> str:
        core = f"{self.stem} {self.activity}".strip()
        if self.quoted:
            core = f'"{core}"'
        if not self.form:
            name = core
        elif self.prefix_form:
            name = f"{self.form} {core}"
        else:
            name = f"{core} {self.form}"
        return name.upper() if self.upper else name


def flavour(country: str) -> str:
    return _FLAVOURS.get(country, "generic")


def legal_forms(country: str) -> tuple[str, ...]:
    return _LEGAL_FORMS.get(country, ("Ltd",))


def _stem(rng: np.random.Generator, style: str) -> str:
    first, second = _STEMS[style]
    head = str(first[rng.integers(len(first))])
    tail = str(second[rng.integers(len(second))])
    if style == "generic" and rng.random() < 0.35:
        return f"{head} {tail.capitalize()}"
    if style == "cis" and rng.random() < 0.25:
        return f"{head}-{tail.capitalize()}"
    return head + tail


def _activity(rng: np.random.Generator, style: str, kind: str) -> str:
    language = style if style in _ACTIVITIES and rng.random() < 0.6 else "english"
    words = _ACTIVITIES[language].get(kind, _ACTIVITIES[language]["distributor"])
    return str(words[rng.integers(len(words))])


def company_name(rng: np.random.Generator, country: str, kind: str) -> CompanyName:
    """A plausible company name for ``country`` and business type ``kind``."""
    style = flavour(country)
    stem = _stem(rng, style)
    activity = _activity(rng, style, kind)
    forms = legal_forms(country)
    form = str(forms[rng.integers(len(forms))])
    if style == "cn" and country == "CN":
        city = place(country).cities
        stem = f"{city[rng.integers(len(city))]} {stem}"
    if country == "HK" and rng.random() < 0.3:
        activity = f"{activity} (HK)".strip()
    prefix = form in PREFIX_FORMS
    quoted = prefix and rng.random() < 0.5
    return CompanyName(stem, activity, form, country, quoted=quoted, prefix_form=prefix)


def name_key(name: CompanyName) -> str:
    """What makes two names the same for uniqueness: the normalised text."""
    return normalise_name(name.text)


def unique_company_names(
    rng: np.random.Generator, countries: list[str], kinds: list[str], taken: set[str]
) -> list[CompanyName]:
    """One name per (country, kind), unique against ``taken`` (``name_key`` values), which is
    updated in place."""
    names = []
    for country, kind in zip(countries, kinds, strict=True):
        for attempt in range(50):
            name = company_name(rng, country, kind)
            if attempt > 20:
                name = replace(name, stem=f"{name.stem} {_ROMAN[attempt % len(_ROMAN)]}")
            key = name_key(name)
            if key not in taken:
                break
        taken.add(key)
        names.append(name)
    return names


_ROMAN = ("II", "III", "IV", "Plus", "Pro", "Nord", "Sud", "East", "West")


@cache
def _cyrillic() -> tuple[tuple[str, str, str], ...]:
    """(latin, lower-case Cyrillic, capitalised Cyrillic) for each letter group."""
    table = []
    for latin, letter in _CYRILLIC_LETTERS:
        lower = unicodedata.lookup(f"CYRILLIC SMALL LETTER {letter}")
        table.append((latin, lower, lower.upper()))
    return tuple(table)


def _to_cyrillic(text: str) -> str:
    """Render a Latin transliteration in Cyrillic letters (``Tekhno`` -> Cyrillic Tekhno)."""
    out, i, lower = [], 0, text.lower()
    while i < len(text):
        for latin, small, capital in _cyrillic():
            if lower.startswith(latin, i):
                out.append(capital if text[i].isupper() else small)
                i += len(latin)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _respell(rng: np.random.Generator, text: str) -> str:
    options = [(a, b) for a, b in _LATIN_SPELLINGS if a in text]
    if not options:
        return text
    latin, other = options[rng.integers(len(options))]
    return text.replace(latin, other, 1)


def _typo(rng: np.random.Generator, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text + text[-1]
    i = letters[rng.integers(1, len(letters) - 1)]
    kind = rng.integers(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _transliterate(rng: np.random.Generator, name: CompanyName) -> CompanyName:
    if flavour(name.country) == "cis" and rng.random() < 0.5:
        prefix = name.form in CYRILLIC_PREFIX_FORMS
        return replace(
            name,
            stem=_to_cyrillic(name.stem),
            activity=_to_cyrillic(name.activity),
            form=_to_cyrillic(name.form) if prefix else name.form,
            prefix_form=prefix or name.prefix_form,
        )
    return replace(name, stem=_respell(rng, name.stem))


def _change_form(rng: np.random.Generator, name: CompanyName) -> CompanyName:
    options = _FORM_EQUIVALENTS.get(name.form, ("",))
    form = str(options[rng.integers(len(options))])
    return replace(name, form=form, prefix_form=form in PREFIX_FORMS, quoted=name.quoted)


def _reorder(rng: np.random.Generator, name: CompanyName) -> CompanyName:
    if name.form in PREFIX_FORMS or name.prefix_form:
        return replace(name, prefix_form=not name.prefix_form, quoted=False)
    words = f"{name.stem} {name.activity}".split()
    if len(words) < 2:
        return replace(name, prefix_form=bool(name.form), quoted=False)
    i = int(rng.integers(len(words) - 1))
    words[i], words[i + 1] = words[i + 1], words[i]
    return replace(name, stem=" ".join(words), activity="")


def _restyle(rng: np.random.Generator, name: CompanyName) -> CompanyName:
    choice = rng.integers(3)
    if choice == 0:
        return replace(name, upper=not name.upper)
    if choice == 1 and name.activity:
        return replace(name, stem=f"{name.stem}-{name.activity}", activity="")
    if "-" in name.stem or " " in name.stem:
        return replace(name, stem=name.stem.replace("-", " ").replace(" ", "", 1))
    return replace(name, quoted=not name.quoted)


VARIANT_KINDS = ("transliteration", "legal_form", "typo", "word_order", "spelling")
_VARIANTS = {
    "transliteration": _transliterate,
    "legal_form": _change_form,
    "typo": lambda rng, name: replace(name, stem=_typo(rng, name.stem)),
    "word_order": _reorder,
    "spelling": _restyle,
}


def name_variant(
    rng: np.random.Generator, name: CompanyName, kind: str | None = None
) -> CompanyName:
    """A variant of ``name`` that differs in writing but names the same company.

    ``kind`` is one of ``VARIANT_KINDS`` (random when None); if it leaves the text unchanged a
    typo is added so the variant always differs.
    """
    kind = kind or VARIANT_KINDS[rng.integers(len(VARIANT_KINDS))]
    variant = _VARIANTS[kind](rng, name)
    if variant.text == name.text:
        variant = replace(variant, stem=_typo(rng, variant.stem))
    return variant


def address(rng: np.random.Generator, country: str) -> str:
    """A street address (without the country) in the local style of ``country``."""
    where = place(country)
    city = str(where.cities[rng.integers(len(where.cities))])
    street = str(where.streets[rng.integers(len(where.streets))]) if where.streets else ""
    number = int(rng.integers(1, 300))
    office = int(rng.integers(1, 80))
    if where.style == "cis":
        kind = "pr." if rng.random() < 0.25 else "ul."
        return f"{kind} {street}, {number}, of. {office}, {city}"
    if where.style == "tr":
        return f"{street} Cad. No:{number} D:{office}, {city}"
    if where.style == "ae":
        building = str(where.districts[rng.integers(len(where.districts))])
        return f"Office {100 * int(rng.integers(1, 40)) + office}, {building}, {street}, {city}"
    if where.style == "hk":
        district = str(where.districts[rng.integers(len(where.districts))])
        floor = int(rng.integers(2, 30))
        return f"Room {floor}{office:02d}, {floor}/F, {number} {street}, {district}, {city}"
    if where.style == "cn":
        districts = where.city_districts[city]
        district = str(districts[rng.integers(len(districts))])
        return (
            f"Room {int(rng.integers(1, 30))}{office:02d}, Building {int(rng.integers(1, 12))}, "
            f"No. {number} {street}, {district}, {city}"
        )
    if where.style == "number_first":
        return f"{number} {street}, Unit {office}, {city}"
    postcode = int(rng.integers(10_000, 99_999))
    return f"{street} {number}, {postcode} {city}"


def with_other_office(rng: np.random.Generator, text: str) -> str:
    """The same building with another office or room number (a mass-registration address)."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return text
    i = digits[0]
    j = i
    while j < len(text) and text[j].isdigit():
        j += 1
    return f"{text[:i]}{int(rng.integers(1, 99))}{text[j:]}"


def registry_id(rng: np.random.Generator, country: str, serial: int) -> str:
    """A registry-style company id, unique through ``serial``."""
    number = int(rng.integers(10**5, 10**6)) * 10**6 + serial
    return f"{country}-{number:012d}"


def exporter_id(rng: np.random.Generator, country: str, serial: int) -> str:
    """An EORI / EIN / national-number style exporter id, unique through ``serial``."""
    tail = f"{serial:06d}"
    lead = int(rng.integers(10**3, 10**4))
    if country == "US":
        digits = f"{lead}{tail[-5:]}"
        return f"{digits[:2]}-{digits[2:]}"
    if country == "JP":
        return f"{int(rng.integers(10**6, 10**7))}{tail}"
    if country == "KR":
        digits = f"{lead}{tail}"
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    if country == "TW":
        return f"{int(rng.integers(10, 100))}{tail}"
    if country == "CH":
        digits = f"{lead % 1000:03d}{tail}"
        return f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    if country == "CA":
        return f"{int(rng.integers(100, 1000))}{tail}RM0001"
    if country == "GB":
        return f"GB{lead}{int(rng.integers(10, 100))}{tail}"
    return f"{country}{lead}{tail}"
