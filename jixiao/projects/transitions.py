"""The project workflow declared as data: which status may follow which, and who may move it."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.accounts.permissions import Perm
from jixiao.projects.models import ProjectStatus as S

FINAL = frozenset({S.ACCEPTED, S.TERMINATED})
# Statuses a project may only reach with an approved performance goal (国办发〔2018〕35号).
GATED = frozenset({S.IN_LIBRARY})


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    perm: str
    label: str


TRANSITIONS: tuple[Transition, ...] = (
    # The unit (or its department / district) applies for library entry; finance approves.
    Transition(S.RESERVE, S.IN_LIBRARY, Perm.PROJECTS_EDIT, "申请入库"),
    Transition(S.IN_LIBRARY, S.RESERVE, Perm.PROJECTS_MANAGE, "退回储备"),
    Transition(S.IN_LIBRARY, S.APPROVED, Perm.PROJECTS_MANAGE, "批复立项"),
    # The unit reports progress.
    Transition(S.APPROVED, S.IN_PROGRESS, Perm.PROJECTS_EDIT, "报告开工"),
    Transition(S.IN_PROGRESS, S.COMPLETED, Perm.PROJECTS_EDIT, "报告完工"),
    # Finance (or the supervising department, which edits) accepts the works.
    Transition(S.COMPLETED, S.ACCEPTED, Perm.PROJECTS_MANAGE, "验收"),
    Transition(S.COMPLETED, S.IN_PROGRESS, Perm.PROJECTS_MANAGE, "验收不通过,退回整改"),
    *(
        Transition(source, S.TERMINATED, Perm.PROJECTS_MANAGE, "终止")
        for source in (S.RESERVE, S.IN_LIBRARY, S.APPROVED, S.IN_PROGRESS, S.COMPLETED)
    ),
)

BY_PAIR: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}


def find(source: str, target: str) -> Transition | None:
    return BY_PAIR.get((source, target))


def leaving(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
