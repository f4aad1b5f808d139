"""The staff member's own language (User.language) wins over the browser's."""

from django.utils import translation


class UserLanguageMiddleware:
    """After LocaleMiddleware (cookie, then Accept-Language, then the centre's
    default) and AuthenticationMiddleware: a signed-in staff member with a saved
    language gets it on every page, whatever the browser or device says. A
    middleware rather than a cookie set at login, so a phone and a shared desk
    computer both follow the person, and a change made elsewhere applies at once.
    The login page (anonymous) keeps following the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # request.user is lazy: a request without a session cookie (webhooks,
        # API tokens) loads nothing here.
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
