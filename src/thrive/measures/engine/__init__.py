"""Outcome-measures engine: catalogue as data, scoring, reliable change, national metric.

Pure Python (plus NumPy for batch scoring); no Django. Spec: docs/specs/domain/outcome-measures.md.
"""

from .batch_scoring import (
    MISSING,
    BatchResult,
    BatchScale,
    item_columns,
    long_to_wide,
    score_batch,
    score_batch_long,
    score_batch_mixed,
)
from .catalogue_loader import get_catalogue, load_catalogue, parse_catalogue
from .catalogue_model import Catalogue, Item, Measure, Scale, SnomedCoding
from .coded_items import CodedItemValue, coded_items
from .conversion_tables import ConversionTable, load_conversion_table, parse_conversion_table
from .episode_change import episode_outcome, paired_changes
from .errors import (
    ConflictingInput,
    DuplicateResponse,
    EnteredTotalOutOfRange,
    InvalidConfiguration,
    MeasureError,
    RaterNotAvailable,
    ResponseOutOfRange,
    UnknownItem,
    UnknownMeasure,
    UnknownScale,
)
from .experience_measures import (
    CollaborateSummary,
    chi_esq_most_positive,
    collaborate_summary,
    collaborate_top_score,
)
from .item_text import load_item_text, parse_item_text
from .national_metric import (
    Contact,
    RecordedScore,
    ReferralOutcome,
    is_qualifying_contact,
    national_metric_for_referral,
    published_figures,
    select_first_last,
)
from .rater_rollup import RaterOutcome, ScaleChange, roll_up_by_rater
from .reliable_change import (
    ChangeResult,
    Classification,
    ClinicalCutoffs,
    classify_change,
    classify_values,
    clinical_cutoffs,
    jacobson_truax_threshold,
)
from .results import CompletionScore, RiskAlert, ScoreResult
from .rounding import display, round_half_up
from .scoring import score
from .talking_therapies import TalkingTherapiesOutcome, recovery_rate, talking_therapies_outcome
from .wording_file import MeasureWording, WordingFile, parse_wording, wording_to_json

__all__ = [
    "MISSING",
    "BatchResult",
    "BatchScale",
    "Catalogue",
    "ChangeResult",
    "Classification",
    "ClinicalCutoffs",
    "CodedItemValue",
    "CollaborateSummary",
    "CompletionScore",
    "ConflictingInput",
    "Contact",
    "ConversionTable",
    "DuplicateResponse",
    "EnteredTotalOutOfRange",
    "InvalidConfiguration",
    "Item",
    "Measure",
    "MeasureError",
    "RaterNotAvailable",
    "RaterOutcome",
    "RecordedScore",
    "ReferralOutcome",
    "ResponseOutOfRange",
    "RiskAlert",
    "Scale",
    "ScaleChange",
    "ScoreResult",
    "SnomedCoding",
    "TalkingTherapiesOutcome",
    "UnknownItem",
    "UnknownMeasure",
    "UnknownScale",
    "chi_esq_most_positive",
    "classify_change",
    "classify_values",
    "clinical_cutoffs",
    "coded_items",
    "collaborate_summary",
    "collaborate_top_score",
    "display",
    "episode_outcome",
    "get_catalogue",
    "is_qualifying_contact",
    "item_columns",
    "jacobson_truax_threshold",
    "load_catalogue",
    "load_conversion_table",
    "load_item_text",
    "MeasureWording",
    "WordingFile",
    "parse_wording",
    "wording_to_json",
    "long_to_wide",
    "national_metric_for_referral",
    "paired_changes",
    "parse_catalogue",
    "parse_conversion_table",
    "parse_item_text",
    "published_figures",
    "recovery_rate",
    "roll_up_by_rater",
    "round_half_up",
    "score",
    "score_batch",
    "score_batch_long",
    "score_batch_mixed",
    "select_first_last",
    "talking_therapies_outcome",
]
