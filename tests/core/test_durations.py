import datetime

import pytest

from core.durations import duration_words, relative_words

NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 min"),
        (45 * 60 + 59, "45 min"),
        (3600, "1 h"),
        (80 * 60, "1 h 20 min"),
        (466 * 3600, "19 d 10 h"),
        (2 * 86400 + 3 * 3600 + 59 * 60, "2 d 3 h"),
        (3 * 86400, "3 d"),
        (-(43668 * 60), "30 d 7 h"),
    ],
)
def test_a_duration_reads_in_its_two_largest_units(seconds, words):
    assert duration_words(datetime.timedelta(seconds=seconds)) == words


def test_past_is_overdue_and_future_is_in():
    assert relative_words(NOW - datetime.timedelta(days=2, hours=3), NOW) == "2 d 3 h overdue"
    assert relative_words(NOW + datetime.timedelta(hours=1, minutes=20), NOW) == "in 1 h 20 min"
