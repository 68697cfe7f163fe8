"""Countries as the simulator sees them: trade shares, cities, streets and address styles."""

from __future__ import annotations

from dataclasses import dataclass, field

# fmt: off
EXPORTER_COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 0.30, "DE": 0.12, "JP": 0.08, "CH": 0.05, "GB": 0.05, "NL": 0.05, "FR": 0.05,
    "IT": 0.05, "KR": 0.04, "TW": 0.04, "SE": 0.02, "AT": 0.02, "FI": 0.015, "BE": 0.015,
    "CZ": 0.015, "PL": 0.015, "ES": 0.015, "DK": 0.01, "IE": 0.01, "CA": 0.015, "NO": 0.005,
    "HU": 0.005,
}
"""Exporters' countries. US-made parts are 72 % of foreign components found in Russian weapons,
then CH 6 %, JP 5 %, and DE, NL, GB, TW 1-3 % each (KSE/NACP) [secondary]; flattened towards the
EU because the records also cover non-dual-use trade [inference]."""

CONSIGNEE_BASELINE_SHARES: dict[str, float] = {
    # partners (EU Annex VIII / US Supp. 3)
    "US": 10.0, "DE": 6.0, "FR": 3.0, "IT": 3.0, "NL": 3.0, "GB": 4.0, "JP": 3.5, "KR": 2.5,
    "CH": 1.5, "PL": 1.8, "ES": 1.8, "BE": 1.2, "SE": 1.0, "AT": 1.0, "CZ": 1.0, "CA": 2.0,
    "AU": 1.3, "NO": 0.5, "DK": 0.5, "FI": 0.5, "IE": 0.5, "HU": 0.5, "RO": 0.5, "PT": 0.4,
    "SK": 0.3, "SI": 0.2, "BG": 0.3, "HR": 0.2, "LT": 0.3, "LV": 0.2, "EE": 0.2, "GR": 0.3,
    "LU": 0.1, "CY": 0.1, "MT": 0.05, "IS": 0.03, "NZ": 0.3, "LI": 0.02,
    # named hubs and supply nodes
    "CN": 8.0, "HK": 3.0, "TR": 4.0, "AE": 3.0, "IN": 3.0, "SG": 2.0, "TW": 1.5, "MY": 1.2,
    "TH": 1.0, "VN": 1.0, "IL": 1.0, "MX": 2.0, "BR": 1.5, "ZA": 0.8, "RS": 0.5, "KZ": 1.0,
    "UZ": 0.5, "KG": 0.3, "AM": 0.4, "GE": 0.4, "TJ": 0.08, "MN": 0.12, "AZ": 0.3,
    "MO": 0.05, "NI": 0.04,
    # targets, before the invasion
    "RU": 5.0, "BY": 0.8,
    # other neutral markets
    "SA": 1.0, "EG": 0.6, "ID": 0.8, "PH": 0.6, "CL": 0.4, "AR": 0.4, "CO": 0.4, "MA": 0.4,
    "NG": 0.3, "PK": 0.3, "QA": 0.3, "PE": 0.2, "KE": 0.2, "OM": 0.2, "JO": 0.1,
}
"""Pre-invasion share of shipments by consignee country (percent). Russia's weight reflects EU
exports of about EUR 89bn in 2021 (derived from Eric Dor's -38 % / -EUR 34bn) [secondary]; the
rest is [inference], with small Central Asian markets enlarged so they can be measured."""

REEXPORTER_COUNTRIES: dict[str, float] = {
    "HK": 0.30, "AE": 0.20, "CN": 0.15, "SG": 0.10, "TR": 0.10, "IN": 0.05, "MY": 0.05,
    "AM": 0.025, "KZ": 0.025,
}  # fmt: skip
"""Where the distributors sit that re-export Western-brand stock: about 75 % of 2022's large
semiconductor shipments to Russia left from Hong Kong or mainland China (Nikkei, in
``domain-facts.md`` §4.1) [secondary]; the other shares are [inference]."""

DISTRIBUTOR_ORIGINS: dict[str, float] = {
    "US": 0.35, "DE": 0.12, "JP": 0.10, "CN": 0.10, "TW": 0.06, "KR": 0.05, "MY": 0.05,
    "CH": 0.04, "GB": 0.04, "FR": 0.03, "IT": 0.03, "NL": 0.03,
}
"""Country of manufacture of goods sold by distributors [inference]."""

