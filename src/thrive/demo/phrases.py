"""Words for the free-text fields, in the plain language practitioners and young people use.

`{name}` is the young person's first (or preferred) name.
"""

REFERRAL_DETAIL = {
    "anxiety": (
        "{name} gets panicky before school and has missed several mornings this term.",
        "Worries a lot about family members being ill; struggles to sleep.",
        "{name} avoids going out with friends and says their heart races in crowds.",
        "Parent reports constant reassurance-seeking and stomach aches before school.",
    ),
    "low_mood": (
        "{name} has been withdrawn for two months, stopped football, sleeping a lot.",
        "Says they feel 'empty' most days; grades dropping. No plans to harm self reported.",
        "GP saw {name} for low mood after a bereavement; would like talking support.",
    ),
    "self_harm": (
        "{name} disclosed cutting to a teacher; safeguarding lead informed parents.",
        "Seen in the emergency department after an overdose; medically fit, needs follow-up.",
        "Self-harm has increased since exams started; family worried and want advice.",
    ),
    "eating": (
        "Weight loss over three months, skipping lunch, exercising a lot. GP bloods normal.",
        "{name} is restricting food and very anxious about eating in front of others.",
    ),
    "behaviour": (
        "Frequent angry outbursts at home; siblings frightened. School report similar.",
        "{name} has been excluded twice this year for fighting.",
        "Parents struggling with bedtime and meltdowns; would like parenting support.",
    ),
    "neurodevelopmental": (
        "School query ADHD: poor concentration, impulsive, falling behind.",
        "Parent asks for autism assessment; {name} finds changes of routine very hard.",
    ),
    "trauma": (
        "{name} witnessed domestic abuse; now has nightmares and is jumpy at school.",
        "Recently came into care; social worker requests support with sleep and trust.",
        "Involved in a road traffic accident last year; avoids cars, flashbacks.",
    ),
    "relationships": (
        "Falling out with friends online; {name} says everyone hates them.",
        "Conflict with parent since separation; {name} refusing contact visits.",
    ),
    "psychosis": (
        "{name} reports hearing voices commenting on them for several weeks.",
        "Family notice {name} is suspicious of neighbours and not sleeping.",
    ),
    "obsessive_compulsive": (
        "Hand washing until skin is sore; rituals at bedtime take over an hour.",
        "{name} checks doors and switches repeatedly and is late for school most days.",
    ),
    "school_attendance": (
        "Attendance 58% this term; {name} says school is 'too much'.",
        "Has not attended school for five weeks; family at a loss.",
    ),
    "other": (
        "{name} would like someone to talk to about things at home.",
        "Referrer unsure what help is needed; asks for advice.",
    ),
}

DECLINED_REASONS = (
    "Needs can be met by the school's mental health support team; family given their details.",
    "Early Help are already working with the family and will offer this support.",
    "Family told us they no longer want help; advice and how to come back shared.",
    "Not enough information to accept; referrer asked to resend with the family's consent.",
    "{name} lives outside our area; referral passed to their local service with consent.",
    "Difficulties sound mild and improving; self-help resources and helpline details sent.",
    "Better met by the community counselling service; family agreed we pass on the referral.",
)

TRIAGE_RATIONALE = (
    "While {name} waits for an assessment we agreed on advice and self-help, and a number to "
    "ring if things get worse.",
    "We talked on the phone with {name}'s family and agreed advice and signposting for now; "
    "the assessment will look at more help.",
    "Agreed on the phone: some reading and an app to try while waiting, and a check-in call.",
)

# Rationale for the first decision in an episode, by grouping.
RATIONALE = {
    "thriving": (
        "{name} feels things are going well and does not want any help just now.",
    ),
    "getting_advice": (
        "{name} and family feel they can manage with some advice and knowing where to go; we "
        "will check in once.",
        "Mild worries that are already easing. We shared self-help ideas and a youth group "
        "{name} liked the sound of.",
        "The family would rather manage themselves with advice than start therapy now.",
    ),
    "getting_help": (
        "{name} wants to work on a few clear goals over about eight sessions, then see how "
        "things are.",
        "We agreed short, focused help at school, with goals {name} chose, and a review date.",
        "Guided self-help with a practitioner suits {name}: clear goals and a set number of "
        "sessions.",
        "{name} and parent chose one-to-one sessions over group work; goals agreed today.",
    ),
    "getting_more_help": (
        "Things have been hard for a long time and one kind of help is not enough; two of us "
        "will work with {name} and the family.",
        "{name} needs more specialist help over a longer time, including family sessions.",
        "We agreed a longer piece of work with regular reviews, as the difficulties are "
        "complex.",
    ),
    "getting_risk_support": (
        "{name} is not able to use therapy right now; we agreed a plan with school and social "
        "care to keep {name} safe.",
        "The priority is safety. A shared risk support plan with the family, reviewed often.",
        "Several services will work together on a crisis plan {name} helped write.",
    ),
}

