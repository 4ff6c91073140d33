"""Writes on scoring profiles (评分方案): 预算绩效管理处 adds and edits its own; the shipped ones are read-only.

A profile is validated by `profiles.profile_from_dict` (every problem in Chinese, raised as ProfileError) and stored
normalised (`profile_to_dict`). A profile a campaign uses is frozen: its 自评表 were scored with it, and changing
the rules under scored (perhaps approved) tables would change their grades silently — copy it to a new one instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.recorder import record_created, record_updated, snapshot
from jixiao.selfeval.models import ScoringProfileRecord
from jixiao.selfeval.profiles import ProfileError, profile_from_dict, profile_to_dict


class ProfileRefused(Exception):
    """A business refusal (HTTP 409 in the API): the profile is shipped, in use, or its code is taken."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def campaigns_using(record: ScoringProfileRecord) -> list[str]:
    """Return the names of the campaigns scored with this profile."""
    return list(record.campaign_set.order_by("-year", "-id").values_list("name", flat=True))


def edit_refusal(record: ScoringProfileRecord) -> ProfileRefused | None:
    """Return why this profile cannot be edited, or None when it can."""
    if record.builtin:
        message = f"「{record.name}」是内置评分方案,不能修改;可复制为新方案后修改。"
        return ProfileRefused("builtin_profile", message)
    used = campaigns_using(record)
    if used:
        names = "、".join(f"「{n}」" for n in used[:3]) + (f"等 {len(used)} 个" if len(used) > 3 else "")
        message = (
            f"评分方案「{record.name}」已被自评任务{names}使用,不能修改(已计分的自评表须保持原方案);可复制为新方案。"
        )
        return ProfileRefused("profile_in_use", message)
    return None


@transaction.atomic
def do_create_scoring_profile(*, data: Mapping[str, Any], acting_user: Any) -> ScoringProfileRecord:
    """Validate and store a new custom profile; raise ProfileError (invalid) or ProfileRefused (code taken)."""
    if acting_user is not None:
        require_perm(acting_user, Perm.SELFEVAL_MANAGE)
    profile = profile_from_dict(data)
    if ScoringProfileRecord.objects.filter(code=profile.code).exists():
        raise ProfileRefused("duplicate_code", f"方案代码「{profile.code}」已存在,请换一个代码。")
    record = ScoringProfileRecord.objects.create(
        code=profile.code, name=profile.name, data=profile_to_dict(profile), builtin=False
    )
    record_created(acting_user, record, note="新增评分方案")
    return record


@transaction.atomic
def do_update_scoring_profile(
    *, record: ScoringProfileRecord, data: Mapping[str, Any], acting_user: Any
) -> ScoringProfileRecord:
    """Validate and replace a custom profile's parameters (its code stays); refuse shipped and used ones."""
    if acting_user is not None:
        require_perm(acting_user, Perm.SELFEVAL_MANAGE)
    record = ScoringProfileRecord.objects.select_for_update().get(pk=record.pk)
    refusal = edit_refusal(record)
    if refusal is not None:
        raise refusal
    given = str(data.get("code") or record.code)
    if given != record.code:
        raise ProfileError([f"方案代码不能修改:应为「{record.code}」,请求中为「{given}」"])
    profile = profile_from_dict({**data, "code": record.code})
    before = snapshot(record)
    record.name = profile.name
    record.data = profile_to_dict(profile)
    record.save(update_fields=["name", "data"])
    record_updated(acting_user, record, before, note="修改评分方案")
    return record
