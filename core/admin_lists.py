"""Changelists that stay fast on tables that grow without bound.

Django's admin counts the whole filtered list on every page (COUNT(*) over a
million rows, and a second one for "N total"), and lets anyone page as deep as
the list goes (OFFSET 900000 reads and drops 900,000 rows). ``LargeListMixin``
bounds both:

* on PostgreSQL the planner's estimate comes first (pg_class.reltuples for
  the unfiltered table, the query plan's row estimate for a filtered list):
  when it is over ``TRUST_ESTIMATE_OVER`` rows the page says "about N" and
  nothing is counted. Otherwise the count reads at most ``COUNT_CAP`` + 1
  rows: exact below the cap, "about N" above it. SQLite (development, tests)
  counts exactly: its tables are small.
* paging stops at ``COUNT_CAP`` rows (40 pages of 50): past that, a filter or
  a search finds a row faster than paging does.
* no second, unfiltered COUNT(*) (show_full_result_count = False).
* a column sort is "that column, then the list's default order, all in one
  direction" (Django appends "-pk" whatever the direction, which no index
  serves), so an index on (column, default order column) answers it; columns
  without such an index are left out of ``sortable_by`` and a sort asked for
  in the URL on one of them is ignored.

Every ModelAdmin of a list that grows with the leads uses it.
"""

from __future__ import annotations

import json
import math

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import OrderBy
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

# Rows a list counts exactly and pages through (40 pages of 50); beyond it the
# count is an estimate. Counting them costs up to this many index entries (ten
# times as many for a salesperson's tenth of a list), on every page.
COUNT_CAP = 2_000
# Past the cap the page says "about N" anyway, so an estimate over it is shown
# without counting: counting even 2,000 rows of a salesperson's tenth of a
# joined list reads 20,000. Only an estimate under the cap is checked by a count.
TRUST_ESTIMATE_OVER = COUNT_CAP


class CappedPaginator(Paginator):
    """A paginator whose count costs at most COUNT_CAP rows (see the module docstring).

    ``estimated`` is True when ``count`` is the planner's estimate rather than
    an exact count; templates show "about N" then.
    """

    cap = COUNT_CAP
    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        estimate = estimated_count(queryset)  # None: not PostgreSQL
        if estimate is not None and estimate > TRUST_ESTIMATE_OVER:
            self.estimated = True
            return estimate
        exact = queryset.order_by()[: self.cap + 1].count()
        if exact <= self.cap:
            return exact
        if estimate is None:  # exact, as Django would
            return queryset.count()
        self.estimated = True
        return max(estimate, self.cap + 1)

    @cached_property
    def num_pages(self) -> int:
        pages = super().num_pages
        return min(pages, max(1, math.ceil(self.cap / self.per_page)))


def estimated_count(queryset) -> int | None:
    """The planner's row estimate for ``queryset`` on PostgreSQL, None elsewhere.

    With no WHERE clause that is the table's pg_class.reltuples (kept by
    autovacuum/ANALYZE); otherwise the top row estimate of EXPLAIN.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        if not queryset.query.where:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
            if row and row[0] >= 0:  # -1: never analysed
                return int(row[0])
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a condition nothing can meet ("lead in ()"): no rows, no query
            return 0
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class LargeChangeList(ChangeList):
    """Sorting as the module docstring says."""

    def get_ordering(self, request, queryset):
        order = self.params.get(ORDER_VAR)
        if not order:
            return super().get_ordering(request, queryset)
        head = str(order).split(".")[0]
        try:
            name = self.list_display[int(head.rpartition("-")[2])]
        except (IndexError, ValueError):
            name = None
        if name is None or (self.sortable_by is not None and name not in self.sortable_by):
            return self._without_sort(request, queryset)
        first = super().get_ordering(request, queryset)[0]
        descending = first.descending if isinstance(first, OrderBy) else str(first).startswith("-")
        column = getattr(first.expression, "name", None) if isinstance(first, OrderBy) else str(first).lstrip("-")
        sign = "-" if descending else ""
        then = [field.lstrip("-") for field in self._get_default_ordering() if isinstance(field, str)]
        then = [f"{sign}{field}" for field in then if field != column]
        if not {"pk", "id", self.lookup_opts.pk.name} & {field.lstrip("-") for field in then}:
            then.append(f"{sign}pk")
        return [first, *then]

    def _without_sort(self, request, queryset):
        params, self.params = self.params, {k: v for k, v in self.params.items() if k != ORDER_VAR}
        try:
            return super().get_ordering(request, queryset)
        finally:
            self.params = params


class LargeListMixin:
    """For the ModelAdmin of a list that grows without bound: a capped count
    with an estimate above the cap, capped paging, no second full count.

    Also drop ``date_hierarchy`` from such lists (its drill-down runs a
    DISTINCT over the dates of the whole filtered table on every page) and use
    core.admin_tools.DateRangeFilter instead.
    """

    paginator = CappedPaginator
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return LargeChangeList

    # Django's own column renders a form widget through the template engine
    # for every row (a third of a 50-row page's time); the same markup here.
    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )


class LatestRowsInlineMixin:
    """A read-only inline showing only the latest ``max_rows`` rows (in the
    inline's ``ordering``): a lead with 300 history rows would otherwise render
    300 rows on its page. Link to the full, filtered list beside it."""

    max_rows = 20

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        limit = self.max_rows

        class Latest(formset):
            def get_queryset(self):
                if not hasattr(self, "_latest"):
                    self._latest = super().get_queryset()[:limit]
                return self._latest

        return Latest
