from intake.checks import intake_settings_check


def test_settings_are_valid_by_default():
    assert intake_settings_check(None) == []


def test_bad_rate_and_missing_page_token_are_reported(settings):
    settings.INTAKE_LANDING_RATE = "thirty a minute"
    settings.META_PAGE_ACCESS_TOKEN = ""
    ids = [problem.id for problem in intake_settings_check(None)]
    assert ids == ["intake.E001", "intake.W001"]
