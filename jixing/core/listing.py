"""One list machinery for every list page: sortable columns, the filter in words, and the
spreadsheet export of what is filtered (RuoYi-style list → filter → sort → export).

An app declares its list once, next to its views::

    PERSONS = register(ListSpec(
        name="registry.persons", title=_("Persons"), roles=PERSON_READERS,
        rows=person_rows,                 # (user, params) -> Filtered(queryset, filter words)
        columns=(
            Column("name", _("full name"), lambda p: p.name, sort="name"),
            Column("id_number", _("ID number"), lambda p: p.id_number, personal=mask_id_number),
            Column("created", _("registered"), lambda p: p.created_at, sort="created_at", kind=Kind.DATETIME),
        ),
        default_sort="-created",
    ))

The page calls ``spec.page(request)`` (rows sorted by ``?sort=`` among the whitelisted
columns, paginated); the template renders ``{% sort_header listing "name" %}`` headers and
``{% include "web/_export.html" %}``; the export task (``jixing.core.exports``) writes the
same rows with real cell types. Only columns that name a ``sort`` field can be sorted, so a
``?sort=`` value never reaches ``order_by`` unchecked.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise

from jixing.core.actor import Actor, Viewer

CellValue = str | int | float | Decimal | dt.date | dt.datetime | bool | None
PAGE_SIZE = 50
#: Query parameters that are not filters: never written into an export's filter line.
NON_FILTER_PARAMS = frozenset({"page", "sort", "csrfmiddlewaretoken"})


class Kind(enum.StrEnum):
    """How a column's values are typed in a spreadsheet."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"  # a ratio: 0.638 is shown as 63.8%
    DATE = "date"
    DATETIME = "datetime"  # aware; written in Asia/Shanghai
    ID_TEXT = "id_text"  # digits that must stay text (ID numbers, phones, account numbers)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: Callable[[Any], CellValue]
    sort: str | None = None
    kind: Kind = Kind.TEXT
    #: For personal data: the masked form written unless the user unmasked with a reason.
    personal: Callable[[Any], str] | None = None
    width: int | None = None


@dataclass(frozen=True)
class Filtered:
    """The rows a list shows for a user and its filters, and the filters in words."""

    queryset: QuerySet[Any]
    described: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: str | Promise
    roles: Iterable[str]
    rows: Callable[[Any, QueryDict], Filtered]
    columns: tuple[Column, ...]
    default_sort: str = ""
    page_size: int = PAGE_SIZE
    _by_key: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({c.key: c for c in self.columns})

    def column(self, key: str) -> Column | None:
        return self._by_key.get(key)

    @property
    def has_personal(self) -> bool:
        return any(c.personal is not None for c in self.columns)

    def allowed(self, user: Actor) -> bool:
        return getattr(user, "role", None) in set(self.roles)

    def sort_key(self, params: Mapping[str, str]) -> str:
        """The requested sort if whitelisted (``name`` / ``-name``), else the default."""
        raw = str(params.get("sort", "") or "")
        column = self.column(raw.removeprefix("-"))
        if column is not None and column.sort:
            return raw
        return self.default_sort

    def sorted(self, queryset: QuerySet[Any], params: Mapping[str, str]) -> QuerySet[Any]:
        key = self.sort_key(params)
        column = self.column(key.removeprefix("-"))
        if column is None or not column.sort:
            return queryset
        descending = key.startswith("-")
        field_path = column.sort
        if field_path.startswith("-"):  # a column sorted against its field (age by birth date)
            field_path, descending = field_path[1:], not descending
        expression = F(field_path)
        ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        return queryset.order_by(ordered, "-pk" if descending else "pk")

    def filtered(self, user: Viewer, params: QueryDict) -> tuple[QuerySet[Any], Sequence[tuple[str, str]]]:
        result = self.rows(user, params)
        return self.sorted(result.queryset, params), result.described

    def page(self, request: HttpRequest, *, user: Actor | None = None) -> Listing:
        queryset, described = self.filtered(user or request.user, request.GET)
        page = Paginator(queryset, self.page_size).get_page(request.GET.get("page"))
        return Listing(spec=self, request=request, page_obj=page, described=described)


@dataclass
class Listing:
    """What a list template needs: the page, the sort state, the query to export."""

    spec: ListSpec
    request: HttpRequest
    page_obj: Page[Any]
    described: Sequence[tuple[str, str]]

    @property
    def sort(self) -> str:
        return self.spec.sort_key(self.request.GET)

    @property
    def filter_query(self) -> str:
        """The list's query string without page: what the export re-runs."""
        params = [(k, v) for k, values in self.request.GET.lists() for v in values if k != "page"]
        return urlencode(params)

    def sort_url(self, key: str) -> str:
        current = self.sort
        target = f"-{key}" if current == key else key
        params = self.request.GET.copy()
        params.pop("page", None)
        params["sort"] = target
        return "?" + params.urlencode()


_REGISTRY: dict[str, ListSpec] = {}


def register(spec: ListSpec) -> ListSpec:
    _REGISTRY[spec.name] = spec
    return spec


def spec_named(name: str) -> ListSpec | None:
    return _REGISTRY.get(name)


def registered() -> dict[str, ListSpec]:
    return dict(_REGISTRY)


def describe_choice(params: Mapping[str, str], key: str, label: str | Promise,
                    choices: Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    """``[(label, choice label)]`` when ``params[key]`` is one of ``choices``; else nothing."""
    value = str(params.get(key, "") or "")
    if not value:
        return []
    for code, text in choices:
        if str(code) == value:
            return [(str(label), str(text))]
    return []


def describe_text(params: Mapping[str, str], key: str, label: str | Promise) -> list[tuple[str, str]]:
    value = str(params.get(key, "") or "").strip()
    return [(str(label), value)] if value else []


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def date_range(queryset: QuerySet[Any], params: Mapping[str, str], field_path: str,
               label: str | Promise) -> tuple[QuerySet[Any], list[tuple[str, str]]]:
    """Filter ``field_path`` (a date or a datetime, compared by its Asia/Shanghai date) by
    ``?from=`` and ``?to=`` (both inclusive); a reversed range is swapped, not an empty list."""
    start, end = parse_day(params.get("from")), parse_day(params.get("to"))
    if start and end and start > end:
        start, end = end, start
    if start:
        queryset = queryset.filter(**{f"{field_path}__gte": start} if _is_date(queryset, field_path)
                                   else {f"{field_path}__date__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field_path}__lte": end} if _is_date(queryset, field_path)
                                   else {f"{field_path}__date__lte": end})
    if not (start or end):
        return queryset, []
    return queryset, [(str(label), f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}")]


def _is_date(queryset: QuerySet[Any], field_path: str) -> bool:
    from django.db import models

    model = queryset.model
    parts = field_path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    field = model._meta.get_field(parts[-1])
    return isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
