"""The printable agenda and minutes of a conference for one organisation (ReportLab).

Pure Python (no system libraries), so it works on every machine the project runs on.
The caller passes only the items the organisation may see (``selectors.agenda_for_organisation``);
this module never queries.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def render_agenda_pdf(meeting, organisation, items) -> bytes:
    styles = getSampleStyleSheet()
    body, h1, h2, h3 = styles["BodyText"], styles["Title"], styles["Heading2"], styles["Heading3"]
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    story = [
        _p(_("Agenda en verslag casusoverleg"), h1),
        _p(
            _("%(date)s, %(start)s–%(end)s, %(location)s")
            % {
                "date": date_format(start, "j F Y"),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "location": meeting.location + (" (" + _("online") + ")" if meeting.online else ""),
            },
            body,
        ),
        _p(
            _(
                "Voor: %(organisation)s. Vertrouwelijk: dit overzicht bevat alleen de agendapunten van casussen "
                "waaraan deze organisatie deelneemt."
            )
            % {"organisation": organisation.name},
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    if not items:
        story.append(_p(_("Er staan voor uw organisatie geen agendapunten op dit overleg."), body))
    for number, item in enumerate(items, start=1):
        case = item.case
        # Art. 3 lid 3: a third party sees the name only when identifying data were marked necessary.
        title = (
            case.reference
            if getattr(item, "identity_shielded", False)
            else f"{case.reference} — {case.subject.full_name}"
        )
        story.append(_p(f"{number}. {title}", h2))
        story.append(_p(_("Reden agendering: %(reason)s") % {"reason": item.get_reason_display()}, body))
        story.append(
            _p(
                _("Betrokken organisaties: %(orgs)s")
                % {"orgs": ", ".join(p.organisation.name for p in case.participants.all())},
                body,
            )
        )
        story.append(_p(_("Verslag"), h3))
        story.append(_p(item.minutes or _("(nog geen verslag)"), body))
        decisions = list(item.decisions.all())
        if decisions:
            story.append(_p(_("Besluiten"), h3))
            story.extend(_p(f"• {d.text}", body) for d in decisions)
        actions = list(item.actions.all())
        if actions:
            story.append(_p(_("Acties"), h3))
            story.extend(
                _p(
                    _("• %(description)s — eigenaar %(owner)s, uiterlijk %(due)s (%(status)s)")
                    % {
                        "description": a.description,
                        "owner": a.owner.name,
                        "due": date_format(a.due_date, "d-m-Y"),
                        "status": a.get_status_display(),
                    },
                    body,
                )
                for a in actions
            )
        story.append(Spacer(1, 4 * mm))
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Casusoverleg"),
        author=_("Casustafel"),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    doc.build(story)
    return buffer.getvalue()
