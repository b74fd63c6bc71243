import logging
from collections.abc import Callable
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _

from exitprog.text import clean_line

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """Swedish unless the user chose English with the language switch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the program's
    working language is Swedish, whatever language a workstation's browser was installed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Cookie"]))
        return response


class RequestInputMiddleware:
    """Refuses a form it cannot read and cleans the headers that get stored, before any view
    or other middleware reads them.

    1. The User-Agent and Accept headers lose their control and bidi characters (see
       `exitprog.text`): django-axes stores them with every failed login, and PostgreSQL
       refuses a NUL in text, so one NUL byte would make the failure go uncounted.
    2. A POST that declares a charset other than UTF-8 ("utf-8" or "utf8", in any case) is
       refused with 400: every page is UTF-8, so a browser never sends another, and the
       text of a form decoded with the wrong table would be stored garbled.
    3. A form-encoded POST whose bytes or %-escapes are not valid UTF-8 is refused too,
       rather than stored with replacement characters.
    """

    STORED_HEADERS = ("HTTP_USER_AGENT", "HTTP_ACCEPT")
    UTF_8_NAMES = frozenset({"utf-8", "utf8"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key in self.STORED_HEADERS:
            if key in request.META:
                request.META[key] = clean_line(str(request.META[key]))
        if request.method == "POST" and not self._readable_form(request):
            return HttpResponseBadRequest(
                _(
                    "The form was not sent in the UTF-8 character encoding and could not be "
                    "read. Reload the page and send the form again."
                ),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    def _readable_form(self, request: HttpRequest) -> bool:
        charset = request.content_params.get("charset") if request.content_params else None
        if charset is not None:
            if charset.strip().lower() not in self.UTF_8_NAMES:
                logger.warning("POST refused: charset %r", charset[:40])
                return False
            # Django reads only the spelling "utf-8" as UTF-8 (it refuses "utf8").
            request.encoding = "utf-8"
        if request.content_type != "application/x-www-form-urlencoded":
            return True
        try:
            parse_qsl(
                request.body.decode("utf-8"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
            )
        except UnicodeDecodeError:
            logger.warning("POST refused: the form is not valid UTF-8")
            return False
        return True


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user, whatever the view set.

    Case pages, the caseload, the access log and the PDFs hold confidential information, and
    a browser keeps pages in its cache (and shows them with the back button) after its user
    has logged out, on a shared workstation too. Anonymous pages (the login form) keep their
    own headers, and static files never get here: WhiteNoise serves them earlier.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before and after the view: logging in and out change who the request belongs to.
        signed_in = self._signed_in(request)
        response = self.get_response(request)
        if signed_in or self._signed_in(request):
            response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
