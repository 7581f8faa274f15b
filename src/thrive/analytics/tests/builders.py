"""Hand-built tiny extracts for the metric tests."""

import csv
import io
from datetime import date, time

import pyarrow as pa
from django.core.management import call_command

from thrive.analytics.engine import connect
from thrive.analytics.schema import TABLES, write_extract

GAD7 = "445455005"
SDQ_SELF_EMOTIONAL = "718145004"
SDQ_PARENT_PROSOCIAL = "986111000000107"
RCADS_CHILD_DEPRESSION = "718655001"
RCADS_CHILD_DEPRESSION_V1 = "958231000000102"
PHQ9 = "720433000"
CGAS = "860591000000104"
GBO_GOAL_1 = "1034351000000101"
HONOSCA_CR_1 = "989751000000102"


def d(text: str) -> date:
    return date.fromisoformat(text)


class Extract:
    """Rows added by helpers with sensible defaults; ``write(tmp_path)`` makes the Parquet."""

    def __init__(self):
        self.rows = {name: [] for name in TABLES}
        self._n = 0

    def _id(self, prefix):
        self._n += 1
        return f"{prefix}{self._n:04d}"

    def person(self, person_id="P1", sex="1", la_code=None, **extra):
        self.rows["people"].append(dict(person_id=person_id, sex=sex, la_code=la_code, **extra))
        return person_id

    def referral(self, referral_id="R1", person_id="P1", received="2023-11-01", discharged="2024-04-30",
                 age=12, team_type=None, rejected=None, **extra):
        if not any(p["person_id"] == person_id for p in self.rows["people"]):
            self.person(person_id)
        self.rows["referrals"].append(dict(
            referral_id=referral_id, person_id=person_id, received_on=d(received),
            discharged_on=d(discharged) if discharged else None, age_at_referral=age,
            team_type=team_type, rejected_on=d(rejected) if rejected else None, **extra))
        return referral_id

    def contact(self, on, referral_id="R1", at="10:00:00", attend="5", mechanism="01", kind="direct",
                contact_id=None):
        self.rows["contacts"].append(dict(
            contact_id=contact_id or self._id("C"), kind=kind, person_id=self._person(referral_id),
            referral_id=referral_id, contact_date=d(on), contact_time=time.fromisoformat(at) if at else None,
            attend_status=attend if kind == "direct" else None,
            mechanism=mechanism if kind == "direct" else None))

    def score(self, concept_id, value, on, referral_id="R1", score_id=None):
        self.rows["scores"].append(dict(
            score_id=score_id or self._id("S"), person_id=self._person(referral_id),
            referral_id=referral_id, concept_id=concept_id, score=str(value), completed_on=d(on)))

    def _person(self, referral_id):
        return next(r["person_id"] for r in self.rows["referrals"] if r["referral_id"] == referral_id)

    def tables(self):
        return {name: pa.Table.from_pylist(rows, schema=_loose(TABLES[name], rows))
                for name, rows in self.rows.items() if rows}

    def write(self, path):
        write_extract(path, self.tables(), source="test")
        return path

    def connect(self, path):
        return connect(self.write(path))

    def refresh_page(self, tmp_path, settings):
        """Write the extract under tmp_path and compute the analytics page's figures from it, as
        `thrive refresh_analytics --extract` does; returns the aggregates' directory."""
        self.write(tmp_path / "extract")
        settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
        call_command("refresh_analytics", "--extract", str(tmp_path / "extract"))
        return tmp_path / "analytics" / "aggregates"


def _loose(schema, rows):
    present = set().union(*(r.keys() for r in rows))
    return pa.schema([f for f in schema if f.name in present])


def downloaded_csv(client, slug: str, params=None) -> list[list[str]]:
    """A dashboard's CSV download: the table of figures a spreadsheet shows under the lines that
    name the dashboard, period and filters."""
    response = client.get(f"/analytics/download/{slug}.csv", params or {})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[rows.index([]) + 1:]  # the figures, under the lines saying what they are


def all_pages(client, params=None) -> str:
    """The list of dashboards and every dashboard's own page, as one text to search."""
    from thrive.analytics.dashboards import CHARTS

    urls = ["/analytics/"] + [f"/analytics/{chart.slug}/" for chart in CHARTS]
    return "\n".join(client.get(url, params or {}).content.decode() for url in urls)
