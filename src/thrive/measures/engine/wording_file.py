"""A wording file: the items, instructions and answer labels a service or agency shows a measure
with. Checked in full against the catalogue, every problem named with where it is, so a bad file
can be refused as a whole and fixed in one go.

Shape (the shipped ``item_text_free.json`` has the same one)::

    {"rcads47_child": {
        "instructions": "...",
        "answers": {"0": "...", "1": "...", ...},          # labels for every item's answers
        "item_answers": {"10": {"0": "...", ...}},         # an item's own labels, where different
        "items": {"1": "...", "2": "...", ...},
        "source": "..."}}                                   # optional: where the wording is from

The older service-file shape, ``{"rcads47_child": {"1": "text", ...}}`` (items only), is accepted.
"""

import difflib
import json
from dataclasses import dataclass, field

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue, Measure

MAX_BYTES = 2_000_000
MAX_TEXT = 2000  # characters in one item, label or instruction
SECTIONS = ("instructions", "answers", "item_answers", "items", "source")


@dataclass(frozen=True)
class MeasureWording:
    items: dict[int, str] = field(default_factory=dict)
    instructions: str = ""
    answers: dict[int, str] = field(default_factory=dict)
    item_answers: dict[int, dict[int, str]] = field(default_factory=dict)
    source: str = ""


@dataclass
class WordingFile:
    measures: dict[str, MeasureWording]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def _no_duplicates(pairs):
    seen, dupes = {}, []
    for key, value in pairs:
        if key in seen:
            dupes.append(key)
        seen[key] = value
    if dupes:
        seen["\0duplicates"] = dupes
    return seen


