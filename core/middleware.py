"""Project-wide request middleware."""

from django.http import HttpResponseBadRequest

NUL_IN_REQUEST = "The address or query string contains a NUL character (%00)."


class RejectNulCharactersMiddleware:
    """Answer 400 to a path or query string holding a NUL character: PostgreSQL
    refuses NUL in any text it is sent, so an admin search (``?q=%00``) or a
    filter value would otherwise end in a 500. Form bodies are validated by
    their forms (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(NUL_IN_REQUEST, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
