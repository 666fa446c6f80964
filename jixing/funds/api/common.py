"""The funds API router and the schema every topic answers refusals with."""

from __future__ import annotations

from ninja import Router, Schema

router = Router(tags=["funds"])


class Message(Schema):
    detail: str
