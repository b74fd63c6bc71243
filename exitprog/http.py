"""What a user typed into a small form, kept across the redirect after an error.

The small forms embedded in bigger pages (a decision and a need's resolved date on the case
page, a referral's move, a transfer's answer) post to views of their own, which answer an error
with a message and a redirect back to the page (POST-redirect-GET). Without help the page
comes back empty and what was typed is lost. On an error the view calls `input_keep`, which
puts the posted fields in the session under a key naming the form and its object
(`f"decision:{case.pk}"`); the page's next GET calls `input_kept` with the same key and binds
the form to what it returns, so the fields show the values (and their errors) again.

One form's input is kept at a time (a newer error replaces it), and `input_kept` takes it out
of the session as it hands it back: free text about a client stays in the session store no
longer than the way back to the page (or the session itself). Identity numbers are never
kept: `input_keep` refuses data with a field of that name.
"""

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

SESSION_KEY = "kept_input"
# The CSRF token is the page's own, and a fresh one comes with the page.
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})
REFUSED = "identity_number"


def input_keep(request: HttpRequest, key: str, data: QueryDict) -> None:
    """Keep the posted fields of `data` (request.POST) for the form named `key`.

    Text only: files travel in request.FILES, never here, and the CSRF token is left out. A
    field whose name holds "identity_number" makes it refuse with `ValueError`: identity
    numbers never go into the session.
    """
    if any(REFUSED in name for name in data):
        raise ValueError("An identity number is never kept in the session.")
    fields = {name: values for name, values in data.lists() if name not in NOT_KEPT}
    request.session[SESSION_KEY] = {"key": key, "fields": fields}


def input_kept(request: HttpRequest, key: str) -> MultiValueDict[str, str] | None:
    """The fields kept for the form named `key`, once (they leave the session); else None."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("key") != key:
        return None
    del request.session[SESSION_KEY]
    fields = kept.get("fields")
    return MultiValueDict(fields) if isinstance(fields, dict) else None
