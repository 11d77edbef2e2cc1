"""The rendered example of a council report (``docs/examples/council-report.{html,pdf}``).

Rendered from the demo data (``casustafel.demo``): the demo region over the quarters of this
year so far, with an invented policy text. Run against a database holding the demo, e.g. in a
Django shell: ``from casustafel.reporting.council.examples import render_examples;
render_examples(Path("docs/examples"))``. Every figure is protected as in production.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from casustafel.access import rls
from casustafel.accounts.models import Region
from casustafel.reporting import render
from casustafel.reporting.periods import Period, Quarter
from casustafel.reporting.scope import Scope

from .report import build

DEMO_REGION = "lindeveld"
#: The region's own text in the qualitative section (invented, as all demo data).
EXAMPLE_POLICY_TEXT = (
    "De regio ziet dat nazorg na afsluiting vaker zonder nieuwe zorgen verloopt sinds de vaste "
    "nazorgcontacten na zes en twaalf maanden. Voor huisvesting blijft de wachttijd een knelpunt; "
    "daarover is een beleidssignaal aan de gemeenten gestuurd. (Voorbeeldtekst bij fictieve cijfers.)"
)


def render_examples(directory: Path, *, region_code: str = DEMO_REGION) -> list[Path]:
    """Write ``council-report.html`` and ``council-report.pdf`` for the demo region to ``directory``."""
    region = Region.objects.get(code=region_code)
    today = timezone.localdate()
    period = Period(Quarter(today.year, 1), Quarter.of(today))
    with rls.regions(region.pk):
        report = build(Scope.region(region), period, policy_text=EXAMPLE_POLICY_TEXT)
    html = render_to_string("reporting/council/document.html", {"report": report})
    directory.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = directory / "council-report.html", directory / "council-report.pdf"
    html_path.write_text(html, encoding="utf-8")
    pdf_path.write_bytes(render.pdf_from_html(html))
    return [html_path, pdf_path]
