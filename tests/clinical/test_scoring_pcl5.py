"""PCL-5: total, clusters B-E, the total cut-off and the DSM-5 provisional-diagnosis rule."""

from kapstone.clinical import score


def pcl5(**rated: int) -> dict[int, int]:
    """All 20 items 0, except those given as i<number>=value."""
    values = dict.fromkeys(range(1, 21), 0)
    values.update({int(k[1:]): v for k, v in rated.items()})
    return values


def test_clusters_are_the_sums_of_their_items():
    # B = 1+2+3+4+0 = 10; C = 4+1 = 5; D = 2+2+0+0+0+0+1 = 5; E = 0+0+0+0+3+4 = 7; total 27.
    result = score("pcl5", pcl5(i1=1, i2=2, i3=3, i4=4, i6=4, i7=1, i8=2, i9=2, i14=1, i19=3, i20=4))
    assert result.subscales == {"cluster_b": 10, "cluster_c": 5, "cluster_d": 5, "cluster_e": 7}
    assert result.total == 27


def test_there_are_no_severity_bands():
    result = score("pcl5", pcl5(i1=4, i2=4))
    assert (result.band, result.severity) == (None, None)


def test_positive_screen_at_33_not_32():
    # Items 1-8 at 4 = 32; adding item 9 at 1 makes 33.
    at_32 = score("pcl5", pcl5(**{f"i{n}": 4 for n in range(1, 9)}))
    at_33 = score("pcl5", pcl5(i9=1, **{f"i{n}": 4 for n in range(1, 9)}))
    assert (at_32.total, at_32.positive_screen) == (32, False)
    assert (at_33.total, at_33.positive_screen) == (33, True)


def test_dsm5_rule_met_with_the_minimum_symptoms_even_below_the_cut_off():
    # One B, one C, two D and two E items rated 2: the rule holds with a total of only 12.
    result = score("pcl5", pcl5(i1=2, i6=2, i8=2, i9=2, i15=2, i16=2))
    assert result.total == 12
    assert result.indicators == {"dsm5_provisional_diagnosis": True}
    assert result.positive_screen is False


def test_dsm5_rule_needs_two_cluster_d_symptoms():
    result = score("pcl5", pcl5(i1=2, i6=2, i8=2, i9=1, i15=2, i16=2))
    assert result.indicators["dsm5_provisional_diagnosis"] is False


def test_dsm5_rule_needs_two_cluster_e_symptoms():
    result = score("pcl5", pcl5(i1=2, i6=2, i8=2, i9=2, i15=2, i16=1))
    assert result.indicators["dsm5_provisional_diagnosis"] is False


def test_dsm5_rule_needs_a_cluster_c_symptom():
    result = score("pcl5", pcl5(i1=4, i2=4, i8=2, i9=2, i15=2, i16=2))
    assert result.indicators["dsm5_provisional_diagnosis"] is False


def test_dsm5_rule_counts_ratings_of_2_or_more_only():
    # Every item at 1 ("a little bit"): total 20 but no item counts as a symptom.
    result = score("pcl5", dict.fromkeys(range(1, 21), 1))
    assert result.total == 20
    assert result.indicators["dsm5_provisional_diagnosis"] is False
