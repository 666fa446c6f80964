"""List page helpers: ``{% sort_header listing "name" %}`` renders a column header that sorts
the list by that column (toggling ascending / descending), keeping the filters."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from jixing.core.listing import Listing

register = template.Library()


@register.simple_tag
def sort_header(listing: Listing, key: str, css: str = "") -> SafeString:
    column = listing.spec.column(key)
    if column is None:
        raise template.TemplateSyntaxError(f"{listing.spec.name} has no column {key!r}")
    if not column.sort:
        return format_html('<th class="{}">{}</th>', css, column.label)
    current = listing.sort
    if current == key:
        state, arrow, title = "ascending", "▲", _("sorted ascending; click to sort descending")
    elif current == f"-{key}":
        state, arrow, title = "descending", "▼", _("sorted descending; click to sort ascending")
    else:
        state, arrow, title = "none", "", _("click to sort")
    return format_html(
        '<th class="sortable {}" aria-sort="{}"><a href="{}" title="{}">{}<span class="sort-arrow">{}</span></a></th>',
        css, state, listing.sort_url(key), title, column.label, arrow,
    )
