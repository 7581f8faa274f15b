"""Small helpers every app's views share."""

from django.shortcuts import render

from .rules import RuleBroken


def form_page(request, form, *, title, caption="", back_url="", submit_text="Save", intro="",
              status=200):
    """The standard one-question-area form page, with an NHS error summary when invalid."""
    return render(
        request, "form_page.html",
        {"form": form, "page_title": title, "caption": caption, "back_url": back_url,
         "submit_text": submit_text, "intro": intro},
        status=status,
    )


def apply(form, operation, *other_forms):
    """Run a domain operation; a broken rule becomes a form error and nothing is saved. With
    several forms on one page, the error goes to the form that has the field it names."""
    try:
        return operation()
    except RuleBroken as broken:
        owner = next((f for f in other_forms if broken.field and broken.field in f.fields), form)
        field = broken.field if broken.field in owner.fields else None
        owner.add_error(field, broken.message)
        return None
