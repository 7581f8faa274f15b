"""FHIR R4 for outcome measures: each measure as a Questionnaire, each completion as a
QuestionnaireResponse and one Observation per scale score. Every resource is built as a plain
dict and validated with fhir.resources (its R4B models, the closest it ships to R4) before it is
served as application/fhir+json. Errors are OperationOutcome.
"""

import json
import re
import uuid
from datetime import UTC, datetime

from django.http import Http404, HttpResponse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.sharing import policy

from . import engine, services
from .models import Completion, Source

FHIR_JSON = "application/fhir+json"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
EPISODE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
RESPONDENT_DISPLAY = {"self": "Young person", "parent": "Parent or carer", "teacher": "Teacher",
                      "clinician": "Clinician"}


DEFAULT_BASE = "https://thrive-platform.invalid/measures/fhir"


def _base(request=None) -> str:
    """The FHIR base, from the THRIVE_FHIR_BASE_URL setting: canonical URLs never depend on the
    host a request happened to use."""
    import os

    from django.conf import settings

    return (getattr(settings, "THRIVE_FHIR_BASE_URL", None) or os.environ.get("THRIVE_FHIR_BASE_URL")
            or DEFAULT_BASE).rstrip("/")


def _measure_code(measure, base: str):
    """The Questionnaire's code: the measure as a whole. LOINC panel where one exists; a scale's
    SNOMED code only when the measure has a single coded scale (its score), otherwise the
    platform's own measure code, never one subscale's (SDQ parent is not 'emotional symptoms')."""
    if measure.loinc_panel:
        return [{"system": LOINC, "code": measure.loinc_panel}]
    coded = {s.snomed.concept_id: s.snomed for s in measure.scales if s.snomed}
    if len(coded) == 1:
        return [{"system": SNOMED, "code": next(iter(coded))}]
    return [{"system": f"{base}/CodeSystem/thrive-measure", "code": measure.id,
             "display": measure.name}]


def _instant(value) -> str:
    return (value or datetime.now(UTC)).isoformat()


def _number(value):
    """A JSON number with no float rounding surprises (FHIR decimals keep their digits)."""
    shown = value.normalize()
    return int(shown) if shown == shown.to_integral_value() else float(shown)


# -- Builders ---------------------------------------------------------------------------------


def questionnaire_resource(measure, base: str) -> dict:
    wording = services.item_text(measure.id)
    code = _measure_code(measure, base)
    items = []
    for number in sorted(measure.items):
        item = measure.items[number]
        if item.unscored_responses:
            # e.g. CHI-ESQ "don't know" (9): every allowed answer listed, so a response of 9 is
            # one the Questionnaire allows.
            entry = {
                "linkId": str(number), "prefix": str(number), "type": "choice", "required": False,
                "answerOption": [{"valueInteger": v} for v in
                                 [*range(item.min, item.max + 1), *sorted(item.unscored_responses)]],
            }
        elif item.decimals:
            entry = {
                "linkId": str(number), "prefix": str(number), "type": "decimal", "required": False,
                "extension": [{"url": MIN_VALUE, "valueDecimal": item.min},
                              {"url": MAX_VALUE, "valueDecimal": item.max}],
            }
        else:
            entry = {
                "linkId": str(number), "prefix": str(number), "type": "integer", "required": False,
                "extension": [{"url": MIN_VALUE, "valueInteger": item.min},
                              {"url": MAX_VALUE, "valueInteger": item.max}],
            }
        if wording.get(number):  # text only where the service has loaded its licensed wording
            entry["text"] = wording[number]
        items.append(entry)
    resource = {
        "resourceType": "Questionnaire", "id": _id(measure.id),
        "meta": {"lastUpdated": _instant(None)},
        "url": f"{base}/Questionnaire/{measure.id}", "version": measure.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", measure.id.title()), "title": measure.name,
        "status": "active", "subjectType": ["Patient"], "copyright": measure.licence_summary,
        "item": items or None,
    }
    if code:
        resource["code"] = code
    return _validated(Questionnaire, resource)


def questionnaire_response_resource(completion: Completion, base: str) -> dict:
    episode = completion.episode
    items = [{"linkId": str(n), "answer": [{"valueInteger": v} if isinstance(v, int)
                                           else {"valueDecimal": v}]}
             for n, v in sorted(((int(k), v) for k, v in completion.responses.items()))
             if v is not None]
    resource = {
        "resourceType": "QuestionnaireResponse", "id": str(completion.public_id),
        "meta": {"lastUpdated": _instant(completion.created_at)},
        "extension": [_episode_extension(episode)],
        "questionnaire": f"{base}/Questionnaire/{completion.measure_id}",
        # FHIR's own status for a response recorded by mistake (still readable by its id).
        "status": "entered-in-error" if completion.is_entered_in_error else "completed",
        "subject": {"reference": f"Patient/{episode.young_person.public_id}"},
        "authored": completion.completed_on.isoformat(),
        "source": _source(completion),
        "item": items or None,
    }
    return _validated(QuestionnaireResponse, resource)


