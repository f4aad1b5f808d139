"""A URLconf with a view that fails, for the error-reporting tests."""

from django.urls import path


def failing_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", failing_view)]
