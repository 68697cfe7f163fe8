from collections import Counter
from pathlib import Path

import pytest

from seeds import SeedTableError, load_chpl, load_country_groups, seeds_version
from seeds.tables import CHPL_FILE, COUNTRIES_FILE, _package_file


def test_chpl_has_the_50_codes_of_the_february_2024_revision_by_tier():
    chpl = load_chpl()
    assert len(chpl.tier_by_hs6) == 50
    assert Counter(chpl.tier_by_hs6.values()) == {
        "1": 4, "2": 5, "3.A": 16, "3.B": 9, "4.A": 11, "4.B": 5
    }  # fmt: skip
    assert {code for code, tier in chpl.tier_by_hs6.items() if tier == "1"} == {
        "854231", "854232", "854233", "854239"
    }  # fmt: skip
    assert chpl.tier("848210") == "3.B"
    assert chpl.tier("300490") is None


def test_country_groups_hold_the_official_lists():
    groups = load_country_groups()
    assert groups.targets == {"RU", "BY"}
    assert groups["eaeu_member"] == {"RU", "BY", "AM", "KZ", "KG"}
    assert len(groups["us_supp3_part746_partner"]) == 37
    assert {"AM", "KZ", "KG", "TR", "AE", "HK", "CN"} <= groups.named_hubs
    assert not groups.named_hubs & groups.targets
    assert "DE" in groups.partners and "AM" not in groups.partners


def test_seeds_version_is_a_stable_short_hash():
    assert seeds_version() == seeds_version()
    assert len(seeds_version()) == 12
    int(seeds_version(), 16)


def _broken_copy(tmp_path: Path, name: str, line: int, new_text: str) -> Path:
    lines = _package_file(name).read_text(encoding="utf-8").splitlines()
    lines[line - 1] = new_text
    copy = tmp_path / name
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("line", "text", "message"),
    [
        (1, "code,tier,description,note", "chpl.csv: expected header"),
        (3, "854231,1,Duplicate,", "chpl.csv line 3: hs6 '854231' appears twice"),
        (4, "85423,1,Too short,", "chpl.csv line 4: hs6 must be 6 digits, found '85423'"),
        (5, "8542AB,1,Letters,", "chpl.csv line 5: hs6 must be 6 digits, found '8542AB'"),
        (6, "851762,5,Unknown tier,", "chpl.csv line 6: tier must be one of"),
        (7, "852691,2,,", "chpl.csv line 7: description of '852691' is empty"),
    ],
)
def test_a_malformed_chpl_row_is_named_by_file_and_line(tmp_path, line, text, message):
    with pytest.raises(SeedTableError, match=message):
        load_chpl(_broken_copy(tmp_path, CHPL_FILE, line, text))


@pytest.mark.parametrize(
    ("line", "text", "message"),
    [
        (2, "XX,Nowhere,0,0,0,0,0,0,0,0", "countries.csv line 2: iso2 must be an ISO 3166-1"),
        (3, "AE,Again,0,0,0,0,0,0,0,0", "countries.csv line 3: iso2 'AE' appears twice"),
        (4, "AT,Austria,0,0,0,0,0,0,2,1", "line 4: flag 'eu_annex_viii_partner' must be 0 or 1"),
        (1, "iso2,name,sanctions_target", "countries.csv: expected header"),
    ],
)
def test_a_malformed_country_row_is_named_by_file_and_line(tmp_path, line, text, message):
    with pytest.raises(SeedTableError, match=message):
        load_country_groups(_broken_copy(tmp_path, COUNTRIES_FILE, line, text))
