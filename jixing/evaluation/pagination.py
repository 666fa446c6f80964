"""Page-number pagination with bounded numbers: a huge ``page`` would overflow the database
OFFSET and answer 500 instead of 422. (No ``from __future__ import annotations`` here:
django-ninja builds the query-parameter model from these annotations at import time.)"""

from typing import Optional

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: Optional[int] = Field(None, ge=1, le=200)  # noqa: UP045 - evaluated by pydantic at runtime
