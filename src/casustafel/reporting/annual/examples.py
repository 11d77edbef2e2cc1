"""The rendered example of the annual report (Wet PGA art. 18) from the demo data, for
``docs/examples/annual-report.{html,pdf}`` (issue 13's closing note).

    casustafel manage shell -c "from casustafel.reporting.annual.examples import render_example; render_example()"

Reads the demo region's figures for the year (nothing is stored: no report, no log row — it is
the example of a document, not a generation by a user) and writes the standalone HTML page and
its tagged PDF.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from casustafel.accounts.models import Region
from casustafel.reporting.render import pdf_from_html

from .content import compose, document_html


def render_example(
    *, region_code: str = "lindeveld", year: int | None = None, out_dir: Path | str = Path("docs/examples")
) -> list[Path]:
    """Write ``annual-report.html`` and ``annual-report.pdf`` for the demo region; the paths written."""
    region = Region.objects.get(code=region_code)
    content = compose(year=year or timezone.localdate().year, regions=[region], redactions={})
    html = document_html(content)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "annual-report.html", out / "annual-report.pdf"]
    paths[0].write_text(html, encoding="utf-8")
    paths[1].write_bytes(pdf_from_html(html))
    return paths
