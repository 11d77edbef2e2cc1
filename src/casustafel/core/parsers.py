"""The request parser of the API (``DEFAULT_PARSER_CLASSES``).

Its own module: DRF imports the parser classes while ``rest_framework.views`` is being
imported, so this module must not import the views (``core.api`` does).
"""

from __future__ import annotations

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, parsers
from rest_framework.utils import json

#: Deeper than this, a request body is refused before any field sees it.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _lazy("De aanvraag is te groot.")
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """JSON bodies as the API accepts them: valid, at most ``MAX_JSON_DEPTH`` deep, and without
    text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogates) — refused
    here, once, with the path of each offending value, before a field or a lookup sees it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            encoding = parsers.get_encoding(parser_context or {})
        except exceptions.ParseError:
            raise exceptions.ParseError(_("Onbekende of niet-ondersteunde tekenset in de Content-Type.")) from None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            data = json.loads(codecs.decode(raw, encoding), parse_constant=json.strict_constant)
        except RecursionError:
            raise exceptions.ParseError(_("De JSON is te diep genest.")) from None
        except ValueError:
            raise exceptions.ParseError(_("De aanvraag bevat geen geldige JSON.")) from None
        errors = _unsafe_text(data)
        if errors is None:
            raise exceptions.ParseError(_("De JSON is te diep genest."))
        if errors:
            raise exceptions.ValidationError(errors)
        return data


def _unsafe_text(data) -> dict[str, list[str]] | None:
    """Paths of strings (keys included) with NUL or a lone surrogate; ``None`` if too deep."""
    message = _("Bevat een teken dat niet is toegestaan (NUL-teken of losse surrogaat).")
    errors: dict[str, list[str]] = {}
    pending = [("", data, 0)]
    while pending:
        path, value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return None
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if _unsafe(key):
                    errors[path or "nonFieldErrors"] = [message]
                    continue
                pending.append((name, item, depth + 1))
        elif isinstance(value, list):
            pending.extend(
                (f"{path}.{index}" if path else str(index), item, depth + 1) for index, item in enumerate(value)
            )
        elif isinstance(value, str) and _unsafe(value):
            errors[path or "nonFieldErrors"] = [message]
    return errors


def _unsafe(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
