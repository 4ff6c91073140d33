"""Writes on the standard indicator library, each with its audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit import recorder
from jixiao.indicators.models import IndicatorTemplate


@transaction.atomic
def do_save_template(template: IndicatorTemplate, *, changes: Mapping[str, Any], acting_user: Any) -> IndicatorTemplate:
    """Creates or updates a library template (预算绩效管理处 only); the review uses it from the next check."""
    require_perm(acting_user, Perm.INDICATORS_MANAGE)
    creating = template.pk is None
    before = {} if creating else recorder.snapshot(template)
    for name, value in changes.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    if creating:
        recorder.record_created(acting_user, template)
    else:
        recorder.record_updated(acting_user, template, before)
    return template
