"""Feeds are truthful: read whole or refused whole; services that leave a feed are retired."""

import copy
import io
import json
import uuid
from urllib.request import Request

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from thrive.directory import importer, search
from thrive.directory.importer import ImportRejected, import_feed, import_services, read_feed
from thrive.directory.models import Schedule, Service

from .conftest import example

pytestmark = pytest.mark.django_db
BASE = "https://feed.example/api/"


def service(n: int, name: str | None = None) -> dict:
    record = copy.deepcopy(example("service_full"))
    record["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"feed-service-{n}"))
    record["name"] = name or f"Feed service {n}"
    record["service_at_locations"] = []
    record["schedules"] = []
    return record


class Feed:
    """A fake feed: pages of summaries, each service in full, and what was asked for."""

    def __init__(self, records, per_page=2, paging=("total_items", "total_pages", "last_page")):
        self.records, self.per_page, self.paging = records, per_page, paging
        self.requested = []
        self.pages_override = {}

    def listing(self, page):
        if page in self.pages_override:
            return self.pages_override[page]
        total_pages = max(1, -(-len(self.records) // self.per_page))
        contents = [{"id": r["id"], "name": r["name"]}
                    for r in self.records[(page - 1) * self.per_page: page * self.per_page]]
        body = {"page_number": page, "size": len(contents), "contents": contents,
                "total_items": len(self.records), "total_pages": total_pages,
                "last_page": page >= total_pages}
        return {k: v for k, v in body.items() if k not in (
            {"total_items", "total_pages", "last_page"} - set(self.paging))}

    def __call__(self, request: Request, timeout):
        url = request.full_url
        self.requested.append(url)
        assert url.startswith(BASE), url
        rest = url[len(BASE):]
        if rest.startswith("services?"):
            page = int(rest.split("page=")[1].split("&")[0])
            return io.BytesIO(json.dumps(self.listing(page)).encode())
        sid = rest.removeprefix("services/")
        return io.BytesIO(json.dumps(next(r for r in self.records if r["id"] == sid)).encode())


def run(feed, per_page=2):
    return import_feed(BASE, per_page=per_page, opener=feed)


def test_every_page_is_read_until_the_feed_says_it_is_done():
    feed = Feed([service(n) for n in range(7)], paging=("last_page",))
    result = run(feed)
    assert (result.created, result.retired) == (7, 0)
    assert Service.objects.count() == 7


def test_a_feed_that_does_not_say_where_it_ends_is_refused_and_nothing_written():
    feed = Feed([service(n) for n in range(5)], paging=("total_items",))
    with pytest.raises(ImportRejected) as refused:
        run(feed)
    assert "does not say whether it is the last" in str(refused.value.problems[0])
    assert "nothing was imported" in str(refused.value.problems[0])
    assert Service.objects.count() == 0


def test_a_feed_longer_than_the_page_cap_is_refused_not_cut_short(monkeypatch):
    monkeypatch.setattr(importer, "MAX_FEED_PAGES", 3)
    feed = Feed([service(n) for n in range(9)])
    with pytest.raises(ImportRejected) as refused:
        run(feed)
    assert "more than 3 pages" in str(refused.value.problems[0])
    assert Service.objects.count() == 0


def test_a_feed_whose_count_does_not_add_up_is_refused():
    feed = Feed([service(n) for n in range(4)])
    feed.pages_override[2] = {"total_items": 4, "total_pages": 2, "last_page": True,
                              "page_number": 2, "contents": [{"id": feed.records[2]["id"]}]}
    with pytest.raises(ImportRejected) as refused:
        run(feed)
    assert "says it has 4 services but its pages list 3" in str(refused.value.problems[0])


def test_a_feed_whose_pages_shift_while_read_is_refused():
    feed = Feed([service(n) for n in range(4)])
    feed.pages_override[2] = {"total_items": 4, "total_pages": 2, "last_page": True,
                              "contents": [{"id": feed.records[1]["id"]},
                                           {"id": feed.records[3]["id"]}]}
    with pytest.raises(ImportRejected) as refused:
        run(feed)
    assert "already listed on an earlier page" in str(refused.value.problems[0])


def test_a_feed_that_ignores_the_page_asked_for_is_refused():
    feed = Feed([service(n) for n in range(4)])
    feed.pages_override[2] = dict(feed.listing(1), page_number=1, last_page=True)
    with pytest.raises(ImportRejected) as refused:
        run(feed)
    assert "page 2 was asked for but page 1 came" in str(refused.value.problems[0])


def test_a_service_that_leaves_its_feed_is_retired_kept_and_restored_if_it_returns(client):
    records = [service(n) for n in range(4)]
    run(Feed(records))
    gone = records[2]
    result = run(Feed([r for r in records if r is not gone]))
    assert (result.created, result.updated, result.unchanged, result.retired) == (0, 0, 3, 1)
    assert (gone["name"], "retired") in result.report
    kept = Service.objects.get(oruk_id=gone["id"])
    assert kept.retired_at is not None
    # Unpublished, unlisted, unsearchable; the record is kept.
    found = search.search(search.Criteria(text="Feed service"), per_page=50)
    assert gone["name"] not in [h.service.name for h in found.hits] and found.total == 3
    assert Client().get(f"/openreferral/services/{gone['id']}").status_code == 404
    listed = Client().get("/openreferral/services").json()
    assert gone["id"] not in [s["id"] for s in listed["contents"]]
    assert Client().get(reverse("directory:service", args=[gone["id"]])).status_code == 404
    # Reversible: the feed lists it again.
    result = run(Feed(records))
    assert (result.updated, result.retired) == (1, 0)
    assert (gone["name"], "restored") in result.report
    assert Service.objects.get(oruk_id=gone["id"]).retired_at is None


def test_a_file_import_owns_nothing_and_retires_nothing():
    records = [service(n) for n in range(3)]
    run(Feed(records))
    result = import_services([service(9)])
    assert result.retired == 0
    assert Service.objects.filter(retired_at__isnull=True).count() == 4


def test_a_feed_retires_only_what_it_owned():
    import_services([service(20, "From a file")])
    run(Feed([service(1)]))
    assert Service.objects.get(name="From a file").retired_at is None


def test_a_summary_never_overwrites_a_full_record():
    full = example("service_full")
    import_services([full])
    summary = example("service_list")["contents"][0]
    assert summary["id"] == full["id"]
    result = import_services([summary])
    assert (result.updated, result.unchanged) == (0, 1)
    assert "the full record was kept" in str(result.warnings[-1])
    stored = Service.objects.get()
    assert Schedule.objects.filter(service=stored).count() == 1
    assert stored.service_at_locations.count() == 1 and stored.attributes.count() >= 1


@pytest.mark.parametrize("where, limit", [(("name",), 300), (("organization", "name"), 300),
                                          (("description",), 20_000)])
def test_text_longer_than_its_field_is_refused_with_a_clear_error(where, limit):
    record = example("service_full")
    target = record
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = "x" * (limit + 700)
    with pytest.raises(ImportRejected) as refused:
        import_services([record])
    problems = {p.field: p.message for p in refused.value.problems}
    assert problems[".".join(where)] == (f"is {limit + 700:,} characters long; the most it can "
                                         f"be is {limit:,}")
    assert Service.objects.count() == 0


def test_a_name_of_exactly_the_limit_imports():
    record = example("service_full")
    record["name"] = "n" * 300
    assert import_services([record]).created == 1


def test_a_feed_must_be_a_web_address():
    with pytest.raises(ImportRejected):
        import_feed("javascript://feed.example/%0aalert(1)")
    with pytest.raises(ImportRejected):
        import_feed("file:///etc/passwd")


def test_redirects_are_followed_only_under_the_feeds_base():
    handler = importer._StayUnderBase(BASE)
    request = Request(BASE + "services?page=1")
    with pytest.raises(ImportRejected) as refused:
        handler.redirect_request(request, None, 302, "Found", {}, "https://elsewhere.example/x")
    assert "not under https://feed.example/api/" in str(refused.value.problems[0])
    followed = handler.redirect_request(request, None, 302, "Found", {},
                                        BASE + "services?page=1&v=2")
    assert followed.full_url == BASE + "services?page=1&v=2"


def test_the_command_reports_added_updated_unchanged_and_retired(monkeypatch):
    records = [service(n) for n in range(3)]
    run(Feed(records))
    monkeypatch.setattr(importer, "feed_opener", lambda base: Feed(records[:2]))
    out = io.StringIO()
    call_command("import_oruk", BASE, stdout=out, verbosity=2)
    text = out.getvalue()
    assert "2 services read: 0 added, 0 updated, 2 unchanged, 1 retired." in text
    assert f"retired: {records[2]['name']}" in text


def test_reading_a_feed_fetches_only_under_its_base():
    feed = Feed([service(n) for n in range(3)])
    read_feed(BASE, per_page=2, opener=feed)
    assert all(url.startswith(BASE) for url in feed.requested)
    assert len(feed.requested) == 2 + 3
