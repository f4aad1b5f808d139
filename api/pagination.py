"""Pages of results.

The large, append-mostly tables (leads, status history, inquiries, deliveries,
intake events, import rows) use cursor pagination: stable while rows are
added, no COUNT(*) over a million rows, and a fixed cost per page however deep.
Small reference tables (courses, rooms, groups, …) use numbered pages.
``?page_size=`` (up to API_MAX_PAGE_SIZE) works on both.
"""

from django.conf import settings
from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE


class Cursor(CursorPagination):
    """Cursor pages ordered by the view's ``cursor_ordering`` (an indexed column
    first, then ``id`` to break ties)."""

    page_size_query_param = "page_size"
    ordering = ("-id",)

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_ordering(self, request, queryset, view):
        chosen = getattr(view, "chosen_ordering", None)
        if chosen is not None:
            return chosen(request)
        return getattr(view, "cursor_ordering", self.ordering)
