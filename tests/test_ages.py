import numpy as np
import pytest

from forecast.ages import AgeBand, ages_in_band, band_matrix, coverage, parse_band, parse_bands
from forecast.errors import SpecError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text, lo, hi",
    [
        ("65-69", 65, 69),
        ("65 - 69", 65, 69),
        ("65–69", 65, 69),
        ("65 to 69", 65, 69),
        ("90+", 90, None),
        ("90 and over", 90, None),
        ("65 and over", 65, None),
        ("85 plus", 85, None),
        ("Aged 85 and older", 85, None),
        ("All ages", 0, None),
        ("all", 0, None),
        ("under 5", 0, 4),
        ("45", 45, 45),
        (45, 45, 45),
    ],
)
def test_parse_band_forms(text, lo, hi):
    assert parse_band(text) == AgeBand(lo, hi)


@pytest.mark.parametrize("text", ["", "sixty", "69-65", "65-", "-5", "65++", None, 6.5])
def test_parse_band_rejects(text):
    with pytest.raises(SpecError):
        parse_band(text)


def test_labels_round_trip():
    for label in ["65-69", "90+", "all ages", "45"]:
        assert parse_band(label).label == label


def test_parse_bands_comma_string_and_order_kept():
    assert [b.label for b in parse_bands("75-84, 65-74,85+")] == ["75-84", "65-74", "85+"]


def test_overlap_rejected():
    with pytest.raises(SpecError, match="65-74 and 70-79 overlap"):
        parse_bands(["65-74", "70-79"])
    with pytest.raises(SpecError, match="overlap"):
        parse_bands(["85+", "90-94"])


def test_gap_rejected_only_when_cover_required():
    assert len(parse_bands(["65-69", "75-79"])) == 2
    with pytest.raises(SpecError, match=r"gap between age bands 65-69 and 75-79 \(ages 70-74 missing\)"):
        parse_bands(["65-69", "75-79"], contiguous=True)
    with pytest.raises(SpecError, match=r"\(age 70 missing\)"):
        parse_bands(["65-69", "71-79"], contiguous=True)


def test_coverage():
    assert coverage(parse_bands(["70-74", "65-69", "75+"])) == AgeBand(65, None)
    assert coverage(parse_bands(["30-34", "35-64"])) == AgeBand(30, 64)


def test_within_and_contains():
    assert AgeBand(65, 69).within(AgeBand(65, None))
    assert not AgeBand(60, 69).within(AgeBand(65, None))
    assert not AgeBand(65, None).within(AgeBand(30, 64))
    assert AgeBand(90, None).contains(104)


def test_ages_in_band_with_open_top():
    # cube ages 0..90, 90 = "90 and over"
    assert list(ages_in_band(AgeBand(85, 89), 90)) == [85, 86, 87, 88, 89]
    assert list(ages_in_band(AgeBand(85, None), 90)) == [85, 86, 87, 88, 89, 90]
    assert list(ages_in_band(AgeBand(90, None), 90)) == [90]
    with pytest.raises(SpecError, match="top age group is 90\\+"):
        ages_in_band(AgeBand(90, 94), 90)
    with pytest.raises(SpecError, match="starts above"):
        ages_in_band(AgeBand(95, None), 90)
    with pytest.raises(SpecError, match="cannot be formed"):
        ages_in_band(AgeBand(85, 94), 90)


def test_band_matrix_rows_sum_to_band_widths():
    m = band_matrix(parse_bands(["0-1", "2-4", "5+"]), range(8), 7)
    np.testing.assert_array_equal(m.sum(axis=1), [2, 3, 3])
    np.testing.assert_array_equal(m.sum(axis=0), [1] * 8)  # every age in exactly one band
