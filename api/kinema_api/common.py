"""Shapes shared by every router."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class ErrorPublic(BaseModel):
    detail: str
    code: str


class Message(BaseModel):
    message: str


class OrmModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Plain text fields: trimmed, no control characters beyond tab/newline. The ``\S``
# pattern says in the schema what trimming implies: blank text is refused.
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=r"\S")
]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"\S")
]

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorPublic, "description": "Bad request"},
    401: {"model": ErrorPublic, "description": "Not logged in"},
    403: {"model": ErrorPublic, "description": "Not allowed"},
    404: {"model": ErrorPublic, "description": "Not found"},
    409: {"model": ErrorPublic, "description": "Conflict"},
    422: {"model": ErrorPublic, "description": "Invalid input"},
    429: {"model": ErrorPublic, "description": "Rate limited"},
}
