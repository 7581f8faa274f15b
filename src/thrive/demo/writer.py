"""Write a generated demo into the database, and remove it again.

One password hash for every user, ids given out here (so children can point at parents without
reading anything back), all in one transaction. Each generated record becomes a row (a dict of
column values by attribute name) once, in `_Rows`; two ways write those rows:

- fast (the default): PostgreSQL's COPY, or SQLite's executemany, straight from the row values
  prepared by each field exactly as the ORM prepares them (`get_db_prep_save`) - no model
  instances. A million young people load in minutes.
- orm: `bulk_create` of model instances, as the demo was always written; kept as the reference
  the fast path is tested against, table by table, on both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Max, Q
from django.utils import timezone

from thrive.accounts.models import Agency, Team, User
from thrive.care.models import Contact, Ending, Episode, Goal, GoalRating, GroupingDecision
from thrive.measures import engine
from thrive.measures.models import Completion, ScaleScore, Source
from thrive.people.models import ParentCarer, YoungPerson

from .generator import DEMO_PASSWORD, Demo
from .locality import AGENCY_NAMES, SIGNIN_USERNAMES
from .records import Locality

BATCH_SIZE = 2000
Through = GroupingDecision.practitioners.through
# Parents before children; the order rows are inserted and the reverse of deleting them.
MODELS = (YoungPerson, ParentCarer, Episode, GroupingDecision, Through, Goal, GoalRating,
          Contact, Ending, Completion, ScaleScore)


class NotDemoData(Exception):
    """The database holds young people the demo did not make: never delete those."""


def write(demo: Demo, *, progress: Callable[[int, int], None] | None = None,
          batch_size: int = BATCH_SIZE, fast: bool = True) -> dict[str, int]:
    """Insert the demo; returns rows written per table. `fast=False` writes through the ORM's
    bulk_create (the same rows, more slowly)."""
    with transaction.atomic():
        ids = _write_locality(demo.locality, make_password(DEMO_PASSWORD))
        sink = _fast_sink() if fast else _bulk_create
        # PostgreSQL checks a foreign key row by row (about 20 us each, at commit); for a big
        # load it is far quicker to drop the demo tables' foreign keys and add them back after,
        # when the database checks each one in a single pass. Same constraints, same checks.
        keys = _drop_foreign_keys() if fast and connection.vendor == "postgresql" else []
        rows = _Rows(ids)
        written = dict.fromkeys(MODELS, 0)

        def flush():
            for model in MODELS:
                if rows.rows[model]:
                    sink(model, rows.rows[model], batch_size)
                    written[model] += len(rows.rows[model])
                    rows.rows[model] = []

        done = 0
        for history in demo.histories():
            rows.add(history)
            done += 1
            if len(rows.rows[YoungPerson]) >= batch_size:
                flush()
                if progress:
                    progress(done, demo.young_people)
        flush()
        if progress and done % batch_size:
            progress(done, demo.young_people)
        _add_foreign_keys(keys)
        _reset_sequences()
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses about millions of new rows until
            # autovacuum gets round to them (a demo step after the load took minutes on a guess).
            with connection.cursor() as cursor:
                for model in MODELS:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    counts = {"agencies": len(demo.locality.agencies), "teams": len(demo.locality.teams),
              "users": len(demo.locality.users)}
    counts.update({model._meta.db_table: n for model, n in written.items()})
    return counts


@dataclass
class _Ids:
    """Database ids of the locality's records, by key."""

    agencies: dict[int, int]
    teams: dict[int, int]
    users: dict[int, int]