SUBSIDIARY_ORIGINS: tuple[str, ...] = ("MY", "PH", "TH", "CN", "MX", "VN", "TW", "CZ", "PL", "HU")
"""Where manufacturers' foreign plants are (61 % of battlefield goods made in third countries,
KSE) [secondary]."""

DIVERSION_PAYER_COUNTRIES: dict[str, float] = {
    "AE": 0.25, "HK": 0.2, "TR": 0.12, "CN": 0.12, "KZ": 0.08, "AM": 0.06, "KG": 0.05,
    "SG": 0.04, "SC": 0.04, "VG": 0.04,
}
"""Third countries paying for diverted goods (F22/T23: payment from a third country) [inference
for the shares; SC and VG stand for offshore shells]."""
# fmt: on

EU_MEMBERS: frozenset[str] = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})  # fmt: skip
"""EU-27: their exporters declare 8-digit CN codes."""

EUROPE: frozenset[str] = EU_MEMBERS | {"GB", "CH", "NO", "IS", "LI"}
"""Exporters here reach Central Asia and the Caucasus by road or rail."""

CENTRAL_ASIA: frozenset[str] = frozenset({"KZ", "KG", "UZ", "TJ", "MN"})
CAUCASUS: frozenset[str] = frozenset({"AM", "GE", "AZ"})

NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "AE": ("OM", "SA", "QA", "IN"),
    "HK": ("CN", "MO", "SG"),
    "CN": ("HK", "VN", "MN"),
    "TR": ("GE", "AZ", "RS"),
    "KZ": ("KG", "UZ"),
    "KG": ("KZ", "UZ", "TJ"),
    "UZ": ("KZ", "TJ", "KG"),
    "AM": ("GE",),
    "GE": ("AM", "AZ", "TR"),
    "SG": ("MY", "ID", "TH"),
    "MY": ("SG", "TH", "ID"),
    "NL": ("DE", "BE"),
    "BE": ("NL", "FR", "DE"),
    "DE": ("AT", "PL", "CZ", "NL"),
    "US": ("CA", "MX"),
    "IN": ("AE", "SG"),
    "RS": ("HR", "HU", "BG"),
}
"""Legitimate 'destination differs from consignee country' cases go to a neighbour."""

DIVERSION_DESTINATIONS: tuple[str, ...] = ("KZ", "KG", "AM", "UZ", "GE", "TJ", "AE", "TR")
"""Declared destinations when a diverter's destination differs from its own country."""


@dataclass(frozen=True)
class Place:
    """How addresses in one country look."""

    cities: tuple[str, ...]
    style: str
    streets: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    city_districts: dict[str, tuple[str, ...]] = field(default_factory=dict)


