"""What the results, moderation, PDF, CSV and comparison pages show, worked out from the
rounds (scoring.py does the arithmetic)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from . import scoring, services
from .models import Round
from .principles import LEVEL_NAMES

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"


@dataclass
class Results:
    agreed: dict[str, int | None]
    rationale: dict[str, str]
    summary: scoring.Summary
    previous: Round | None
    previous_summary: scoring.Summary | None
    changes: list[scoring.Change]
    total_change: int | None
    statements: dict[str, str]
    levels: dict[str, str]

    @property
    def rows(self):
        for change in self.changes:
            yield {
                "principle": change.principle,
                "statement": self.statements[change.principle],
                "level": self.levels[change.principle],
                "score": change.after,
                "label": scoring.label(change.after),
                "thrive_like": scoring.is_thrive_like(change.after),
                "before": change.before if self.previous else None,
                "before_label": scoring.label(change.before) if self.previous else "",
                "difference": change.difference,
                "rationale": self.rationale.get(change.principle, ""),
            }


def results(round_: Round) -> Results:
    agreed = services.agreed_scores(round_)
    previous = services.previous_round(round_)
    before = services.agreed_scores(previous) if previous else {}
    ps = round_.principle_set
    return Results(
        agreed=agreed,
        rationale=dict(round_.agreed.values_list("principle", "rationale")),
        summary=scoring.summarise(agreed),
        previous=previous,
        previous_summary=scoring.summarise(before) if previous else None,
        changes=scoring.changes(before, agreed),
        total_change=scoring.total_change(before, agreed),
        statements={p["id"]: p["statement"] for p in ps.principles},
        levels={p["id"]: LEVEL_NAMES[p["level"]] for p in ps.principles},
    )


def moderation_rows(round_: Round) -> list[dict]:
    """Per principle: the submitted members' scores and notes, and their spread."""
    submitted = list(
        round_.panel.filter(submitted_at__isnull=False)
        .select_related("user__agency")
        .prefetch_related("scores")
    )
    agreed = {a.principle: a for a in round_.agreed.all()}
    rows = []
    for p in round_.principle_set.principles:
        entries = []
        for member in submitted:
            s = next((s for s in member.scores.all() if s.principle == p["id"]), None)
            entries.append(
                {
                    "member": member.display_name,
                    "organisation": member.display_organisation,
                    "score": s.score if s else None,
                    "label": scoring.label(s.score if s else None),
                    "notes": s.notes if s else "",
                }
            )
        rows.append(
            {
                "principle": p,
                "entries": entries,
                "spread": scoring.spread([e["score"] for e in entries]),
                "agreed": agreed.get(p["id"]),
            }
        )
    return rows


def by_system_level(res: Results) -> list[dict]:
    """Subtotals for the macro, meso and micro levels of the system."""
    out = []
    for name in dict.fromkeys(res.levels.values()):
        scores = {pid: res.agreed[pid] for pid, lv in res.levels.items() if lv == name and pid in res.agreed}
        summary = scoring.summarise(scores)
        out.append({"level": name, "principles": len(scores), "summary": summary})
    return out


def principle_profile_spec(res: Results) -> dict:
    """Bar chart: each principle's agreed score, coloured by level, with the THRIVE-like line at 3
    (principles not judged have no bar; the table beside it lists every principle)."""
    values = [
        {"principle": pid, "score": score, "level": res.levels[pid].split(" – ")[0]}
        for pid, score in res.agreed.items()
        if score is not None
    ]
    order = list(res.agreed)
    return {
        "$schema": VEGA_LITE,
        "description": "Agreed score of each principle, by level of the system; THRIVE-like at 3 or more",
        "width": "container",
        "height": 220,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "x": {
                        "field": "principle",
                        "type": "nominal",
                        "title": "Principle",
                        "sort": order,
                        "axis": {"labelAngle": 0},
                    },
                    "y": {
                        "field": "score",
                        "type": "quantitative",
                        "title": "Agreed score",
                        "scale": {"domain": [0, 4]},
                        "axis": {"values": [0, 1, 2, 3, 4]},
                    },
                    "color": {
                        "field": "level",
                        "type": "nominal",
                        "title": "Level",
                        "scale": {
                            "domain": ["Macro", "Meso", "Micro"],
                            "range": ["#005eb8", "#7c2855", "#007f3b"],
                        },
                    },
                },
            },
            {
                "data": {"values": [{"line": 3}]},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#212b32"},
                "encoding": {"y": {"field": "line", "type": "quantitative"}},
            },
        ],
    }


