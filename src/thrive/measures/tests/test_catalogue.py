"""The catalogue is data: check it loads, is consistent and carries no item wording."""

import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest

from thrive.measures.engine import (
    InvalidConfiguration,
    get_catalogue,
    load_catalogue,
    score,
)
from thrive.measures.engine import reference_tables as ref

DATA = resources.files("thrive.measures").joinpath("data")
REQUIRED = {
    "phq9", "gad7", "rcads47_child", "rcads47_parent", "rcads25", "sdq_parent", "sdq_self",
    "gbo", "yp_core", "core10", "ors", "cors", "swemwbs", "chi_esq_parent", "collaborate",
    "current_view",
}  # fmt: skip


def raw_catalogue() -> dict:
    return json.loads(DATA.joinpath("catalogue.json").read_text(encoding="utf-8"))


def test_every_required_measure_is_catalogued():
    assert REQUIRED <= set(get_catalogue().measures)


def test_catalogue_is_loaded_once():
    assert get_catalogue() is get_catalogue()


def test_no_item_text_is_shipped():
    def keys(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield k
                yield from keys(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from keys(v)

    assert not {"text", "item_text", "wording", "prompt"} & set(keys(raw_catalogue()))
    # CHI-ESQ preferred terms contain item wording: the catalogue must refer to them by id only.
    text = DATA.joinpath("catalogue.json").read_text(encoding="utf-8")
    assert "listened to" not in text and "Experience of Service Questionnaire Parent" not in text


def test_chi_esq_and_current_view_terms_are_never_displayable():
    catalogue = get_catalogue()
    for scale in catalogue.measure("chi_esq_parent").scales:
        assert scale.snomed.display_term is None
    item = catalogue.measure("current_view").items[1]
    assert item.snomed.concept_id == "987251000000103" and item.snomed.display_term is None


def test_rcads47_subscales_use_each_item_once():
    for mid in ("rcads47_child", "rcads47_parent"):
        measure = get_catalogue().measure(mid)
        used = [n for s in measure.scales for n in s.items]
        assert sorted(used) == list(range(1, 48))


def test_rcads25_anxiety_is_the_complement_of_depression():
    m = get_catalogue().measure("rcads25")
    dep, anx = set(m.scale("depression").items), set(m.scale("anxiety").items)
    assert not dep & anx and dep | anx == set(range(1, 26))


def test_sdq_five_scales_use_items_1_to_25_once():
    m = get_catalogue().measure("sdq_self")
    five = ("emotional", "conduct", "hyperactivity", "peer_problems", "prosocial")
    assert sorted(n for s in five for n in m.scale(s).items) == list(range(1, 26))
    assert [n for n, i in sorted(m.items.items()) if i.reversed] == [7, 11, 14, 21, 25]


def test_snomed_emits_v2_and_accepts_v1():
    phq = get_catalogue().scale("phq9/total").snomed
    assert phq.concept_id == "720433000"
    assert phq.accepted_ids == {"720433000", "506701000000100"}
    assert get_catalogue().scale_for_snomed("506701000000100").key == "phq9/total"


def test_loinc_codes_where_given():
    c = get_catalogue()
    assert (c.measure("phq9").loinc_panel, c.scale("phq9/total").loinc) == ("44249-1", "44261-6")
    assert (c.measure("gad7").loinc_panel, c.scale("gad7/total").loinc) == ("69737-5", "70274-6")


def test_spec_thresholds_agree_with_the_national_table():
    # The loader refuses a catalogue threshold that disagrees with the national row.
    c = get_catalogue()
    assert c.scale("sdq_self/peer_problems").rc_threshold == 5
    assert c.scale("sdq_parent/peer_problems").rc_threshold == 3
    assert c.scale("rcads47_parent/panic").rc_threshold_source == "national"
    assert c.scale("cors/total").rc_threshold == 10


def test_reporting_raters():
    c = get_catalogue()
    assert c.measure("gbo").reporting_rater("parent") == "self"
    assert c.measure("sdq_teacher").reporting_rater("teacher") == "parent"
    assert c.measure("rcads25").reporting_rater("parent") == "parent"


def test_item_ranges_and_licence_flags():
    c = get_catalogue()
    assert c.measure("phq9").item_text_shippable
    assert not c.measure("sdq_parent").item_text_shippable
    assert (c.measure("sdq_self").age_min, c.measure("sdq_self").age_max) == (11, 17)
    assert c.measure("swemwbs").items[1].min == 1
    assert not c.measure("phq9").items[10].scored


def test_current_view_is_not_scored():
    result = score("current_view", {1: 2, 37: 1}, rater="clinician")
    assert len(result) == 0
    assert "not scored" in result.notes[0]


def test_copied_reference_files_are_byte_identical():
    # SOURCES.txt holds the SHA-256 of each source file as published (`sha256sum` format, taken
    # when they were copied), so the check needs nothing outside the repository.
    sources = DATA.joinpath("SOURCES.txt").read_text(encoding="utf-8").split("\n")
    expected = dict(reversed(line.split("  ", 1)) for line in sources if line.strip())
    assert {"rcads_norms.csv", "score_direction.csv", "README.md"} <= set(expected)
    for name, digest in expected.items():
        assert hashlib.sha256(DATA.joinpath(name).read_bytes()).hexdigest() == digest, name


def test_reference_tables_load():
    assert len(ref.rcads_norms()) == 240
    assert ref.national_directions()["Goal Based Outcomes (GBO)"] == "Positive"


def write(tmp_path, data) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_service_catalogue_can_change_the_rcads_missing_limit(tmp_path):
    data = raw_catalogue()
    measure = next(m for m in data["measures"] if m["id"] == "rcads47_child")
    for scale in measure["scales"]:
        if "prorating" in scale:
            scale["prorating"] = {"max_missing": 2}
    catalogue = load_catalogue(write(tmp_path, data))
    eight = {n: 1 for n in [2, 6, 11, 15, 19, 21, 25, 29]}
    result = score("rcads47_child", eight, rater="self", catalogue=catalogue)["depression"]
    assert result.value == 10 and result.prorated


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.update(range=[0, 28]), "declared range"),
        (lambda s: s.update(snomed_term="No such term"), "not in the MHSDS table"),
        (lambda s: s.update(rc_threshold=7), "disagrees with the national"),
        (lambda s: s.update(items=[1, 2, 99]), "not an item"),
    ],
)
def test_inconsistent_catalogue_data_is_refused(tmp_path, change, message):
    data = raw_catalogue()
    phq = next(m for m in data["measures"] if m["id"] == "phq9")
    change(phq["scales"][0])
    with pytest.raises(InvalidConfiguration, match=message):
        load_catalogue(write(tmp_path, data))
