from tests.reminders.conftest import telegram  # noqa: F401 - the fake Bot API fixture
