"""The trauma overlay's items (Adverse Community Experiences and Resilience, Prevention
Institute, 2016), each beside the cluster it bears on. Plain data: never scored."""

ITEMS = (
    ("deteriorated_environments", "place", "Deteriorated environments"),
    ("fragmented_social_relations", "people", "Fragmented social relations"),
    ("broken_social_networks", "people", "Broken social networks"),
    ("destructive_social_norms", "people", "Destructive social norms"),
    ("low_collective_efficacy", "people", "Low collective efficacy"),
)
LABELS = {key: label for key, _, label in ITEMS}
CLUSTER = {key: cluster for key, cluster, _ in ITEMS}
