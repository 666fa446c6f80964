"""Moved to ``jixing.core.pagination`` (the apps below web use it); kept for imports in flight."""

from jixing.core.pagination import MAX_PAGE, MAX_PAGE_SIZE, BoundedPageNumberPagination  # noqa: F401