_CIS_STREETS: dict[str, tuple[str, ...]] = {
    "RU": ("Leninskiy", "Profsoyuznaya", "Sadovaya", "Mira", "Gagarina", "Sovetskaya"),
    "BY": ("Nezavisimosti", "Pobediteley", "Surganova", "Sovetskaya"),
    "KZ": ("Abaya", "Dostyk", "Tole Bi", "Furmanova", "Al-Farabi", "Kabanbay Batyr"),
    "KG": ("Chuy", "Manasa", "Kievskaya", "Toktogula", "Ibraimova"),
    "UZ": ("Amira Temura", "Navoi", "Shota Rustaveli", "Mustakillik"),
    "TJ": ("Rudaki", "Ismoili Somoni", "Ayni"),
    "AM": ("Mashtotsa", "Baghramyana", "Tigran Mets", "Abovyana"),
    "GE": ("Rustaveli", "Chavchavadze", "Aghmashenebeli", "Kazbegi"),
    "AZ": ("Nizami", "Neftchilar", "Bulbul", "Azadlig"),
}
_TR_STREETS = (
    "Ataturk", "Cumhuriyet", "Istiklal", "Buyukdere", "Bagdat", "Inonu", "Barbaros",
    "Halaskargazi", "Fevzi Cakmak", "Gazi Mustafa Kemal",
)  # fmt: skip
_AE_BUILDINGS = (
    "Al Saqr Business Tower", "Prime Tower", "Gold Crest Executive", "Al Attar Business Centre",
    "Citadel Tower", "Business Bay Plaza", "SAIF Zone Q1", "Jafza One", "Mazaya Centre",
    "Clover Bay Tower",
)  # fmt: skip
_AE_STREETS = ("Sheikh Zayed Road", "Al Maktoum Road", "Business Bay", "Port Saeed", "Al Garhoud")
_HK_STREETS = (
    "Nathan Road", "Des Voeux Road Central", "Hennessy Road", "Hoi Bun Road", "Wing Lok Street",
    "Connaught Road Central", "Canton Road", "Queen's Road Central", "Bonham Strand",
    "Lockhart Road",
)  # fmt: skip
_HK_DISTRICTS = ("Kowloon", "Sheung Wan", "Wan Chai", "Kwun Tong", "Tsim Sha Tsui", "Mong Kok")
_CN_STREETS = (
    "Huaqiang North Road", "Shennan Avenue", "Zhangjiang Road", "Keyuan Road", "Tianhe Road",
    "Jinqiao Road", "Zhongguancun Street", "Xinhua Road",
)  # fmt: skip
_CN_DISTRICTS: dict[str, tuple[str, ...]] = {
    "Shenzhen": ("Futian District", "Nanshan District", "Longhua District"),
    "Shanghai": ("Pudong New Area", "Minhang District", "Xuhui District"),
    "Beijing": ("Haidian District", "Chaoyang District"),
    "Guangzhou": ("Tianhe District", "Huangpu District"),
    "Suzhou": ("Suzhou Industrial Park", "Wuzhong District"),
    "Xiamen": ("Siming District", "Huli District"),
    "Taipei": ("Neihu District", "Xinyi District"),
    "Hsinchu": ("East District", "Zhubei"),
    "Taichung": ("Xitun District", "Nantun District"),
}
_DE_STREETS = (
    "Industriestrasse", "Hauptstrasse", "Bahnhofstrasse", "Gewerbepark", "Lindenweg",
    "Schillerstrasse", "Am Technologiepark",
)  # fmt: skip
_GENERIC_STREETS = (
    "Industrial Road", "Technology Park", "Commerce Street", "Harbour Road", "Airport Road",
    "Station Road", "Central Avenue", "Science Park", "Enterprise Way", "Market Street",
)  # fmt: skip

