"""Stateless scoring preview: other systems and spreadsheets check a self-evaluation before submitting it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.selfeval.profiles import ProfileError
from jixiao.selfeval.scoring import ScoringInputError, preview

router = Router(tags=["绩效自评"])


class BudgetIn(Schema):
    annual: float | str
    executed: float | str


class PreviewIndicatorIn(Schema):
    level1: str = ""
    level2: str = ""
    name: str
    operator: str
    target: float | str | None = None
    actual: float | str | None = None
    unit: str = ""
    weight: float | None = None
    applicable: bool = True
    tier: str | None = None
    share: float | None = None


class PreviewIn(Schema):
    profile: str = "central-2020"
    budget: BudgetIn
    indicators: list[PreviewIndicatorIn]


@router.post(
    "/scoring/preview",
    response={200: dict[str, Any], 401: ErrorOut, 422: ErrorOut},
    summary="按评分方案试算自评得分(无状态)",
)
def scoring_preview(request: HttpRequest, payload: PreviewIn):
    try:
        return preview(payload.dict())
    except ScoringInputError as exc:
        problems = exc.as_list()
        raise ApiError(422, "invalid_input", "；".join(p["message"] for p in problems), problems)
    except (ProfileError, KeyError, ValueError) as exc:
        raise ApiError(422, "invalid_profile", str(exc))
