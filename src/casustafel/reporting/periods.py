"""Report periods: whole calendar quarters (ADR 0039).

A report covers a run of whole calendar quarters, never arbitrary dates: suppression is computed
once per calendar year on a cube with a column per quarter and one for the year, and every
period is composed of published cells of that cube, so two reports of overlapping periods cannot
be differenced into a small number (Wet PGA art. 18, AVG art. 5 lid 1 c).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import total_ordering

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: The longest period a report may cover (the art. 24 evaluation looks back five years).
MAX_YEARS = 5
#: The first year the quarter choice lists offer.
FIRST_YEAR = 2020

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[KkQq]\s*([1-4])\s*$")


class PeriodError(ValidationError):
    """A period a report cannot cover (the message is Dutch and safe to show)."""


@total_ordering
@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise PeriodError(gettext("Een kwartaal is K1, K2, K3 of K4."), code="quarter")
        if not 1900 <= self.year <= 9999:
            raise PeriodError(gettext("Dit jaar is geen geldig jaar."), code="year")

    def __lt__(self, other: Quarter) -> bool:
        return (self.year, self.number) < (other.year, other.number)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1) if self.year < 9999 or self.number < 4 else date(9999, 12, 31)

    @property
    def label(self) -> str:
        return f"{self.year} K{self.number}"

    @property
    def code(self) -> str:
        """The form and URL value: "2026-K1"."""
        return f"{self.year}-K{self.number}"

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(text or "")
        if not match:
            raise PeriodError(gettext("Kies een kwartaal, zoals 2026-K1."), code="unparseable")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Period:
    """A run of whole calendar quarters, ``first`` to ``last`` inclusive."""

    first: Quarter
    last: Quarter

    def __post_init__(self):
        if self.last < self.first:
            raise PeriodError(gettext("De periode is leeg: het laatste kwartaal ligt vóór het eerste."), code="empty")
        if len(self.quarters()) > 4 * MAX_YEARS:
            raise PeriodError(
                gettext("Een rapportage beslaat ten hoogste %(years)s jaar.") % {"years": MAX_YEARS}, code="too_long"
            )

    def quarters(self) -> list[Quarter]:
        result, quarter = [], self.first
        while quarter <= self.last and len(result) <= 4 * MAX_YEARS:
            result.append(quarter)
            quarter = quarter.next()
        return result

    @property
    def start(self) -> date:
        return self.first.start

    @property
    def end(self) -> date:
        return self.last.end

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    @property
    def is_calendar_year(self) -> bool:
        return self.first.year == self.last.year and self.first.number == 1 and self.last.number == 4

    def covers_year(self, year: int) -> bool:
        """Whether every quarter of ``year`` lies in the period."""
        return self.first <= Quarter(year, 1) and Quarter(year, 4) <= self.last

    @property
    def label(self) -> str:
        if self.is_calendar_year:
            return str(self.first.year)
        if self.first == self.last:
            return self.first.label
        return f"{self.first.label} – {self.last.label}"

    @property
    def code(self) -> str:
        return f"{self.first.code}_{self.last.code}"

    def __str__(self) -> str:
        return self.label

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(Quarter(year, 1), Quarter(year, 4))

    @classmethod
    def parse(cls, first: str, last: str, *, today: date | None = None) -> Period:
        """A period from two quarter codes; :class:`PeriodError` for unparseable input, an empty
        period, a period in the future or one longer than five years."""
        period = cls(Quarter.parse(first), Quarter.parse(last))
        today = today or timezone.localdate()
        if period.first.start > today:
            raise PeriodError(gettext("Deze periode ligt in de toekomst."), code="future")
        return period


def quarter_choices(today: date | None = None) -> list[tuple[str, str]]:
    """The quarters a report may start or end in, newest first, up to the current one."""
    today = today or timezone.localdate()
    current, quarter, result = Quarter.of(today), Quarter(FIRST_YEAR, 1), []
    while quarter <= current:
        result.append((quarter.code, quarter.label))
        quarter = quarter.next()
    return result[::-1]


class PeriodForm(forms.Form):
    """The period of a report: first and last quarter (``cleaned_data["period"]``)."""

    first = forms.ChoiceField(label=_("Eerste kwartaal"), choices=())
    last = forms.ChoiceField(label=_("Laatste kwartaal"), choices=())

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        choices = quarter_choices(self.today)
        self.fields["first"].choices = choices
        self.fields["last"].choices = choices

    def clean(self):
        data = super().clean()
        if "first" in data and "last" in data:
            try:
                data["period"] = Period.parse(data["first"], data["last"], today=self.today)
            except PeriodError as error:
                raise forms.ValidationError(error.messages, code=error.code) from None
        return data
