"""Corrections: mark an entry entered in error (confirmation page with a reason), and the
"History of changes" pages. Thin: access and rules are in services.py and sharing.policy."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.views import apply, form_page
from thrive.sharing import policy

from . import forms, services
from .describe import describe_entry


def _back_url(entry) -> str:
    kind = services.kind_of(entry)
    if kind.slug == "note":
        return reverse("people:record", args=[entry.young_person.public_id]) + "#notes"
    episode = services.episode_of(entry)
    if kind.slug == "questionnaire":
        return reverse("measures:episode", args=[episode.public_id])
    if kind.slug == "signpost":
        return reverse("directory:episode-signposts", args=[episode.public_id])
    return reverse("care:episode", args=[episode.public_id])


def entered_in_error(request, episode_id, kind, entry_id):
    entry = services.entry_or_404(request.user, kind, episode_id, entry_id)
    return _confirm(request, entry)


def note_entered_in_error(request, person_id, note_id):
    entry = services.entry_or_404(request.user, "note", person_id, note_id)
    return _confirm(request, entry)


def _confirm(request, entry):
    kind = services.kind_of(entry)
    episode = services.episode_of(entry)
    person = entry.young_person if episode is None else episode.young_person
    services.check_access(request.user, entry)  # 404 if not theirs, 403 if read only
    back_url = _back_url(entry)
    if entry.is_entered_in_error:  # nothing to confirm: back to the entry, shown nothing
        messages.info(request, f"This {kind.label} is already marked as entered in error.")
        return redirect(back_url)
    if request.method == "GET":  # the page describes the entry: one view, audited
        audit.record(request, AuditEvent.Action.VIEW, obj=entry, young_person=person,
                     detail=f"entered in error: {kind.label}")
    caption = person.full_name + (f" – {episode.team.name}" if episode else "")
    form = forms.EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.mark_entered_in_error(request, entry,
                                                              form.cleaned_data["reason"])):
            if kind.slug == "ending":
                messages.success(request, "The ending is marked as entered in error. It stays in "
                                          "the record, struck through, and the episode is open "
                                          "again.")
            else:
                messages.success(request, f"The {kind.label} is marked as entered in error. It "
                                          "stays in the record, struck through, and no longer "
                                          "counts.")
            return redirect(back_url)
    if kind.slug == "ending":
        intro = (f"{describe_entry(entry)}. It will stay in the record, struck through with your "
                 "reason, and the episode will be open again: back on your caseload, counted as "
                 "open in every dashboard, extract and the national metric, with its grouping "
                 "current again and any inter-agency referral it completed accepted again. "
                 "Record the ending again when the episode really ends.")
    else:
        intro = (f"{describe_entry(entry)}. It will stay in the record, struck through with your "
                 "reason, and leave every count, dashboard, extract and the national metric. "
                 "This cannot be undone.")
    return form_page(
        request, form, title=f"Mark this {kind.label} as entered in error", caption=caption,
        back_url=back_url, submit_text="Mark as entered in error", intro=intro,
    )



def record_history(request, person_id):
    """The record's history of changes: who changed what, when, from what to what."""
    person = policy.young_person_or_404(request.user, person_id)
    changes = services.record_history(request.user, person)
    audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person,
                 detail="history of changes")
    return render(request, "history/changes.html", {
        "page_title": "History of changes", "caption": f"{person.full_name}, born "
        f"{person.date_of_birth.day} {person.date_of_birth:%B %Y}", "changes": changes,
        "back_url": reverse("people:record", args=[person.public_id]),
        "intro": "Changes to the young person's details, key dates of the episodes you can see, "
                 "consents and Risk Support plans, newest first.",
    })


def staff_history(request, user_id):
    """A member of staff's details as they changed, for the administrators who manage them."""
    from thrive.accounts import services as accounts

    accounts.require_staff_admin(request.user)
    member = accounts.staff_or_404(request.user, user_id)
    changes = services.staff_history(member)
    audit.record(request, AuditEvent.Action.VIEW, obj=member, detail="staff: history of changes")
    return render(request, "history/changes.html", {
        "page_title": "History of changes", "caption": member.display_name, "changes": changes,
        "back_url": reverse("accounts:staff-member", args=[member.pk]),
        "intro": "Changes to this member of staff's role, team, job title and account, newest "
                 "first.",
    })
