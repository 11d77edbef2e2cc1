"""Template tags of the standalone report documents (ADR 0039)."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from django import template

register = template.Library()

#: The stylesheet of the standalone report, a static file of this app.
REPORT_CSS = Path(__file__).resolve().parent.parent / "static" / "reporting" / "report.css"


@cache
def report_stylesheet_data_url() -> str:
    """``report.css`` as a ``data:`` URL: the downloaded document stays self-contained (placed on
    a gemeente's website as it is, rendered to PDF by WeasyPrint offline) without an inline
    ``<style>`` (the templates carry none, so the application's CSP never needs to allow one)."""
    encoded = base64.b64encode(REPORT_CSS.read_bytes()).decode("ascii")
    return f"data:text/css;base64,{encoded}"


@register.simple_tag
def report_stylesheet_href() -> str:
    return report_stylesheet_data_url()