# Rationale when the grouping changes, by direction.
MOVE_RATIONALE = {
    "up": (
        "Things have got harder despite the sessions; {name} and family agreed to try more "
        "help.",
        "Goals are not moving and new worries came up; we agreed a longer, joint piece of "
        "work.",
        "{name} asked for more support after a difficult few weeks.",
    ),
    "down": (
        "{name} has made real progress; we agreed to step down and keep a lighter touch.",
        "Goals mostly reached. {name} would like a few check-ins rather than weekly sessions.",
        "Risk has reduced and {name} is ready to use therapy again.",
        "Things are calmer at home and school; advice and knowing how to come back is "
        "enough now.",
    ),
    "same": (
        "Reviewed together: the help is working and {name} wants to carry on.",
        "Progress is slow but steady; we agreed to continue as planned and review again.",
        "Reviewed with {name} and parent; no change for now.",
    ),
}

OTHER_PARTICIPANTS = (
    "Head of year", "School SENCo", "Social worker", "Youth worker", "School nurse",
    "Designated safeguarding lead", "Grandparent", "Interpreter",
)
DECISION_AIDS = ("Options grid", "THRIVE groupings leaflet", "Choice appointment guide")

GOALS = {
    "anxiety": (
        "To go into school without feeling sick every morning",
        "To be able to go into town with my friends",
        "To worry less about things that might happen",
        "To sleep in my own room all night",
        "To put my hand up in class",
    ),
    "low_mood": (
        "To feel like getting out of bed on school days",
        "To start doing things I used to enjoy, like football",
        "To talk to Mum when I feel down instead of keeping it in",
        "To feel better about myself",
    ),
    "self_harm": (
        "To find other ways to cope when things get too much",
        "To tell someone when I feel like hurting myself",
        "To go a month without hurting myself",
    ),
    "eating": (
        "To eat lunch at school with my friends",
        "To stop feeling guilty after I eat",
        "To eat meals with my family again",
    ),
    "behaviour": (
        "To have fewer arguments with my mum",
        "To walk away when I get angry instead of hitting",
        "To stay in class all day without being sent out",
    ),
    "neurodevelopmental": (
        "To understand why I find some things hard",
        "To get my homework done without a big row",
        "To cope better when plans change",
    ),
    "trauma": (
        "To have fewer nightmares",
        "To feel safe at home",
        "To stop the bad memories taking over",
    ),
    "relationships": (
        "To get on better with my dad",
        "To make a friend in my new class",
        "To know what to do when people are mean online",
    ),
    "psychosis": (
        "To understand what is happening to me",
        "To get back to college",
    ),
    "obsessive_compulsive": (
        "To get ready for school in under an hour",
        "To stop washing my hands so much they hurt",
    ),
    "school_attendance": (
        "To get to school on time most days",
        "To go back to school for full days",
    ),
    "other": (
        "To have someone to talk to about how I feel",
        "To feel more confident",
    ),
}

PLAN_IF_NOT_MET = (
    "If this hasn't changed by the review we will talk about other options together, like group "
    "work or more specialist help.",
    "We will look at what got in the way and agree whether to keep going or try something else.",
    "If not reached we will ask {name} what would help and think about a different approach.",
    "Review with {name} and parent; consider a referral for more help if things are no better.",
)

CONTACT_SUMMARY = {
    "triage": ("Telephone triage with parent", "Triage call with {name} and parent"),
    "assessment": ("Assessment with {name} and parent", "Choice appointment with {name}"),
    "getting_advice": ("Advice session; self-help plan shared", "Follow-up check-in call"),
    "getting_help": (
        "Worked on noticing worried thoughts", "Practised a breathing exercise",
        "Planned small steps towards goal 1", "Reviewed homework and goals",
        "Session with parent on supporting {name}", "Problem-solving a hard week",
    ),
    "getting_more_help": (
        "Family session", "Joint session with psychiatrist", "Individual therapy session",
        "Reviewed progress and medication", "Worked on the relapse plan",
    ),
    "getting_risk_support": (
        "Safety check-in; crisis plan reviewed", "Multi-agency meeting",
        "Home visit with social worker", "Reviewed triggers and what helped this week",
    ),
    "thriving": ("Check-in call; things are going well",),
    "did_not_attend": ("Did not attend; letter offering another appointment",
                       "No answer at home; text sent"),
    "cancelled": ("Appointment cancelled and rearranged",),
}

NEXT_STEP_DETAIL = {
    "none_needed": ("{name} feels ready to manage without help.", ""),
    "signposted": ("Given details of the local youth club and Kooth.",
                   "Signposted to the young carers' group."),
    "school_support": ("School pastoral lead will check in weekly.", "Continues with school nurse."),
    "transferred": ("Referred on to CAMHS for more help.",
                    "Referred to CAMHS with the family's agreement; school support continues."),
    # A transfer from a CAMHS team goes somewhere more specialised, or to another area.
    "transferred_camhs": ("Care passed to another CAMHS team for more help.",
                          "Transferred to the regional specialist service.",
                          "Transferred to the local CAMHS where the family now lives."),
    "rereferral_advice": ("Family know how to come back through the GP or directly.", ""),
    "other": ("", "Plan shared with the GP."),
}
