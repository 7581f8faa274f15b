"""The THRIVE taxonomy the directory classifies services with. Plain Python, no Django.

One Open Referral taxonomy, "THRIVE Framework", with two branches: the five needs-based groupings
(what a young person needs now, which a service is suited to) and the kinds of support a service
offers. Ids are fixed (UUID 5 of the code) so every THRIVE installation publishes the same terms.
A third, unpublished-in-spirit term flags a location that must never be published.
"""

import uuid

NAMESPACE = uuid.UUID("8a0f5a52-6f2b-4c55-9d0e-7c1f3f1d6a10")
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:thrive"))
TAXONOMY = {
    "id": TAXONOMY_ID,
    "name": "THRIVE Framework",
    "description": "Needs-based groupings of the THRIVE Framework for system change, and the kinds "
                   "of support a community service offers.",
    "uri": "https://implementingthrive.org/about-us/the-thrive-framework/",
    "version": "1",
}

NEED_ROOT = "needs-based-grouping"
KIND_ROOT = "kind-of-support"
SENSITIVE_LOCATION = "sensitive-location"

NEEDS = {
    "thriving": ("Thriving", "Keeping well: prevention and promotion for everyone."),
    "getting-advice": ("Getting Advice and Signposting",
                       "Advice, self-help and signposting within the community."),
    "getting-help": ("Getting Help", "Focused, goals-based help."),
    "getting-more-help": ("Getting More Help", "Extensive, specialised goals-based help."),
    "getting-risk-support": ("Getting Risk Support",
                             "Risk management and crisis response when help is not helping."),
}
KINDS = {
    "self-help": ("Self-help", "Information and tools to use on your own."),
    "peer-support": ("Peer support", "Support from people with shared experience."),
    "group": ("Group", "Sessions with a group of others."),
    "one-to-one": ("One-to-one", "Sessions with one worker."),
    "crisis": ("Crisis support", "Help straight away when things feel unsafe."),
    "family-support": ("Family support", "Support for parents, carers and the whole family."),
    "digital": ("Digital", "Online, by app, text or phone."),
}


def term_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"term:{code}"))


def _term(code: str, name: str, description: str, parent: str | None) -> dict:
    term = {"id": term_id(code), "name": name, "description": description,
            "taxonomy": TAXONOMY["name"], "taxonomy_id": TAXONOMY_ID, "term": code}
    if parent:
        term["parent_id"] = term_id(parent)
    return term


def terms() -> list[dict]:
    """Every THRIVE term as an Open Referral taxonomy_term object."""
    out = [
        _term(NEED_ROOT, "Needs-based grouping", "THRIVE needs-based groupings.", None),
        _term(KIND_ROOT, "Kind of support", "How a service offers support.", None),
        _term(SENSITIVE_LOCATION, "Sensitive location",
              "A location that must never be published, for example a refuge.", None),
    ]
    out += [_term(code, name, desc, NEED_ROOT) for code, (name, desc) in NEEDS.items()]
    out += [_term(code, name, desc, KIND_ROOT) for code, (name, desc) in KINDS.items()]
    return out


NEED_CHOICES = [(code, name) for code, (name, _) in NEEDS.items()]
KIND_CHOICES = [(code, name) for code, (name, _) in KINDS.items()]

# What families and young people see: the same groupings in everyday words. Practitioners keep
# the THRIVE names above (on the signposting search), so both speak of the same services.
PUBLIC_NEEDS = {
    "thriving": "Staying well",
    "getting-advice": "Advice and information",
    "getting-help": "Help with a problem",
    "getting-more-help": "Specialist help",
    "getting-risk-support": "Urgent help and crisis support",
}
PUBLIC_KINDS = {
    "self-help": "Things to try on your own",
    "peer-support": "Talking with people who have been there",
    "group": "Group sessions",
    "one-to-one": "One-to-one sessions",
    "crisis": "Help straight away",
    "family-support": "Support for the whole family",
    "digital": "Online, app, text or phone",
}
PUBLIC_NEED_CHOICES = [(code, PUBLIC_NEEDS[code]) for code in NEEDS]
PUBLIC_KIND_CHOICES = [(code, PUBLIC_KINDS[code]) for code in KINDS]


def public_label(code: str, default: str) -> str:
    return PUBLIC_NEEDS.get(code) or PUBLIC_KINDS.get(code) or default