# fmt: off
_CITIES: dict[str, tuple[str, ...]] = {
    "RU": ("Moscow", "Saint Petersburg", "Yekaterinburg", "Novosibirsk", "Kazan"),
    "BY": ("Minsk", "Brest", "Gomel"), "KZ": ("Almaty", "Astana", "Shymkent", "Karaganda"),
    "KG": ("Bishkek", "Osh"), "UZ": ("Tashkent", "Samarkand", "Namangan"),
    "TJ": ("Dushanbe", "Khujand"), "AM": ("Yerevan", "Gyumri"),
    "GE": ("Tbilisi", "Batumi", "Kutaisi"), "AZ": ("Baku", "Ganja"), "MN": ("Ulaanbaatar",),
    "TR": ("Istanbul", "Ankara", "Izmir", "Bursa", "Mersin"),
    "AE": ("Dubai", "Sharjah", "Abu Dhabi", "Ajman"), "HK": ("Hong Kong",), "MO": ("Macau",),
    "CN": ("Shenzhen", "Shanghai", "Beijing", "Guangzhou", "Suzhou", "Xiamen"),
    "TW": ("Taipei", "Hsinchu", "Taichung"), "IN": ("Mumbai", "Bengaluru", "New Delhi", "Pune"),
    "SG": ("Singapore",), "MY": ("Kuala Lumpur", "Penang", "Johor Bahru"),
    "TH": ("Bangkok", "Chonburi"), "VN": ("Ho Chi Minh City", "Hanoi", "Hai Phong"),
    "IL": ("Tel Aviv", "Haifa", "Petah Tikva"), "RS": ("Belgrade", "Novi Sad"),
    "BR": ("Sao Paulo", "Campinas", "Rio de Janeiro"),
    "MX": ("Mexico City", "Monterrey", "Guadalajara"), "ZA": ("Johannesburg", "Cape Town"),
    "NI": ("Managua",), "US": ("New York", "San Jose", "Austin", "Chicago", "Houston", "Boston"),
    "DE": ("Munich", "Berlin", "Hamburg", "Stuttgart", "Frankfurt"),
    "FR": ("Paris", "Lyon", "Toulouse"), "IT": ("Milan", "Turin", "Bologna"),
    "NL": ("Eindhoven", "Rotterdam", "Amsterdam"), "GB": ("London", "Manchester", "Cambridge"),
    "JP": ("Tokyo", "Osaka", "Nagoya"), "KR": ("Seoul", "Suwon", "Busan"),
    "CH": ("Zurich", "Geneva", "Basel"), "PL": ("Warsaw", "Wroclaw"),
    "ES": ("Madrid", "Barcelona"), "BE": ("Brussels", "Antwerp"),
    "SE": ("Stockholm", "Gothenburg"), "AT": ("Vienna", "Linz"), "CZ": ("Prague", "Brno"),
    "CA": ("Toronto", "Montreal", "Vancouver"), "AU": ("Sydney", "Melbourne"),
    "NO": ("Oslo",), "DK": ("Copenhagen",), "FI": ("Helsinki", "Tampere"),
    "IE": ("Dublin", "Cork"), "HU": ("Budapest",), "RO": ("Bucharest", "Cluj-Napoca"),
    "PT": ("Lisbon", "Porto"), "SK": ("Bratislava",), "SI": ("Ljubljana",),
    "BG": ("Sofia", "Plovdiv"), "HR": ("Zagreb",), "LT": ("Vilnius", "Kaunas"),
    "LV": ("Riga",), "EE": ("Tallinn",), "GR": ("Athens", "Thessaloniki"),
    "LU": ("Luxembourg",), "CY": ("Limassol", "Nicosia"), "MT": ("Valletta",),
    "IS": ("Reykjavik",), "LI": ("Vaduz",), "NZ": ("Auckland",),
    "SA": ("Riyadh", "Jeddah"), "EG": ("Cairo", "Alexandria"), "ID": ("Jakarta", "Surabaya"),
    "PH": ("Manila",), "CL": ("Santiago",), "AR": ("Buenos Aires",), "CO": ("Bogota",),
    "MA": ("Casablanca",), "NG": ("Lagos",), "PK": ("Karachi",), "QA": ("Doha",),
    "OM": ("Muscat",), "PE": ("Lima",), "KE": ("Nairobi",), "JO": ("Amman",),
    "SC": ("Victoria",), "VG": ("Road Town",), "IR": ("Tehran", "Isfahan"),
}
# fmt: on

_CIS = frozenset({"RU", "BY", "KZ", "KG", "UZ", "TJ", "AM", "GE", "AZ"})
_GERMANIC = frozenset({"DE", "AT", "CH", "LI"})
_NUMBER_FIRST = frozenset({
    "US", "GB", "CA", "AU", "NZ", "IE", "IN", "SG", "MY", "ZA", "IL", "TH", "VN", "ID", "PH",
    "NG", "KE", "PK", "SA", "QA", "OM", "EG", "JO",
})  # fmt: skip


def place(country: str) -> Place:
    """Address conventions of ``country`` (a generic style where none is specific)."""
    cities = _CITIES[country]
    if country in _CIS:
        return Place(cities, "cis", _CIS_STREETS[country])
    if country == "TR":
        return Place(cities, "tr", _TR_STREETS)
    if country == "AE":
        return Place(cities, "ae", _AE_STREETS, _AE_BUILDINGS)
    if country in ("HK", "MO"):
        return Place(cities, "hk", _HK_STREETS, _HK_DISTRICTS)
    if country in ("CN", "TW"):
        return Place(cities, "cn", _CN_STREETS, city_districts=_CN_DISTRICTS)
    if country in _GERMANIC:
        return Place(cities, "europe", _DE_STREETS)
    if country in _NUMBER_FIRST:
        return Place(cities, "number_first", _GENERIC_STREETS)
    return Place(cities, "europe", _GENERIC_STREETS)


def known_countries() -> frozenset[str]:
    """Every country the simulator can put in a record."""
    return frozenset(_CITIES)
