"""Plain-row inserts (COPY on PostgreSQL, executemany on SQLite) store what the ORM's bulk_create stores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from jixiao.audit.models import AuditLog
from jixiao.audit.recorder import record_many, record_rows, snapshot, snapshot_values
from jixiao.core import bulk
from jixiao.goals.models import GoalIndicator
from jixiao.indicators.models import IndicatorTemplate
from jixiao.projects.models import Project, ProjectEvent, ProjectFund
from tests.goals.factories import make_goal
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db


def stored(model, pks, exclude=("id",)):
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
    return list(model.objects.filter(pk__in=pks).order_by("pk").values(*fields))


def test_reserved_ids_are_new_and_rows_match_bulk_create(demo):
    project = make_project()
    now = timezone.now()
    values = {"source": "central", "amount_wan": Decimal("12.3456"), "document_no": "鄂财农〔2021〕1号"}
    orm = ProjectFund.objects.bulk_create([ProjectFund(project=project, **values)])
    ids = bulk.reserve_ids(ProjectFund, 2)

    bulk.insert_rows(ProjectFund, ("id", "project_id", "source", "amount_wan", "document_no"),
                     [(ids[0], project.pk, *values.values()), (ids[1], project.pk, "other", Decimal("0"), "")])  # fmt: skip

    assert min(ids) > orm[0].pk and stored(ProjectFund, [ids[0]]) == stored(ProjectFund, [orm[0].pk])
    event = {"from_status": "", "to_status": "reserve", "kind": "import", "note": "导入"}
    orm_event = ProjectEvent.objects.create(project=project, actor=demo["perf_admin"], **event)
    ProjectEvent.objects.filter(pk=orm_event.pk).update(created_at=now)
    [pk] = bulk.reserve_ids(ProjectEvent, 1)
    bulk.insert_rows(ProjectEvent, ("id", "project_id", "created_at", "actor_id", *event),
                     [(pk, project.pk, bulk.db_datetime(now), demo["perf_admin"].pk, *event.values())])  # fmt: skip
    assert stored(ProjectEvent, [pk]) == stored(ProjectEvent, [orm_event.pk])
    assert ProjectEvent.objects.get(pk=pk).created_at == now


def test_indicator_rows_with_json_free_types_match(demo):
    goal = make_goal(make_project(code="T-BULK-IND"))
    template = IndicatorTemplate.objects.first()
    orm = goal.indicators.order_by("sort").first()
    orm.template = template
    orm.save()
    fields = [f.attname for f in GoalIndicator._meta.concrete_fields if f.attname != "id"]
    [pk] = bulk.reserve_ids(GoalIndicator, 1)

    bulk.insert_rows(GoalIndicator, ("id", *fields), [(pk, *(getattr(orm, f) for f in fields))])

    assert stored(GoalIndicator, [pk]) == stored(GoalIndicator, [orm.pk])


def test_ids_of_deleted_rows_are_not_handed_out_again(demo):
    project = make_project(code="T-BULK-DEL")
    last = ProjectFund.objects.create(project=project, source="city", amount_wan=1).pk
    ProjectFund.objects.filter(pk=last).delete()

    assert bulk.reserve_ids(ProjectFund, 3)[0] > last


def test_record_rows_writes_what_record_many_writes(demo):
    project = make_project(code="T-BULK-AUD")
    record_many(demo["perf_admin"], "create", [project], note="导入")
    values = {f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields}

    record_rows(demo["perf_admin"], "create", Project, [(project.pk, str(project), snapshot_values(Project, values))],
                note="导入")  # fmt: skip

    a, b = AuditLog.objects.filter(model="projects.project", object_id=str(project.pk), note="导入").order_by("pk")
    keep = ("user_id", "username", "ip", "action", "model", "object_id", "object_repr", "before", "after", "note")
    assert [getattr(a, k) for k in keep] == [getattr(b, k) for k in keep] and b.after == snapshot(project)


def test_gc_paused_restores_the_collector():
    import gc

    with bulk.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_postgresql_inserts_with_copy(demo):
    project = make_project(code="T-BULK-PG")
    with mock.patch.object(bulk, "_copy", wraps=bulk._copy) as copy:
        ids = bulk.reserve_ids(ProjectFund, 2)
        bulk.insert_rows(ProjectFund, ("id", "project_id", "source", "amount_wan", "document_no"),
                         [(ids[0], project.pk, "city", Decimal("1.5"), "文号\t含制表符"),
                          (ids[1], project.pk, "other", Decimal("0.0001"), "")])  # fmt: skip

    assert copy.call_count == 1
    assert list(ProjectFund.objects.filter(pk__in=ids).order_by("pk").values_list("amount_wan", "document_no")) == [
        (Decimal("1.5"), "文号\t含制表符"),
        (Decimal("0.0001"), ""),
    ]


def test_datetimes_keep_their_instant(demo):
    moment = dt.datetime(2026, 3, 31, 23, 59, 58, 123456, tzinfo=dt.UTC)
    project = make_project(code="T-BULK-DT")
    [pk] = bulk.reserve_ids(ProjectEvent, 1)

    bulk.insert_rows(ProjectEvent, ("id", "project_id", "created_at", "actor_id", "from_status", "to_status", "kind",
                                    "note"), [(pk, project.pk, bulk.db_datetime(moment), None, "", "", "import", "")])  # fmt: skip

    assert ProjectEvent.objects.get(pk=pk).created_at == moment


def test_reserved_ids_are_not_handed_out_again_before_they_are_used():
    first = bulk.reserve_ids(ProjectFund, 3)
    second = bulk.reserve_ids(ProjectFund, 2)

    assert not set(first) & set(second) and len(set(first + second)) == 5
