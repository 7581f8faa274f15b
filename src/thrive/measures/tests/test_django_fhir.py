"""FHIR R4: Questionnaire per measure, QuestionnaireResponse and score Observations per completion."""

import json
from datetime import date, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from thrive.conftest import make_user
from thrive.core.models import AuditEvent
from thrive.measures import services
from thrive.measures.fhir import FHIR_JSON

pytestmark = pytest.mark.django_db
DAY = date.today() - timedelta(days=3)


@pytest.fixture
def req(rf, practitioner):
    request = rf.post("/")
    request.user = practitioner
    return request


def fhir_get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == FHIR_JSON
    return json.loads(response.content)


@pytest.mark.parametrize("measure", [m.id for m in services.all_measures()])
def test_every_measure_is_a_valid_questionnaire(signed_in, measure):
    body = fhir_get(signed_in, f"/measures/fhir/Questionnaire/{measure}")
    Questionnaire.model_validate(body)
    assert body["id"] == measure.replace("_", "-")
    shipped = services.shipped_wording()
    for item in body.get("item", []):
        # wording ships only where reproduction is free (PHQ-9, GAD-7)
        assert ("text" in item) == (measure in shipped)


def test_questionnaire_codes(signed_in):
    phq = fhir_get(signed_in, "/measures/fhir/Questionnaire/phq9")
    assert phq["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    core = fhir_get(signed_in, "/measures/fhir/Questionnaire/core10")
    assert core["code"][0]["system"] == "http://snomed.info/sct"
    Bundle.model_validate(fhir_get(signed_in, "/measures/fhir/Questionnaire"))


def test_unknown_questionnaire_is_an_operation_outcome(signed_in):
    body = fhir_get(signed_in, "/measures/fhir/Questionnaire/nope", 404)
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["code"] == "not-found"


def test_questionnaire_response_and_observations(signed_in, episode, person, req):
    completion = services.record_completion(
        req, episode, measure_id="phq9", rater="self", completed_on=DAY,
        responses={n: 2 for n in range(1, 10)})
    body = fhir_get(signed_in, f"/measures/fhir/QuestionnaireResponse/{completion.public_id}")
    QuestionnaireResponse.model_validate(body)
    assert body["subject"]["reference"] == f"Patient/{person.public_id}"
    assert body["questionnaire"].endswith("/Questionnaire/phq9")
    assert body["item"][0] == {"linkId": "1", "answer": [{"valueInteger": 2}]}
    assert body["extension"][0]["valueReference"]["reference"] == f"EpisodeOfCare/{episode.public_id}"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="Completion").count() == 1

    bundle = fhir_get(signed_in, "/measures/fhir/Observation?derived-from=QuestionnaireResponse/"
                      f"{completion.public_id}")
    Bundle.model_validate(bundle)
    (entry,) = bundle["entry"]
    obs = entry["resource"]
    Observation.model_validate(obs)
    assert obs["valueQuantity"]["value"] == 18
    assert obs["code"]["coding"][0]["system"] == "http://snomed.info/sct"
    assert {"system": "http://loinc.org", "code": "44261-6"} in obs["code"]["coding"]
    assert obs["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{completion.public_id}"}]
    assert obs["interpretation"] == [{"text": "moderately severe"}]


def test_rcads_t_score_component_and_prorated_flag(signed_in, camhs_team, practitioner, req):
    from thrive.conftest import make_episode, make_young_person

    born = date.today().replace(year=date.today().year - 12) - timedelta(days=60)
    episode = make_episode(make_young_person(sex="2", date_of_birth=born), camhs_team, practitioner)
    items = (2, 6, 11, 15, 19, 21, 25, 29, 40)  # 9 of 10 depression items: prorated
    completion = services.record_completion(
        req, episode, measure_id="rcads47_child", rater="self", completed_on=DAY,
        responses={n: 1 for n in items})
    bundle = fhir_get(signed_in, "/measures/fhir/Observation?derived-from=QuestionnaireResponse/"
                      f"{completion.public_id}")
    by_id = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    dep = by_id[f"{completion.public_id}-depression"]
    assert dep["component"][0]["code"]["text"] == "T-score"
    assert {"url": dep["extension"][1]["url"], "valueBoolean": True} in dep["extension"]
    missing = by_id[f"{completion.public_id}-panic"]
    assert "dataAbsentReason" in missing and "valueQuantity" not in missing


