from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parent / "files"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def files():
    return FILES


@pytest.fixture
def samples():
    return SAMPLES