def profile_spec(res: Results) -> dict:
    """Bar chart: how many principles were agreed at each score (the table beside it says the same)."""
    values = [
        {
            "score": str(level),
            "principles": res.summary.by_level[level],
            "thrive_like": "THRIVE-like (3 or more)" if level >= scoring.THRIVE_LIKE_FROM else "Below 3",
        }
        for level in scoring.LEVELS
    ]
    return {
        "$schema": VEGA_LITE,
        "description": "Number of principles at each agreed score",
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "score", "type": "ordinal", "title": "Agreed score", "axis": {"labelAngle": 0}},
            "y": {
                "field": "principles",
                "type": "quantitative",
                "title": "Principles",
                "axis": {"tickMinStep": 1},
            },
            "color": {
                "field": "thrive_like",
                "type": "nominal",
                "title": None,
                "scale": {"domain": ["Below 3", "THRIVE-like (3 or more)"], "range": ["#d5281b", "#007f3b"]},
            },
        },
    }


def file_stem(round_: Round) -> str:
    return f"thrive-self-assessment-{round_.held_on:%Y-%m-%d}-{round_.public_id.hex[:8]}"


def csv_rows(round_: Round, res: Results) -> list[list]:
    rows = [
        ["Round", round_.title],
        ["Site", round_.site],
        ["Assessment date", round_.held_on.isoformat()],
        ["Evidence period", f"{round_.period_start.isoformat()} to {round_.period_end.isoformat()}"],
        ["Status", round_.get_status_display()],
        ["Site total", res.summary.total],
        ["Principles scored", res.summary.scored],
        ["THRIVE-like principles", res.summary.thrive_like],
        [
            "Share THRIVE-like (%)",
            "" if res.summary.share_thrive_like is None else res.summary.share_thrive_like,
        ],
        ["Change in total since last round", "" if res.total_change is None else res.total_change],
        [],
        [
            "Principle",
            "Level",
            "Statement",
            "Agreed score",
            "THRIVE-like",
            "Previous score",
            "Change",
            "Rationale",
        ],
    ]
    for r in res.rows:
        rows.append(
            [
                r["principle"],
                r["level"],
                r["statement"],
                r["label"],
                "yes" if r["thrive_like"] else "no",
                r["before_label"],
                "" if r["difference"] is None else r["difference"],
                r["rationale"],
            ]
        )
    return rows


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"Fetching {url!r} is not allowed when printing")


def results_pdf(round_: Round, res: Results, *, generated_by: str) -> bytes:
    from weasyprint import HTML  # slow to import; only printing needs it

    html = render_to_string(
        "assessment/results_print.html",
        {
            "round": round_,
            "res": res,
            "generated_by": generated_by,
            "generated_at": timezone.localtime(timezone.now()),
            "actions": round_.actions.all(),
            "system_levels": by_system_level(res),
        },
    )
    return HTML(string=html, base_url=None, url_fetcher=_refuse_fetch).write_pdf()


def comparison(rounds: list[Round]) -> dict:
    """Agreed scores of several rounds side by side (one column each), with totals."""
    per_round = [(r, results(r)) for r in rounds]
    ids = rounds[0].principle_set.ids
    statements = {p["id"]: p["statement"] for p in rounds[0].principle_set.principles}
    return {
        "columns": [{"round": r, "summary": res.summary} for r, res in per_round],
        "rows": [
            {
                "principle": pid,
                "statement": statements[pid],
                "scores": [
                    scoring.label(res.agreed[pid]) if pid in res.agreed else "–" for _, res in per_round
                ],
            }
            for pid in ids
        ],
    }
