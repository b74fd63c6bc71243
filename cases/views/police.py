from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError  # replaced while the feature is built


shared_case = _todo
police_note_new = _todo
share_new = _todo
share_end = _todo
placement_new = _todo