def observation_resources(completion: Completion, base: str) -> list[dict]:
    measure = services.catalogue().measure(completion.measure_id)
    episode = completion.episode
    out = []
    for score in completion.scores.all():
        scale = measure.scale(score.scale_id)
        coding = []
        if scale.snomed:
            code = {"system": SNOMED, "code": scale.snomed.concept_id}
            if scale.snomed.display_term:
                code["display"] = scale.snomed.display_term
            coding.append(code)
        if scale.loinc:
            coding.append({"system": LOINC, "code": scale.loinc})
        resource = {
            "resourceType": "Observation", "id": observation_id(completion, score.scale_id),
            "meta": {"lastUpdated": _instant(completion.created_at)},
            "extension": [
                _episode_extension(episode),
                {"url": f"{base}/StructureDefinition/score-prorated", "valueBoolean": score.prorated},
            ],
            "status": "entered-in-error" if completion.is_entered_in_error else "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey"}]}],
            "code": {"coding": coding or None, "text": f"{measure.name}: {scale.name}"},
            "subject": {"reference": f"Patient/{episode.young_person.public_id}"},
            "effectiveDateTime": completion.completed_on.isoformat(),
            "performer": [_source(completion)],
        }
        if score.value is not None:
            resource["valueQuantity"] = {"value": _number(score.value), "unit": "score"}
        else:
            resource["dataAbsentReason"] = {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                            "code": "unknown"}],
                "text": score.missing_reason or "Could not be scored"}
        if score.band:
            resource["interpretation"] = [{"text": score.band}]
        if completion.source == Source.ITEMS:
            resource["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{completion.public_id}"}]
        if score.t_score is not None:
            resource["component"] = [{"code": {"text": "T-score"},
                                      "valueQuantity": {"value": _number(score.t_score),
                                                        "unit": "T-score"}}]
        out.append(_validated(Observation, resource))
    return out


def observation_id(completion, scale_id: str) -> str:
    return f"{completion.public_id}-{scale_id.replace('_', '-')}"


def _source(completion) -> dict:
    if completion.respondent == "self":
        return {"reference": f"Patient/{completion.episode.young_person.public_id}",
                "display": RESPONDENT_DISPLAY["self"]}
    return {"display": RESPONDENT_DISPLAY.get(completion.respondent, completion.respondent)}


def _episode_extension(episode) -> dict:
    return {"url": EPISODE_EXTENSION,
            "valueReference": {"reference": f"EpisodeOfCare/{episode.public_id}"}}


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]


def _validated(model, resource: dict) -> dict:
    """Validate with fhir.resources; return the JSON-ready dict it produces."""
    resource = {k: v for k, v in resource.items() if v is not None}
    if "code" in resource and isinstance(resource["code"], dict):
        resource["code"] = {k: v for k, v in resource["code"].items() if v is not None}
    return json.loads(model.model_validate(resource).model_dump_json())


def operation_outcome(status: int, code: str, message: str) -> HttpResponse:
    body = _validated(OperationOutcome, {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    })
    return _respond(body, status)


def _respond(resource: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(resource), status=status, content_type=FHIR_JSON)


