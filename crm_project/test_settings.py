"""Settings for the test suite: the real settings with fast, local side effects."""

import os

# settings.py defaults to DEBUG=False and then refuses the example SECRET_KEY, so
# the suite turns the development mode on before importing it (pytest-django still
# runs each test with settings.DEBUG False, as Django's test runner does).
os.environ["DEBUG"] = "True"

from .settings import *  # noqa: F403 (the environment above must be set first)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# WhiteNoise serves collected files in production; tests have no STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
# The suite asserts English texts (ours and Django's) and sends no Accept-Language;
# the centre's default (uz) is tested where languages are (tests/core/test_i18n*.py).
LANGUAGE_CODE = "en"
