"""Area groups (``forecast.area-groups/1``): areas made by summing other areas.

::

    schema: forecast.area-groups/1
    groups:
      - code: E10000018
        name: Leicestershire
        members: [E07000129, E07000130, E07000131, E07000132, E07000133, E07000134, E07000135]
        source: "Leicestershire county = its 7 districts (ONS geography)"

Each group has at least one member, lists no member twice and is not its own member;
no two groups share a code.  Whether the members are areas of the population is
checked when the groups are added to it.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import FileModel, StrictModel, problem
from .fields import Text, TextList

__all__ = ["AreaGroupsFile", "AreaGroupModel"]


class AreaGroupModel(StrictModel):
    """``{code, name, members: [codes], source}``."""

    code: Text
    name: Text
    members: TextList
    source: str = ""

    @model_validator(mode="after")
    def _members(self) -> "AreaGroupModel":
        seen: set[str] = set()
        for i, m in enumerate(self.members):
            if m in seen:
                raise problem(f"member {m} is listed twice", "members", i)
            if m == self.code:
                raise problem(f"the group {m} cannot be its own member", "members", i)
            seen.add(m)
        return self


class AreaGroupsFile(FileModel):
    """A ``forecast.area-groups/1`` file (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.area-groups/1"
    schema_: Literal["forecast.area-groups/1"] = Field(alias="schema")
    groups: Annotated[list[AreaGroupModel], Field(min_length=1)]

    @model_validator(mode="after")
    def _codes_once(self) -> "AreaGroupsFile":
        seen: set[str] = set()
        for i, g in enumerate(self.groups):
            if g.code in seen:
                raise problem(f"group code {g.code} is used twice", "groups", i, "code")
            seen.add(g.code)
        return self