def _write_locality(locality: Locality, password: str) -> _Ids:
    """Create or update agencies, teams and users by name (a few dozen rows, or a few thousand
    users for a very large demo).

    Updating in place (rather than insisting on an empty table) lets a demo be reloaded when
    an audit log still points at last time's users.
    """
    agencies = {a.name: a for a in Agency.objects.filter(name__in=AGENCY_NAMES)}
    for rec in locality.agencies:
        agency = agencies.get(rec.name) or Agency(name=rec.name)
        agency.kind, agency.ods_code = rec.kind, rec.ods_code
        agency.save()
        agencies[rec.name] = agency
    agency_ids = {rec.key: agencies[rec.name].pk for rec in locality.agencies}

    team_ids = {}
    for rec in locality.teams:
        team, _ = Team.objects.get_or_create(agency_id=agency_ids[rec.agency_key], name=rec.name)
        team_ids[rec.key] = team.pk

    usernames = [u.username for u in locality.users]
    existing = {}
    for start in range(0, len(usernames), 500):
        existing.update(User.objects.in_bulk(usernames[start:start + 500], field_name="username"))
    new, changed = [], []
    for rec in locality.users:
        user = existing.get(rec.username) or User(username=rec.username)
        user.first_name, user.last_name, user.email = rec.first_name, rec.last_name, rec.email
        user.role, user.job_title, user.password, user.is_active = (
            rec.role, rec.job_title, password, True)
        user.must_change_password = False  # the demo password is theirs again
        user.agency_id = agency_ids.get(rec.agency_key)
        user.team_id = team_ids.get(rec.team_key)
        (changed if user.pk else new).append(user)
    User.objects.bulk_update(changed, ["first_name", "last_name", "email", "role", "job_title",
                                       "password", "is_active", "agency", "team",
                                       "must_change_password"],
                             batch_size=500)
    User.objects.bulk_create(new, batch_size=500)
    ids = {}
    for start in range(0, len(usernames), 500):
        ids.update(User.objects.filter(username__in=usernames[start:start + 500])
                   .values_list("username", "pk"))
    return _Ids(agency_ids, team_ids, {rec.key: ids[rec.username] for rec in locality.users})


