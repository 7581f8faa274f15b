"""The five THRIVE needs-based groupings and the options a shared decision can consider.

Plain Python, no Django: the analytics engine and importers use the same codes. Groupings are
agreed with the young person and family; nothing in this module (or anywhere) computes one.
"""

from enum import StrEnum


class Grouping(StrEnum):
    THRIVING = "thriving"
    GETTING_ADVICE = "getting_advice"
    GETTING_HELP = "getting_help"
    GETTING_MORE_HELP = "getting_more_help"
    GETTING_RISK_SUPPORT = "getting_risk_support"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Grouping.THRIVING: "Thriving",
    Grouping.GETTING_ADVICE: "Getting Advice and Signposting",
    Grouping.GETTING_HELP: "Getting Help",
    Grouping.GETTING_MORE_HELP: "Getting More Help",
    Grouping.GETTING_RISK_SUPPORT: "Getting Risk Support",
}

# Plain-words descriptions shown beside each choice in the decision form (thrive-framework.md §1).
DESCRIPTIONS = {
    Grouping.THRIVING: "No individual advice or help needed now.",
    Grouping.GETTING_ADVICE: "Advice, signposting and self-management; often one contact and a "
    "follow-up.",
    Grouping.GETTING_HELP: "Focused, time-limited help with goals agreed at the start.",
    Grouping.GETTING_MORE_HELP: "More extensive, specialised goals-based help, over a longer time "
    "or jointly by two or more professionals.",
    Grouping.GETTING_RISK_SUPPORT: "Remains at considerable risk and not currently able to benefit "
    "from treatment: a multi-agency plan to reduce risk and improve response to crises.",
}

# Names met in real data for the same groupings.
ALIASES = {
    "getting advice": Grouping.GETTING_ADVICE,
    "getting advice and signposting": Grouping.GETTING_ADVICE,
    "getting_additional_help": Grouping.GETTING_MORE_HELP,
}


def parse(value: str) -> Grouping:
    """A grouping from a code, label or alias (case-insensitive); ValueError if unknown."""
    key = value.strip().lower()
    for grouping in Grouping:
        if key in (grouping.value, grouping.label.lower()):
            return grouping
    if key in ALIASES:
        return ALIASES[key]
    raise ValueError(f"'{value}' is not a THRIVE needs-based grouping")


class SupportOption(StrEnum):
    """Kinds of help that can be discussed and preferred (the population preference data)."""

    SELF_HELP = "self_help"
    DIGITAL = "digital"
    COMMUNITY = "community"
    PEER_SUPPORT = "peer_support"
    SCHOOL_SUPPORT = "school_support"
    GROUP = "group"
    ONE_TO_ONE = "one_to_one"
    FAMILY_WORK = "family_work"
    MEDICATION_REVIEW = "medication_review"
    JOINT_MULTI_AGENCY = "joint_multi_agency"
    RISK_SUPPORT_PLAN = "risk_support_plan"
    INPATIENT = "inpatient"
    NO_FURTHER_HELP = "no_further_help"


OPTION_LABELS = {
    SupportOption.SELF_HELP: "Self-help (books, apps, self-management)",
    SupportOption.DIGITAL: "Digital or online support",
    SupportOption.COMMUNITY: "Community or voluntary sector service",
    SupportOption.PEER_SUPPORT: "Peer support",
    SupportOption.SCHOOL_SUPPORT: "Support in school or college",
    SupportOption.GROUP: "Group work",
    SupportOption.ONE_TO_ONE: "One-to-one therapy",
    SupportOption.FAMILY_WORK: "Family work",
    SupportOption.MEDICATION_REVIEW: "Medication review",
    SupportOption.JOINT_MULTI_AGENCY: "Joint work across agencies",
    SupportOption.RISK_SUPPORT_PLAN: "Multi-agency Risk Support plan",
    SupportOption.INPATIENT: "Inpatient care",
    SupportOption.NO_FURTHER_HELP: "No further help for now",
}
