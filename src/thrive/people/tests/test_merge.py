"""A system administrator merges two records of the same young person."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.care.models import Episode
from thrive.conftest import make_episode, make_user, make_young_person, valid_nhs_number
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken
from thrive.history.models import FieldChange
from thrive.measures.services import record_completion
from thrive.people import merge
from thrive.people.models import NewRecordDespiteMatch, ParentCarer, YoungPerson
from thrive.risk.models import RiskSupportPlan
from thrive.sharing.models import (
    AccessAlert,
    AgencyReferral,
    BreakGlassGrant,
    CareTeamMember,
    Consent,
    Notification,
    RecordNote,
)

TODAY = date.today()


@pytest.fixture
def sysadmin(db):
    return make_user("sam.sysadmin", None, Role.SYSTEM_ADMIN)


@pytest.fixture
def pair(db):
    keep = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 6, 1))
    away = make_young_person(given_name="Noah", family_name="Pryce", date_of_birth=date(2015, 6, 1),
                             nhs_number="", postcode="NV1 2AB")
    return keep, away


def _plan(person, user, **fields):
    return RiskSupportPlan.objects.create(
        young_person=person, keyworker=user, what_helps="Her dog", preventive_actions="Check-ins",
        agreed_with_young_person=True, agreed_on=TODAY, review_on=TODAY + timedelta(weeks=6),
        created_by=user, updated_by=user, **fields)


def _consent(person, user, agency):
    return Consent.objects.create(young_person=person, given_by="young_person", given_by_name="Noah",
                                  with_agency=agency, purpose="referral", given_on=TODAY,
                                  expires_on=TODAY + timedelta(30), recorded_by=user)


def _builders(user, team, other_agency, keep):
    """One row of every model that refers to a young person, keyed by (model, field)."""
    def grant(p):
        now = timezone.now()
        return BreakGlassGrant.objects.create(user=user, young_person=p, reason="Crisis at A&E now",
                                              started_at=now, expires_at=now)
    return {
        ("people.parentcarer", "young_person"): lambda p: ParentCarer.objects.create(
            young_person=p, name="Sara Price", relationship="mother"),
        ("care.episode", "young_person"): lambda p: make_episode(p, team, user),
        ("risk.risksupportplan", "young_person"): lambda p: _plan(p, user),
        ("sharing.careteammember", "young_person"): lambda p: CareTeamMember.objects.create(
            young_person=p, user=user, role="Clinician", added_by=user),
        ("sharing.consent", "young_person"): lambda p: _consent(p, user, other_agency),
        ("sharing.agencyreferral", "young_person"): lambda p: AgencyReferral.objects.create(
            young_person=p, from_agency=team.agency, to_agency=other_agency, sent_by=user,
            reason="Support", consent=_consent(p, user, other_agency)),
        ("sharing.recordnote", "young_person"): lambda p: RecordNote.objects.create(
            young_person=p, author=user, agency=team.agency, text="Phoned mum"),
        ("sharing.breakglassgrant", "young_person"): grant,
        ("sharing.accessalert", "young_person"): lambda p: AccessAlert.objects.create(
            kind="break_glass", user=user, young_person=p, raised_at=timezone.now(), detail="x"),
        ("people.newrecorddespitematch", "young_person"): lambda p: NewRecordDespiteMatch.objects.create(
            young_person=p, possible_match=keep, match_reason="Similar", reason="r", decided_by=user),
        ("people.newrecorddespitematch", "possible_match"): lambda p: (
            NewRecordDespiteMatch.objects.create(
                young_person=make_young_person(nhs_number=""), possible_match=p,
                match_reason="Similar", reason="r", decided_by=user)),
        ("sharing.notification", "young_person"): lambda p: Notification.objects.create(
            user=user, young_person=p, text="You are now the keyworker"),
        ("people.youngperson", "merged_into"): lambda p: make_young_person(
            nhs_number="", merged_into=p),
        ("history.fieldchange", "young_person"): lambda p: FieldChange.objects.create(
            changed_at=timezone.now(), changed_by=user, object_type="YoungPerson",
            object_id=str(p.public_id), object_label="Details", young_person=p,
            field_name="school", field_label="School", old_value="A", new_value="B"),
    }


def test_merge_moves_every_row_of_every_related_model_and_leaves_a_pointer(
        pair, rf, practitioner, camhs_team, school):
    keep, away = pair
    builders = _builders(practitioner, camhs_team, school, keep)
    relations = {(r.related_model._meta.label_lower, r.field.name): r for r in merge.relations()}
    # A model added later that refers to a young person must be added here (and so be proved).
    assert set(relations) == set(builders), "a relation to YoungPerson has no row in this test"
    assert not any(r.many_to_many for r in relations.values())
    for build in builders.values():
        build(away)
    request = rf.post("/")
    request.user = practitioner
    completion = record_completion(request, away.episodes.get(), measure_id="phq9", rater="self",
                                   completed_on=TODAY, responses={i: 1 for i in range(1, 10)})
    merge.merge(request, keep_id=keep.pk, away_id=away.pk, keep_version=keep.version,
                away_version=away.version, reason="Same child: school confirmed")
    for key, rel in relations.items():
        manager = rel.related_model._base_manager
        assert not manager.filter(**{rel.field.name: away}).exists(), key
        assert manager.filter(**{rel.field.name: keep}).exists(), key
    completion.refresh_from_db()
    assert completion.episode.young_person == keep  # measures travel with their episode
    away.refresh_from_db()
    keep.refresh_from_db()
    assert away.merged_into == keep and away.merged_at is not None
    assert keep.postcode == "NV1 2AB"  # a blank on the record kept filled from the other
    entries = AuditEvent.objects.filter(action="change", reason="Same child: school confirmed")
    assert {e.young_person_id for e in entries} == {keep.pk, away.pk}


def test_the_nhs_number_moves_to_the_record_kept_when_only_the_other_has_one(db, camhs_team):
    keep = make_young_person(nhs_number="")
    away = make_young_person()
    number = away.nhs_number
    merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                reason="Same child")
    keep.refresh_from_db()
    assert keep.nhs_number == number


@pytest.mark.parametrize("conflict", ["plans", "keyworkers", "nhs_numbers"])
def test_a_merge_that_would_break_a_rule_is_refused_clearly_and_changes_nothing(
        conflict, pair, practitioner, colleague, camhs_team):
    keep, away = pair
    make_episode(away, camhs_team, practitioner)
    if conflict == "plans":
        _plan(keep, practitioner)
        _plan(away, colleague)
        expected = merge.TWO_CURRENT_PLANS
    elif conflict == "keyworkers":
        CareTeamMember.objects.create(young_person=keep, user=practitioner, role="Clinician",
                                      is_keyworker=True, added_by=practitioner)
        CareTeamMember.objects.create(young_person=away, user=colleague, role="Nurse",
                                      is_keyworker=True, added_by=practitioner)
        expected = merge.TWO_KEYWORKERS
    else:
        YoungPerson.objects.filter(pk=away.pk).update(nhs_number=valid_nhs_number())
        expected = merge.DIFFERENT_NHS_NUMBERS
    with pytest.raises(RuleBroken) as refused:
        merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                    reason="Same child")
    assert refused.value.message == expected
    assert Episode.objects.get().young_person == away
    assert YoungPerson.objects.get(pk=away.pk).merged_into is None


def test_the_same_person_on_both_care_teams_keeps_one_membership(pair, practitioner):
    keep, away = pair
    CareTeamMember.objects.create(young_person=keep, user=practitioner, role="Clinician",
                                  added_by=practitioner)
    CareTeamMember.objects.create(young_person=away, user=practitioner, role="Clinician",
                                  is_keyworker=True, added_by=practitioner)
    assert merge.preview(keep, away).closing_memberships == 1
    merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                reason="Same child")
    active = CareTeamMember.objects.filter(young_person=keep, removed_at__isnull=True)
    assert [(m.user, m.is_keyworker) for m in active] == [(practitioner, True)]
    assert CareTeamMember.objects.filter(young_person=keep).count() == 2  # history kept


def test_a_stale_preview_or_no_reason_is_refused(pair):
    keep, away = pair
    with pytest.raises(RuleBroken) as refused:
        merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                    reason="  ")
    assert refused.value.message == merge.GIVE_A_REASON
    YoungPerson.objects.filter(pk=away.pk).update(version=2)
    with pytest.raises(RuleBroken) as refused:
        merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                    reason="Same child")
    assert refused.value.message == STALE


def test_only_system_administrators_may_open_the_duplicates_and_merge_pages(
        client, practitioner, manager, pair):
    for user in (practitioner, manager):
        client.force_login(user)
        assert client.get(reverse("people:duplicates")).status_code == 403
        assert client.post(reverse("people:merge"), {"reason": "x"}).status_code == 403
    assert YoungPerson.objects.filter(merged_into__isnull=False).count() == 0


def test_a_system_administrator_finds_reviews_and_merges_a_pair(client, sysadmin, pair,
                                                                 practitioner, camhs_team):
    keep, away = pair
    make_episode(away, camhs_team, practitioner)
    NewRecordDespiteMatch.objects.create(young_person=away, possible_match=keep,
                                         match_reason="Similar name, same date of birth",
                                         reason="Different parents", decided_by=practitioner)
    client.force_login(sysadmin)
    assert reverse("people:duplicates") in client.get("/", follow=True).content.decode()
    page = client.get(reverse("people:duplicates")).content.decode()
    assert "Noah Price" in page and "Noah Pryce" in page and "similar name" in page
    assert camhs_team.agency.name not in page
    response = client.post(reverse("people:duplicates"),
                           {"keep": keep.nhs_number, "away": str(away.public_id)})
    assert response.url == reverse("people:merge")
    preview = client.get(response.url).content.decode()
    assert "Episodes" in preview and "Record to keep" in preview and "NV1 2AB" in preview
    page = client.post(response.url, {"reason": "", "keep_version": 1, "away_version": 1})
    assert "Enter why these records are the same young person" in page.content.decode()
    response = client.post(reverse("people:merge"), {
        "reason": "Same child: confirmed with the GP", "keep_version": 1, "away_version": 1})
    assert response.url == reverse("people:duplicates")
    away.refresh_from_db()
    assert away.merged_into == keep and keep.episodes.count() == 1
    assert "Noah Pryce" not in client.get(reverse("people:duplicates")).content.decode()


def test_a_pair_that_cannot_be_merged_shows_why_and_no_merge_button(client, sysadmin, pair,
                                                                    practitioner, colleague):
    keep, away = pair
    _plan(keep, practitioner)
    _plan(away, colleague)
    client.force_login(sysadmin)
    client.post(reverse("people:duplicates"), {"keep": str(keep.public_id),
                                               "away": str(away.public_id)})
    page = client.get(reverse("people:merge")).content.decode()
    assert merge.TWO_CURRENT_PLANS in page and "Merge the records" not in page
    response = client.post(reverse("people:merge"), {"reason": "Same", "keep_version": 1,
                                                     "away_version": 1})
    assert response.status_code == 200 and merge.TWO_CURRENT_PLANS in response.content.decode()


def test_an_unknown_reference_is_a_clear_error(client, sysadmin, pair):
    client.force_login(sysadmin)
    page = client.post(reverse("people:duplicates"), {"keep": "not a reference",
                                                      "away": "485 777 3456"}).content.decode()
    assert page.count("No record has this NHS number or record reference") >= 2


def test_the_old_address_leads_to_the_record_kept_only_for_those_who_may_see_it(
        client, pair, practitioner, outsider, camhs_team):
    keep, away = pair
    make_episode(keep, camhs_team, practitioner)
    merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                reason="Same child")
    old = reverse("people:record", args=[away.public_id])
    client.force_login(practitioner)
    assert client.get(old).url == reverse("people:record", args=[keep.public_id])
    client.force_login(outsider)
    assert client.get(old).status_code == 404


def test_a_merged_record_is_never_found_or_offered_again(signed_in, pair, practitioner, camhs_team):
    keep, away = pair
    make_episode(keep, camhs_team, practitioner)
    make_episode(away, camhs_team, practitioner)
    merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                reason="Same child")
    page = signed_in.post(reverse("people:find"), {"q": "Noah"}).content.decode()
    assert "Noah Price" in page and "Noah Pryce" not in page
    from thrive.people import matching
    found = matching.possible_matches(matching.Details("Noah", "Pryce", date(2015, 6, 1)))
    assert [m.person for m in found] == [keep]


def test_a_conflict_the_checks_do_not_know_about_is_still_a_clear_refusal(pair, monkeypatch):
    from django.db import IntegrityError

    keep, away = pair

    def clash(*args):
        YoungPerson.objects.filter(pk=away.pk).update(postcode="CHANGED")
        raise IntegrityError("unique constraint")

    monkeypatch.setattr(merge, "_merge_locked", clash)
    with pytest.raises(RuleBroken) as refused:
        merge.merge(None, keep_id=keep.pk, away_id=away.pk, keep_version=1, away_version=1,
                    reason="Same child")
    assert refused.value.message == merge.CONFLICT
    assert YoungPerson.objects.get(pk=away.pk).postcode == "NV1 2AB"  # rolled back
