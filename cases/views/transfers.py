from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError  # replaced while the feature is built


transfer_new = _todo
transfer_list = _todo
transfer_answer = _todo
transfer_withdraw_view = _todo