def test_paper_totals_have_observations_without_derived_from(signed_in, episode, person, req):
    completion = services.record_completion(
        req, episode, measure_id="core10", rater="self", completed_on=DAY,
        entered_totals={"clinical": 12})
    body = fhir_get(signed_in, f"/measures/fhir/QuestionnaireResponse/{completion.public_id}", 404)
    OperationOutcome.model_validate(body)
    bundle = fhir_get(signed_in, f"/measures/fhir/Observation?patient={person.public_id}")
    (entry,) = bundle["entry"]
    assert "derivedFrom" not in entry["resource"]
    assert entry["resource"]["valueQuantity"]["value"] == 12
    code = entry["resource"]["code"]["coding"][0]["code"]
    filtered = fhir_get(signed_in, f"/measures/fhir/Observation?patient={person.public_id}"
                                   f"&code=http://snomed.info/sct|{code}")
    assert filtered["total"] == 1
    none = fhir_get(signed_in, f"/measures/fhir/Observation?patient={person.public_id}&code=1")
    assert none["total"] == 0


def test_outsider_gets_operation_outcome_not_data(client, episode, person, school_team, req):
    completion = services.record_completion(
        req, episode, measure_id="phq9", rater="self", completed_on=DAY, responses={1: 1})
    client.force_login(make_user("olu.outsider3", school_team))
    for url in (f"/measures/fhir/QuestionnaireResponse/{completion.public_id}",
                "/measures/fhir/QuestionnaireResponse/not-a-uuid",
                f"/measures/fhir/Observation?patient={person.public_id}",
                f"/measures/fhir/Observation?derived-from=QuestionnaireResponse/{completion.public_id}"):
        body = fhir_get(client, url, 404)
        OperationOutcome.model_validate(body)
    body = fhir_get(client, "/measures/fhir/Observation", 400)
    assert body["issue"][0]["code"] == "required"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_multi_scale_questionnaires_are_coded_as_the_measure_not_a_subscale(signed_in):
    sdq = fhir_get(signed_in, "/measures/fhir/Questionnaire/sdq_parent")
    emotional = services.catalogue().measure("sdq_parent").scale("emotional").snomed.concept_id
    assert all(c["code"] != emotional for c in sdq["code"])
    assert sdq["code"][0]["code"] == "sdq_parent"
    core = fhir_get(signed_in, "/measures/fhir/Questionnaire/core10")  # one coded scale: its SNOMED
    assert core["code"][0]["system"] == "http://snomed.info/sct"


def test_chi_esq_dont_know_is_an_answer_the_questionnaire_allows(signed_in, episode, req):
    q = fhir_get(signed_in, "/measures/fhir/Questionnaire/chi_esq_parent")
    item1 = q["item"][0]
    allowed = [o["valueInteger"] for o in item1["answerOption"]]
    assert 9 in allowed and allowed[:3] == [1, 2, 3]
    completion = services.record_completion(
        req, episode, measure_id="chi_esq_parent", rater="parent", completed_on=DAY,
        responses={1: 9, 2: 1})
    qr = fhir_get(signed_in, f"/measures/fhir/QuestionnaireResponse/{completion.public_id}")
    assert qr["item"][0]["answer"][0]["valueInteger"] in allowed


def test_metadata_is_a_capability_statement(signed_in):
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    body = fhir_get(signed_in, "/measures/fhir/metadata")
    CapabilityStatement.model_validate(body)
    types = {r["type"] for r in body["rest"][0]["resource"]}
    assert {"Questionnaire", "QuestionnaireResponse", "Observation"} <= types


def test_observation_read_follows_the_bundle_links(signed_in, episode, req, outsider, client):
    completion = services.record_completion(
        req, episode, measure_id="phq9", rater="self", completed_on=DAY,
        responses={n: 1 for n in range(1, 10)})
    bundle = fhir_get(signed_in, "/measures/fhir/Observation?derived-from=QuestionnaireResponse/"
                      f"{completion.public_id}")
    (entry,) = bundle["entry"]
    assert entry["fullUrl"].endswith(f"/Observation/{entry['resource']['id']}")
    obs = fhir_get(signed_in, f"/measures/fhir/Observation/{entry['resource']['id']}")
    Observation.model_validate(obs)
    assert obs["valueQuantity"]["value"] == 9
    missing = fhir_get(signed_in, f"/measures/fhir/Observation/{completion.public_id}-nope", 404)
    OperationOutcome.model_validate(missing)
    signed_in.logout()
    client.force_login(outsider)
    fhir_get(client, f"/measures/fhir/Observation/{entry['resource']['id']}", 404)


@pytest.mark.parametrize("url", ["/measures/fhir/metadata", "/measures/fhir/Questionnaire",
                                 "/measures/fhir/Observation?patient=x"])
def test_signed_out_calls_get_an_operation_outcome_401(client, url):
    body = fhir_get(client, url, 401)
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["code"] == "login"


def test_canonical_urls_come_from_the_setting_not_the_host(signed_in, settings):
    settings.THRIVE_FHIR_BASE_URL = "https://fhir.example.nhs.uk/thrive"
    body = signed_in.get("/measures/fhir/Questionnaire/phq9", HTTP_HOST="localhost")
    q = json.loads(body.content)
    assert q["url"] == "https://fhir.example.nhs.uk/thrive/Questionnaire/phq9"
