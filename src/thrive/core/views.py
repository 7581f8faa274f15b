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


def apply(form, operation):
    """Run a domain operation; a broken rule becomes a form error and nothing is saved."""
    try:
        return operation()
    except RuleBroken as broken:
        field = broken.field if broken.field in form.fields else None
        form.add_error(field, broken.message)
        return None