class _Rows:
    """Turns generated records into rows (column values by attribute name), buffered per table
    in dependency order. Columns not named here take the model field's default."""

    def __init__(self, ids: _Ids):
        self.ids, self.users = ids, ids.users
        # Ids continue after whatever is already there; key k becomes id base + k.
        self.base = {m: (m.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
                     for m in MODELS if m is not Through}
        self.rows: dict[type, list[dict]] = {m: [] for m in MODELS}
        self.scores_made = 0

    def add(self, history) -> None:
        b, rows = self.base, self.rows
        p = history.person
        rows[YoungPerson].append(dict(
            id=b[YoungPerson] + p.key, public_id=uuid.UUID(p.public_id), nhs_number=p.nhs_number,
            given_name=p.given_name, family_name=p.family_name, preferred_name=p.preferred_name,
            date_of_birth=p.date_of_birth, sex=p.sex, gender_identity=p.gender_identity,
            ethnic_category=p.ethnic_category, school=p.school,
            local_authority=p.local_authority, postcode=p.postcode,
            deprivation_decile=p.deprivation_decile,
        ))
        person_id = b[YoungPerson] + p.key
        for c in history.carers:
            rows[ParentCarer].append(dict(
                id=b[ParentCarer] + c.key, young_person_id=person_id, name=c.name,
                relationship=c.relationship, parental_responsibility=c.parental_responsibility,
                lives_with_young_person=c.lives_with_young_person, phone=c.phone, email=c.email,
            ))
        for bundle in history.episodes:
            self._add_episode(bundle, person_id)

    def _add_episode(self, bundle, person_id: int) -> None:
        b, u, rows = self.base, self.users, self.rows
        e = bundle.episode
        episode_id = b[Episode] + e.key
        rows[Episode].append(dict(
            id=episode_id, public_id=uuid.UUID(e.public_id), young_person_id=person_id,
            agency_id=self.ids.agencies[e.agency_key], team_id=self.ids.teams[e.team_key],
            lead_practitioner_id=u[e.lead_key] if e.lead_key is not None else None,
            referral_received_on=e.referral_received_on, referral_source=e.referral_source,
            referral_reason=e.referral_reason, referral_detail=e.referral_detail,
            triaged_on=e.triaged_on, accepted_on=e.accepted_on, declined_on=e.declined_on,
            declined_reason=e.declined_reason, assessed_on=e.assessed_on,
            first_help_on=e.first_help_on,
        ))
        for d in bundle.decisions:
            decision_id = b[GroupingDecision] + d.key
            rows[GroupingDecision].append(dict(
                id=decision_id, episode_id=episode_id, decided_on=d.decided_on,
                grouping=d.grouping, young_person_took_part=d.young_person_took_part,
                parent_carer_took_part=d.parent_carer_took_part,
                other_participants=d.other_participants,
                options_discussed=list(d.options_discussed),
                options_preferred=list(d.options_preferred), decision_aid=d.decision_aid,
                rationale=d.rationale, made_explicit=d.made_explicit, review_on=d.review_on,
                is_current=d.is_current, recorded_by_id=u[d.recorded_by_key],
            ))
            rows[Through].extend(dict(groupingdecision_id=decision_id, user_id=u[k])
                                 for k in d.practitioner_keys)
        for g in bundle.goals:
            rows[Goal].append(dict(
                id=b[Goal] + g.key, episode_id=episode_id, number=g.number,
                description=g.description, agreed_on=g.agreed_on, expected_by=g.expected_by,
                plan_if_not_met=g.plan_if_not_met, recorded_by_id=u[g.recorded_by_key],
            ))
        for r in bundle.ratings:
            rows[GoalRating].append(dict(
                id=b[GoalRating] + r.key, goal_id=b[Goal] + r.goal_key, rated_on=r.rated_on,
                rating=r.rating, rated_by=r.rated_by, recorded_by_id=u[r.recorded_by_key],
            ))
        for c in bundle.contacts:
            rows[Contact].append(dict(
                id=b[Contact] + c.key, episode_id=episode_id, date=c.date, time=c.time,
                mode=c.mode, attendance=c.attendance,
                practitioner_id=u[c.practitioner_key] if c.practitioner_key is not None else None,
                summary=c.summary,
            ))
        if bundle.ending:
            n = bundle.ending
            rows[Ending].append(dict(
                id=b[Ending] + n.key, episode_id=episode_id, ended_on=n.ended_on,
                reason=n.reason, goals_met=n.goals_met, agreed_with_family=n.agreed_with_family,
                next_step=n.next_step, next_step_detail=n.next_step_detail,
                recorded_by_id=u[n.recorded_by_key],
            ))
        self._add_completions(bundle, episode_id)

    def _add_completions(self, bundle, episode_id: int) -> None:
        """Questionnaires answered item by item (or a rating copied in, as CGAS), with their
        scale scores, T-scores, bands and risk alerts from the engine, as recording one does
        (measures.services.record_completion). Current View has no scales, so no scores."""
        b, rows = self.base, self.rows
        for c in bundle.completions:
            completion_id = b[Completion] + c.key
            responses = dict(c.responses)
            totals = dict(c.entered_totals)
            scored = engine.score(c.measure_id, responses, rater=c.rater, age=c.age, sex=c.sex,
                                  completed_on=c.completed_on, entered_totals=totals)
            rows[Completion].append(dict(
                id=completion_id, public_id=uuid.UUID(int=completion_id, version=4),
                episode_id=episode_id, measure_id=c.measure_id, rater=c.rater, respondent=c.rater,
                completed_on=c.completed_on, source=Source.ENTERED_TOTAL if totals else Source.ITEMS,
                responses={str(k): _json_number(v) for k, v in responses.items()},
                entered_totals=totals, risk_alerts=[a.message for a in scored.risk_alerts],
                recorded_by_id=self.users[c.recorded_by_key],
            ))
            for r in scored:
                rows[ScaleScore].append(dict(
                    id=b[ScaleScore] + self.scores_made, completion_id=completion_id, scale_id=r.scale_id,
                    value=_six_places(r.value), t_score=_six_places(r.t_score), band=r.band or "",
                    caseness=r.caseness, n_answered=r.n_answered, prorated=r.prorated, source=r.source,
                    missing_reason=r.missing_reason or "", notes=list(r.notes),
                ))
                self.scores_made += 1



def _bulk_create(model, rows: list[dict], batch_size: int) -> None:
    model.objects.bulk_create([model(**row) for row in rows], batch_size=batch_size)


def _fast_sink():
    """COPY on PostgreSQL, executemany elsewhere; rows become tuples of prepared values."""
    now = timezone.now()  # one creation time for the whole load (the ORM takes one per row)
    tables = {}

    def sink(model, rows: list[dict], batch_size: int) -> None:
        if model not in tables:
            tables[model] = _Table(model, given=rows[0].keys(), now=now)
        table = tables[model]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(table.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(table.values(row))
            else:
                cursor.executemany(table.insert_sql, [table.values(row) for row in rows])

    return sink


class _Table:
    """How one model's rows become database values: every concrete column, in order, each
    prepared by its field as bulk_create prepares it (so the stored rows are the same)."""

    # Values the drivers take as they are: preparing them would only cost time.
    PLAIN = {"CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField",
             "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
             "PositiveBigIntegerField", "AutoField", "BigAutoField", "ForeignKey",
             "OneToOneField"}

    def __init__(self, model, *, given, now):
        given = set(given)
        self.db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy (faster)
        # The primary key only when given: the many-to-many table numbers its own rows.
        fields = [f for f in model._meta.concrete_fields
                  if not (f.primary_key and f.attname not in given)]
        self.columns = []
        for f in fields:
            plain = f.get_internal_type() in self.PLAIN
            if f.attname in given:
                self.columns.append((f.attname, None, None if plain else f))
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.columns.append((None, f.get_db_prep_save(now, connection), None))
            elif f.has_default() and callable(f.default):
                self.columns.append((None, None, f))  # a fresh default for every row
            else:
                self.columns.append((None, f.get_db_prep_save(f.get_default(), connection),
                                     None))
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        table = quote(model._meta.db_table)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        self.insert_sql = (f"INSERT INTO {table} ({names}) VALUES "
                           f"({', '.join(['%s'] * len(fields))})")

    def values(self, row: dict) -> tuple:
        out, db = [], self.db
        for name, constant, field in self.columns:
            if name is not None:
                value = row[name]
                out.append(value if field is None else field.get_db_prep_save(value, db))
            elif field is not None:
                out.append(field.get_db_prep_save(field.get_default(), db))
            else:
                out.append(constant)
        return tuple(out)


def _drop_foreign_keys() -> list[tuple[str, str, str]]:
    """Drop the foreign keys of the tables the demo fills; returns them to be added back."""
    tables = [m._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        # Checks still pending from earlier in the transaction (a flush, say) would forbid the
        # ALTER TABLE: run them now. Django's constraints are deferred again after the load.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2", [tables])
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    return keys


def _add_foreign_keys(keys: list[tuple[str, str, str]]) -> None:
    if not keys:
        return
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT "
                           f"{connection.ops.quote_name(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _six_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001"))


def _json_number(value):
    """As recording stores an answer: whole numbers as int, one-decimal answers (ORS) as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _reset_sequences() -> None:
    """PostgreSQL sequences must catch up with the ids given out here (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [m for m in MODELS
                                                                if m is not Through])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def has_young_people() -> bool:
    return YoungPerson.objects.exists()


def flush() -> None:
    """Delete every young person and everything that hangs off them; retire the demo's staff.

    Refuses if any young person has an NHS number outside the 999 test range: that is not demo
    data. Tables are found by following foreign keys to YoungPerson, so records other apps add
    (measures, plans, referrals...) go too, deleted children first with plain DELETEs (fast,
    and no cascade surprises). Staff are deleted unless something else still names them, such
    as the append-only audit log; then they are deactivated, and a later load reactivates them.
    """
    if YoungPerson.objects.exclude(nhs_number="").exclude(nhs_number__startswith="999").exists():
        raise NotDemoData(
            "Some young people have real-looking NHS numbers (not 999...): this database holds "
            "more than demo data, so nothing was deleted."
        )
    doomed = _about_young_people()
    quote = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in doomed:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
        staff = User.objects.filter(Q(agency__name__in=AGENCY_NAMES)
                                    | Q(username__in=SIGNIN_USERNAMES))
        staff.update(is_active=False)
        for leftovers in (
            staff,
            Team.objects.filter(agency__name__in=AGENCY_NAMES, members__isnull=True),
            Agency.objects.filter(name__in=AGENCY_NAMES, teams__isnull=True, staff__isnull=True),
        ):
            try:
                with transaction.atomic():
                    leftovers.delete()
            except DatabaseError:  # includes ProtectedError and RestrictedError
                pass  # still named somewhere (the audit log, say): stays, inactive, for reuse


def _about_young_people() -> list:
    """Models whose rows point (directly or through others) at a young person, in an order
    that deletes each before anything it points at."""
    # Only tables that exist: an app whose migrations are still to come has nothing to delete.
    tables = set(connection.introspection.table_names())
    everything = [m for m in apps.get_models(include_auto_created=True)
                  if m._meta.db_table in tables]
    found = [YoungPerson]
    grew = True
    while grew:
        grew = False
        for model in everything:
            if model not in found and any(f.related_model in found for f in _links(model)):
                found.append(model)
                grew = True
    order, remaining = [], list(found)
    while remaining:
        # Delete first the models nothing else remaining points at.
        free = [m for m in remaining
                if not any(f.related_model is m for o in remaining if o is not m
                           for f in _links(o))] or remaining[:1]
        order.extend(free)
        remaining = [m for m in remaining if m not in free]
    return order


def _links(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model]
