"""Rule tables as plain data for the pure rules, and the table in force for a city and date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from .. import rules
from ..models import SubsidyRuleTable

# ---------------------------------------------------------------- rule tables


def rule_table_data(table: SubsidyRuleTable) -> rules.RuleTable:
    rates = tuple(
        rules.Rate(
            id=r.pk, item=r.item, amount=r.amount, payee_kind=r.payee_kind, certificate_type=r.certificate_type,
            level=r.level_id, occupation=r.occupation.key if r.occupation is not None else None,
            target_group=r.target_group.code if r.target_group is not None else None, note=r.note,
        )
        for r in table.rates.select_related("occupation", "target_group").order_by("id")
    )
    uplifts = tuple(
        rules.Uplift(
            id=u.pk, kind=u.kind, percent=u.percent, fixed_amount=u.fixed_amount, item=u.item,
            target_group=u.target_group.code if u.target_group is not None else None,
            note=u.target_group.name if u.target_group is not None else u.note,
        )
        for u in table.uplifts.select_related("target_group").order_by("id")
    )
    return rules.RuleTable(
        id=table.pk, city=table.city_id, version=table.version, valid_from=table.valid_from,
        rates=rates, uplifts=uplifts, name=table.name,
        shortage_occupations=frozenset(table.shortage_occupations.values_list("key", flat=True)),
    )


class TableCache:
    """Rule tables of the cities a batch of lines needs, loaded once."""

    def __init__(self) -> None:
        self._by_city: dict[str, list[SubsidyRuleTable]] = {}
        self._data: dict[int, rules.RuleTable] = {}

    def tables(self, city: str) -> list[SubsidyRuleTable]:
        if city not in self._by_city:
            self._by_city[city] = list(SubsidyRuleTable.objects.filter(city_id=city).order_by("valid_from"))
        return self._by_city[city]

    def in_force(self, city: str, day: dt.date) -> SubsidyRuleTable | None:
        chosen = None
        for table in self.tables(city):
            if table.valid_from <= day:
                chosen = table
        return chosen

    def data(self, table: SubsidyRuleTable) -> rules.RuleTable:
        if table.pk not in self._data:
            self._data[table.pk] = rule_table_data(table)
        return self._data[table.pk]


def table_in_force(city: str, day: dt.date) -> SubsidyRuleTable | None:
    return SubsidyRuleTable.objects.filter(city_id=city, valid_from__lte=day).order_by("-valid_from").first()


def rule_tables_for(user: Any, *, city: str = "") -> QuerySet[SubsidyRuleTable]:
    qs = SubsidyRuleTable.objects.visible_to(user).select_related("city")
    if city:
        qs = qs.filter(city_id=city)
    return qs.annotate(claim_count=Count("claims")).order_by("city_id", "-valid_from")
