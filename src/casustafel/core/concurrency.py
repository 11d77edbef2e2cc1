"""Optimistic concurrency for records that users edit (ADR 0052).

Two people open the same edit form; the first saves; the second's save would silently
overwrite the first's change (a "lost update"). Every model users edit carries a
``version`` (:class:`Versioned`): it starts at 1 and goes up by one on every save. An edit
form carries the version it was rendered with (:class:`VersionField`, hidden), the API the
``ETag`` ``W/"<version>"`` it served and gets back in ``If-Match``; the service compares it
with the row it has locked (``select_for_update``) — :func:`check_version` — and refuses a
stale one with :class:`StaleVersion`: 409 on a page (the form comes back with the user's
input and what is stored now), 412 Precondition Failed in the API (problem+json); a write
without ``If-Match`` is answered 428 Precondition Required (:class:`PreconditionRequired`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .errors import RequestConflict


class Versioned(models.Model):
    """A record users edit: ``version`` goes up by one on every save of an existing row.

    The services save it on the row they locked, so the increment in memory is the one in
    the database; ``update_fields`` always includes it. (``QuerySet.update`` bypasses it:
    only system updates use that, never an edit.)"""

    version = models.PositiveIntegerField(_lazy("versie"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not kwargs.get("force_insert"):
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class StaleVersion(RequestConflict):
    """The record changed since the caller read it: refused, nothing written.

    ``obj`` is the current (locked) record, ``expected`` the version the caller read. The API
    answers 412 (``status``); a page answers 409 (:func:`refuse_stale`)."""

    def __init__(self, obj: Any, expected: int) -> None:
        self.obj = obj
        self.expected = expected
        self.current = getattr(obj, "version", None)
        super().__init__(
            _(
                "Dit gegeven is intussen door iemand anders gewijzigd. Uw wijziging is niet opgeslagen; "
                "haal de huidige versie op en probeer het opnieuw."
            ),
            status=412,
        )


class PreconditionRequired(RequestConflict):
    """A write to a versioned record without ``If-Match`` (RFC 6585: 428)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Geef in de header If-Match de ETag van de versie die u wijzigt (uit de GET van dit object); "
                "zo overschrijft u nooit ongemerkt de wijziging van een ander."
            ),
            status=428,
        )


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse a write to ``obj`` (locked by the caller) when ``expected`` is not its version.

    ``None``: the caller did not read the record first (a system write, the demo data); every
    page and API endpoint that edits passes what it read."""
    if expected is not None and obj.version != expected:
        raise StaleVersion(obj, expected)


# ------------------------------------------------------------------ API


def etag(obj: Any) -> str:
    """The ETag of a versioned record: weak, because a representation may vary per reader
    (scoped parts) while the record itself did not change (ADR 0052)."""
    return f'W/"{obj.version}"'


#: ``If-Match: *`` — any current version (RFC 9110 §13.1.1): the client says it overwrites.
ANY_VERSION = -1
#: An ``If-Match`` that names no version of ours (a list, a foreign tag): matches nothing.
NO_VERSION = -2


def if_match_version(request: Any) -> int | None:
    """The version named in ``If-Match`` (``W/"3"`` or ``"3"``); :data:`ANY_VERSION` for
    ``*``. Missing: :class:`PreconditionRequired`; a list or an unknown tag:
    :data:`NO_VERSION`, which matches no record (answered as stale)."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    value = header.strip()
    if value == "*":
        return ANY_VERSION
    if value.startswith("W/"):
        value = value[2:]
    if len(value) >= 2 and value[0] == value[-1] == '"' and value[1:-1].isdigit() and len(value) <= 12:
        return int(value[1:-1])
    return NO_VERSION


def expected_from(request: Any) -> int | None:
    """The ``expected_version`` a service gets for an API write: ``None`` for ``If-Match: *``."""
    version = if_match_version(request)
    return None if version == ANY_VERSION else version


# ------------------------------------------------------------------ pages


class VersionField(forms.IntegerField):
    """The version a form was rendered with, hidden; posted back with the user's input
    (0: the record did not exist yet, for a form that creates it on first save)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "required": _lazy("Dit formulier is verouderd; laad de pagina opnieuw."),
                "invalid": _lazy("Dit formulier is verouderd; laad de pagina opnieuw."),
                "min_value": _lazy("Dit formulier is verouderd; laad de pagina opnieuw."),
                "max_value": _lazy("Dit formulier is verouderd; laad de pagina opnieuw."),
            },
        )
        super().__init__(min_value=0, max_value=2**31 - 1, **kwargs)


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    text = str(value) if value not in (None, "") else _("(leeg)")
    return text if len(text) <= 200 else text[:200] + "…"


def refuse_stale(
    form: forms.Form, error: StaleVersion, current: Mapping[str, Any] | None = None, *, name: str = "version"
) -> int:
    """Put a stale write's refusal on ``form`` and return 409.

    The form keeps the user's input; the message lists what is stored now (``current``: form
    field → value, by default the form's fields the record has) and the hidden version is set
    to the current one, so saving again — after checking — overwrites knowingly."""
    obj = error.obj
    if current is None:
        current = {f: getattr(obj, f) for f in form.fields if f != name and hasattr(obj, f)}
        for field in list(current):
            display = getattr(obj, f"get_{field}_display", None)
            if callable(display):
                current[field] = display()
    data = cast(QueryDict, form.data).copy()  # the posted data, immutable
    data[form.add_prefix(name)] = str(error.current or 0)
    form.data = data
    form.add_error(
        None,
        _(
            "Iemand anders heeft dit intussen gewijzigd; uw wijziging is niet opgeslagen. Uw invoer staat "
            "hieronder nog. Vergelijk die met wat nu is opgeslagen en sla opnieuw op als u uw versie wilt bewaren."
        ),
    )
    for field, value in current.items():
        label = form.fields[field].label if field in form.fields else field
        form.add_error(None, _("Nu opgeslagen — %(label)s: %(value)s") % {"label": label, "value": _shown(value)})
    return 409
