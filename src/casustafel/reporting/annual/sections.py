"""The sections of the annual report of Wet PGA art. 18, in the order they are published.

Each section names the articles it accounts for, a short explanation for the public reader, and
its tables: a fact (``annual.facts``) with the dimension that forms the rows and the one that
forms the columns. A section or a table can be left out in the redaction step (art. 18 lid 1);
its target is ``section:<code>`` or ``table:<fact name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from casustafel.reporting.facts import get

from . import facts


@dataclass(frozen=True)
class TableSpec:
    fact: str
    row_dim: int = 0
    col_dim: int | None = 1

    @property
    def target(self) -> str:
        return f"table:{self.fact}"


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    articles: str
    intro: str
    tables: tuple[TableSpec, ...]

    @property
    def target(self) -> str:
        return f"section:{self.code}"


SECTIONS: tuple[Section, ...] = (
    Section(
        "exchanged",
        _("Uitgewisselde gegevens"),
        _("art. 4, art. 5 lid 3, art. 6"),
        _(
            "Welke categorieën gegevens (art. 4 onder a tot en met h) welke soorten organisaties inbrachten: "
            "in de wegingen van gemeente, politie en Openbaar Ministerie (inbreng met informatie), en in de "
            "casussen en plannen van aanpak (journaalnotities en gehouden contacten van interventies)."
        ),
        (TableSpec(facts.WEIGHING_DATA.name, row_dim=1, col_dim=0), TableSpec(facts.PLAN_DATA.name)),
    ),
    Section(
        "usefulness",
        _("Bruikbaarheid van de inbreng"),
        _("art. 5 lid 3, art. 10"),
        _(
            "Hoe vaak het standpunt van een partij het eensluidende besluit werd (bepalend), hoe vaak een partij "
            "een ander standpunt had of geen informatie, en hoe vaak aangeleverde gegevens werden gecorrigeerd "
            "omdat zij onjuist bleken (art. 10)."
        ),
        (TableSpec(facts.CONTRIBUTION_EFFECT.name), TableSpec(facts.CORRECTIONS.name)),
    ),
    Section(
        "withheld",
        _("Achtergehouden gegevens"),
        _("art. 4 aanhef"),
        _(
            "Hoe vaak een deelnemer gegevens niet verstrekte omdat naar zijn oordeel zwaarwegende redenen zich "
            "daartegen verzetten, naar soort organisatie en categorie gegevens."
        ),
        (TableSpec(facts.WITHHELD.name),),
    ),
    Section(
        "transfers",
        _("Verstrekking aan andere casustafels en bezwaren"),
        _("art. 7"),
        _(
            "Overdrachten van casussen naar en van het casusoverleg van een andere gemeente (art. 7 lid 1), "
            "bezwaren van deelnemers tegen verstrekking om zwaarwegende redenen (art. 7 lid 2) en bezwaren "
            "van betrokkenen tegen de verwerking."
        ),
        (
            TableSpec(facts.TRANSFERS.name),
            TableSpec(facts.TRANSFER_OBJECTIONS.name, col_dim=None),
            TableSpec(facts.OBJECTIONS.name, col_dim=None),
        ),
    ),
    Section(
        "informing",
        _("Informeren van betrokkenen"),
        _("art. 11"),
        _(
            "Besluiten over het informeren van betrokkenen over hun opname (art. 14 AVG): geïnformeerd, uitgesteld "
            "of niet geïnformeerd, met het belang van art. 41 lid 1 UAVG waarop een uitzondering steunt."
        ),
        (TableSpec(facts.INFORMING.name),),
    ),
    Section(
        "retention",
        _("Bewaren en vernietigen"),
        _("art. 9"),
        _(
            "Gegevens in uitgevoerde vernietigingsrondes (vernietigd, opgeschort door een juridische blokkade, "
            "overgeslagen), noodzaaktoetsen en juridische blokkades."
        ),
        (TableSpec(facts.DESTRUCTION.name), TableSpec(facts.RETENTION_REVIEWS.name, col_dim=None)),
    ),
)

BY_TARGET = {
    **{section.target: section for section in SECTIONS},
    **{table.target: table for section in SECTIONS for table in section.tables},
}


def target_choices() -> list[tuple[str, str]]:
    """The parts that can be left out, for the redaction form: each section and each table."""
    choices: list[tuple[str, str]] = []
    for section in SECTIONS:
        choices.append((section.target, f"{_('Hoofdstuk')}: {section.title}"))
        for table in section.tables:
            choices.append((table.target, f"— {_('Tabel')}: {get(table.fact).label}"))
    return choices