def _bundle(resources: list[dict], base: str, resource_type: str) -> dict:
    return _validated(Bundle, {
        "resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "searchset",
        "meta": {"lastUpdated": _instant(None)}, "total": len(resources),
        "entry": [{"fullUrl": f"{base}/{resource_type}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in resources] or None,
    })


# -- Views ------------------------------------------------------------------------------------


def questionnaire_list(request):
    base = _base(request)
    resources = [questionnaire_resource(m, base) for m in services.all_measures()]
    return _respond(_bundle(resources, base, "Questionnaire"))


def questionnaire(request, measure_id):
    """The measure's definition: no personal data, so not audited."""
    measure = services.measure_or_none(measure_id)
    if measure is None:
        return operation_outcome(404, "not-found", f"No Questionnaire {measure_id!r}")
    return _respond(questionnaire_resource(measure, _base(request)))


def _break_glass_refused() -> HttpResponse:
    """Readable through break-glass is not exportable: emergency access is read-only, and an
    export takes the record out of the platform (the same rule as the PDF)."""
    return operation_outcome(403, "forbidden", "Emergency (break-glass) access is read-only: "
                             "it cannot export this record. Exports need a standing relationship.")


def _completion_or_none(request, completion_id):
    try:
        uuid.UUID(str(completion_id))
        return services.completion_for(request.user, completion_id)
    except (ValueError, Http404):
        return None


def questionnaire_response(request, completion_id):
    completion = _completion_or_none(request, completion_id)
    if completion is None:
        return operation_outcome(404, "not-found", f"No QuestionnaireResponse {completion_id!r}")
    if not policy.can_export(request.user, completion.episode.young_person):
        return _break_glass_refused()
    if completion.source != Source.ITEMS:
        return operation_outcome(
            404, "not-found", "This questionnaire was recorded as totals copied from a paper form, "
            "so there are no item responses. Its scores are Observations: "
            f"Observation?patient={completion.episode.young_person.public_id}")
    audit.record(request, AuditEvent.Action.EXPORT, obj=completion,
                 young_person=completion.episode.young_person, detail="FHIR QuestionnaireResponse")
    return _respond(questionnaire_response_resource(completion, _base(request)))


def observation_search(request):
    """Observation?derived-from=QuestionnaireResponse/<id> or Observation?patient=<id>[&code=]"""
    base = _base(request)
    derived = request.GET.get("derived-from")
    patient = request.GET.get("patient")
    if derived:
        completion = _completion_or_none(request, derived.removeprefix("QuestionnaireResponse/"))
        if completion is None:
            return operation_outcome(404, "not-found", f"No QuestionnaireResponse {derived!r}")
        completions, person = [completion], completion.episode.young_person
        if not policy.can_export(request.user, person):
            return _break_glass_refused()
    elif patient:
        try:
            person = policy.young_person_or_404(request.user, patient.removeprefix("Patient/"))
        except Http404:
            return operation_outcome(404, "not-found", f"No Patient {patient!r}")
        if not policy.can_export(request.user, person):
            return _break_glass_refused()
        episodes = policy.visible_episodes(request.user).filter(young_person=person)
        completions = list(Completion.objects.valid().filter(episode__in=episodes)
                           .select_related("episode", "episode__young_person")
                           .prefetch_related("scores").order_by("completed_on", "id"))
    else:
        return operation_outcome(400, "required",
                                 "Search Observation by patient or by derived-from")
    resources = [o for c in completions for o in observation_resources(c, base)]
    code = request.GET.get("code")
    if code:
        wanted = code.rsplit("|", 1)[-1]
        try:
            scale = services.catalogue().scale_for_snomed(wanted)
            accepted = {scale.snomed.concept_id, *scale.snomed.accepted_ids}
        except engine.UnknownScale:
            accepted = {wanted}
        resources = [r for r in resources
                     if any(c.get("code") in accepted for c in r["code"].get("coding", []))]
    audit.record(request, AuditEvent.Action.EXPORT, obj=person, young_person=person,
                 detail=f"FHIR Observation search ({len(resources)})")
    return _respond(_bundle(resources, base, "Observation"))


def capability_statement(request):
    """GET [base]/metadata: what this server does (read-only outcome measures)."""
    base = _base(request)
    resources = [
        {"type": "Questionnaire", "interaction": [{"code": "read"}, {"code": "search-type"}]},
        {"type": "QuestionnaireResponse", "interaction": [{"code": "read"}]},
        {"type": "Observation", "interaction": [{"code": "read"}, {"code": "search-type"}],
         "searchParam": [{"name": "patient", "type": "reference"},
                         {"name": "derived-from", "type": "reference"},
                         {"name": "code", "type": "token"}]},
    ]
    body = _validated(CapabilityStatement, {
        "resourceType": "CapabilityStatement", "status": "active", "date": _instant(None),
        "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"],
        "url": f"{base}/metadata", "name": "THRIVEOutcomeMeasures",
        "implementation": {"description": "THRIVE open platform: outcome measures", "url": base},
        "software": {"name": "THRIVE open platform"},
        "rest": [{"mode": "server", "resource": resources,
                  "security": {"description": "Signed-in staff only; access follows the "
                                              "young person's sharing policy; every read audited."}}],
    })
    return _respond(body)


def observation(request, observation_id):
    """GET [base]/Observation/<completion id>-<scale>: one scale score, as bundles link to it."""
    completion = _completion_or_none(request, observation_id[:36])
    if completion is None:
        return operation_outcome(404, "not-found", f"No Observation {observation_id!r}")
    if not policy.can_export(request.user, completion.episode.young_person):
        return _break_glass_refused()
    match = next((o for o in observation_resources(completion, _base(request))
                  if o["id"] == observation_id), None)
    if match is None:
        return operation_outcome(404, "not-found", f"No Observation {observation_id!r}")
    audit.record(request, AuditEvent.Action.EXPORT, obj=completion,
                 young_person=completion.episode.young_person, detail="FHIR Observation read")
    return _respond(match)