def parse_wording(raw: bytes | str, *, catalogue: Catalogue | None = None) -> WordingFile:
    """Every problem in the file, or its wording: never both, never an exception."""
    catalogue = catalogue or get_catalogue()
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            return WordingFile({}, [f"The file is larger than {MAX_BYTES // 1_000_000} MB"])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return WordingFile({}, [f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read): "
                                    "save it as UTF-8 and load it again"])
    if not raw.strip():
        return WordingFile({}, ["The file is empty"])
    try:
        data = json.loads(raw, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        return WordingFile({}, [f"Line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"])
    errors: list[str] = []
    if not isinstance(data, dict):
        return WordingFile({}, ["The file must be a JSON object: questionnaire id -> its wording"])
    _duplicates(data, "the file", errors)
    measures = {}
    for measure_id, value in data.items():
        if measure_id == "\0duplicates" or measure_id.startswith("_"):
            continue  # "_about" and the like: comments
        try:
            measure = catalogue.measure(measure_id)
        except ValueError:
            close = difflib.get_close_matches(measure_id, list(catalogue.measures), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            errors.append(f"{measure_id}: no such questionnaire in the catalogue{hint}")
            continue
        parsed = _measure(measure, value, errors)
        if parsed is not None:
            measures[measure_id] = parsed
    if not errors and not measures:
        errors.append("The file has no wording for any questionnaire")
    return WordingFile({} if errors else measures, errors)


def _duplicates(obj: dict, where: str, errors: list[str]) -> None:
    for key in obj.get("\0duplicates", []):
        errors.append(f"{where}: {key!r} appears more than once")


def _text(value, where: str, errors: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: must be text, not {_kind(value)}")
        return None
    if len(value) > MAX_TEXT:
        errors.append(f"{where}: longer than {MAX_TEXT} characters")
        return None
    return value.strip()


def _kind(value) -> str:
    if isinstance(value, str):
        return "empty text"
    return {dict: "an object", list: "a list", bool: "true or false", type(None): "null"}.get(
        type(value), "a number")


def _measure(measure: Measure, value, errors: list[str]) -> MeasureWording | None:
    where = measure.id
    if not measure.items:
        errors.append(f"{where}: {measure.name} has no questions to word (it is entered as a score)")
        return None
    if not isinstance(value, dict):
        errors.append(f"{where}: must be an object with items, instructions and answers")
        return None
    keys = [k for k in value if k != "\0duplicates"]
    if keys and all(k.strip().lstrip("-").isdigit() for k in keys):
        value = {"items": value}  # the older shape: item number -> text
    else:
        _duplicates(value, where, errors)
    out = {"items": {}, "instructions": "", "answers": {}, "item_answers": {}, "source": ""}
    for key in value:
        if key != "\0duplicates" and key not in SECTIONS:
            close = difflib.get_close_matches(key, SECTIONS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            errors.append(f"{where}: {key!r} is not one of {', '.join(SECTIONS)}{hint}")
    if "instructions" in value:
        out["instructions"] = _text(value["instructions"], f"{where} › instructions", errors) or ""
    if "source" in value:
        out["source"] = _text(value["source"], f"{where} › source", errors) or ""
    if "items" in value:
        out["items"] = _numbered(value["items"], f"{where} › items", errors,
                                 lambda n: n in measure.items, _item_span(measure))
    some = set.union(*(_allowed(measure, n) for n in measure.items))
    if "answers" in value:  # each label need only fit some item: others have their own labels
        out["answers"] = _numbered(value["answers"], f"{where} › answers", errors,
                                   lambda v: v in some, _values_span(some))
    if "item_answers" in value:
        per_item = value["item_answers"]
        if not isinstance(per_item, dict):
            errors.append(f"{where} › item_answers: must be an object: item number -> answer labels")
        else:
            _duplicates(per_item, f"{where} › item_answers", errors)
            for key, labels in per_item.items():
                if key == "\0duplicates":
                    continue
                number = _number(key, f"{where} › item_answers › {key}", errors)
                if number is None:
                    continue
                if number not in measure.items:
                    errors.append(f"{where} › item_answers › {key}: no such item ({_item_span(measure)})")
                    continue
                allowed = _allowed(measure, number)
                out["item_answers"][number] = _numbered(
                    labels, f"{where} › item_answers › {key}", errors, lambda v, a=allowed: v in a,
                    _values_span(allowed))
    return MeasureWording(**out)


def _allowed(measure: Measure, number: int) -> set[int]:
    item = measure.items[number]
    return set(range(item.min, item.max + 1)) | set(item.unscored_responses)


def _item_span(measure: Measure) -> str:
    numbers = sorted(measure.items)
    return f"{measure.name} has items {numbers[0]} to {numbers[-1]}"


def _values_span(values: set[int]) -> str:
    ordered = sorted(values)
    return "answers are " + ", ".join(str(v) for v in ordered)


def _number(key: str, where: str, errors: list[str]) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        errors.append(f"{where}: {key!r} is not a number")
        return None


def _numbered(value, where: str, errors: list[str], fits, span: str) -> dict[int, str]:
    if not isinstance(value, dict):
        errors.append(f"{where}: must be an object: number -> text")
        return {}
    _duplicates(value, where, errors)
    out = {}
    for key, text in value.items():
        if key == "\0duplicates":
            continue
        number = _number(key, f"{where} › {key}", errors)
        if number is None:
            continue
        if not fits(number):
            errors.append(f"{where} › {key}: not in this questionnaire ({span})")
            continue
        checked = _text(text, f"{where} › {key}", errors)
        if checked is not None:
            out[number] = checked
    return out


def wording_to_json(measures: dict[str, MeasureWording]) -> dict:
    """The stored form (the file's shape, normalised): what a version keeps and can be downloaded."""
    out = {}
    for measure_id, w in sorted(measures.items()):
        entry = {}
        if w.source:
            entry["source"] = w.source
        if w.instructions:
            entry["instructions"] = w.instructions
        if w.answers:
            entry["answers"] = {str(k): v for k, v in sorted(w.answers.items())}
        if w.item_answers:
            entry["item_answers"] = {str(n): {str(k): v for k, v in sorted(labels.items())}
                                     for n, labels in sorted(w.item_answers.items())}
        if w.items:
            entry["items"] = {str(k): v for k, v in sorted(w.items.items())}
        out[measure_id] = entry
    return out
