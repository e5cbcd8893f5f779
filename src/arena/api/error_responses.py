"""The error answers a route declares in the OpenAPI document: RFC 9457 problem details (what
problem_details.py sends), one entry per status code the route may answer with."""

from __future__ import annotations

from litestar.openapi import ResponseSpec
from pydantic import BaseModel, Field

from arena.api.problem_details import PROBLEM_JSON, TITLES


class ProblemDetails(BaseModel):
    type: str = Field(description="always about:blank")
    title: str
    status: int
    detail: str = Field(description="what went wrong, for people")
    instance: str = Field(description="the request's path")


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """`responses=` for a route: 401 (every route needs a token) and the codes named."""
    return {code: ResponseSpec(data_container=ProblemDetails, generate_examples=False,
                               description=TITLES[code], media_type=PROBLEM_JSON)
            for code in sorted({401, *codes})}
