"""Crafted input gets a clear 400 or 404, never a 500 and never a list of records."""

import json

import pytest

from thrive.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_search_with_a_null_character_lists_nobody(signed_in, episode):
    person = episode.young_person
    response = signed_in.post("/young-people/find/", {"q": person.family_name[:2] + "\x00"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "null character" in body
    assert person.family_name not in body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).exists()


def test_the_json_api_refuses_a_null_character_in_a_search(signed_in, episode):
    response = signed_in.post("/api/v1/search/young-people", data=json.dumps({"q": "Ta\u0000"}),
                              content_type="application/json")
    assert response.status_code == 400
    assert "null character" in response.json()["detail"]


def test_the_public_directory_api_refuses_a_null_character(client, db):
    response = client.get("/openreferral/services?search=cr%00isis")
    assert response.status_code == 400
    assert "null character" in response.json()["detail"]


@pytest.mark.parametrize("patient", ["not-a-uuid", "Patient/123", "'; DROP TABLE x;--"])
def test_fhir_observation_search_by_a_malformed_patient_id_is_not_found(signed_in, patient):
    response = signed_in.get("/measures/fhir/Observation", {"patient": patient})
    assert response.status_code == 404
    outcome = json.loads(response.content)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-found"


def test_fhir_questionnaire_response_with_a_malformed_id_is_not_found(signed_in):
    response = signed_in.get("/measures/fhir/QuestionnaireResponse/not-a-uuid")
    assert response.status_code == 404
    assert json.loads(response.content)["resourceType"] == "OperationOutcome"
