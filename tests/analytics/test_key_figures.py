"""analytics.selectors.key_figures: one day's key figures for a start page,
the dashboard's figures of that day, in a fixed number of queries."""

import datetime

import pytest
import time_machine

from analytics import selectors
from tests.analytics import factories as f
from tests.analytics.helpers import local
from tests.factories import SalespersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 11, 20)


def test_a_rolled_up_day_gives_the_dashboards_figures_of_that_day(django_assert_num_queries):
    with time_machine.travel(local(D + datetime.timedelta(days=1), 0, 20), tick=False):
        f.LeadMetricsFactory(
            date=D, total_leads=9, unassigned=2, new_contacts=7, trials_booked=4, trials_attended=3, enrolled=2, lost=1
        )
        for met, missed in ((5, 1), (3, 0), (0, 2)):
            f.SalesKPIFactory(
                date=D, salesperson=SalespersonFactory(), followups_completed=met, followups_overdue=missed
            )
    f.LeadMetricsFactory(date=D - datetime.timedelta(days=1), total_leads=99)  # another day
    with django_assert_num_queries(2):
        figures = selectors.key_figures(day=D)
    assert figures.rolled_up
    assert figures.updated_at == local(D + datetime.timedelta(days=1), 0, 20)
    assert (figures.new_leads, figures.unassigned_new_leads, figures.first_contacts) == (9, 2, 7)
    assert (figures.trials_booked, figures.trials_attended, figures.enrolled, figures.lost) == (4, 3, 2, 1)
    assert (figures.followups_met, figures.followups_missed) == (8, 3)
    assert str(figures.conversion_percent) == "28.6"
    funnel = [value for _label, value in selectors.funnel(D, D)]
    assert funnel == [9, 7, 4, 3, 2]
    assert funnel[1:] == [figures.first_contacts, figures.trials_booked, figures.trials_attended, figures.enrolled]


def test_a_day_not_rolled_up_says_so(django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = selectors.key_figures(day=D)
    assert (figures.rolled_up, figures.updated_at, figures.new_leads, figures.followups_met) == (False, None, 0, 0)
    assert figures.conversion_percent is None
