"""Wet PGA art. 11 (ADR 0010, revision 2026-11-30): informing decisions as an append-only history, and the former
one-row-per-case transparency record moved into it. ``0007`` drops the old table.

A former record becomes one decision, dated and signed as it was last saved: "informed" with
its date; "not (yet) informed" as a *deferral* (the old form said "nog niet") whose ground is
``not_recorded`` — before the Wet PGA no interest of art. 41 lid 1 UAVG was asked — with the
free-text reason as motivation and the review date as it was (a past one puts the case in its
director's work until decided again)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


NOT_RECORDED = "not_recorded"
NO_REASON = "(Geen reden vastgelegd vóór de Wet PGA.)"


def forward(apps, schema_editor):
    from casustafel.access.rls import migration_scope_all_regions

    migration_scope_all_regions(schema_editor)
    alias = schema_editor.connection.alias
    old = apps.get_model("governance", "CaseTransparency")
    new = apps.get_model("governance", "InformingDecision")
    decisions = []
    for row in old.objects.using(alias).all():
        if row.informed:
            fields = {"outcome": "informed", "informed_on": row.informed_at or row.updated_at.date()}
        else:
            fields = {
                "outcome": "deferred",
                "ground": NOT_RECORDED,
                "motivation": row.not_informed_reason.strip() or NO_REASON,
                "review_on": row.review_on,
            }
        decisions.append(new(case_id=row.case_id, decided_by_id=row.updated_by_id, decided_at=row.updated_at, **fields))
    new.objects.using(alias).bulk_create(decisions)


def backward(apps, schema_editor):
    """The newest decision per case back into the one-row record."""
    from casustafel.access.rls import migration_scope_all_regions

    migration_scope_all_regions(schema_editor)
    alias = schema_editor.connection.alias
    old = apps.get_model("governance", "CaseTransparency")
    new = apps.get_model("governance", "InformingDecision")
    seen = set()
    for d in new.objects.using(alias).order_by("case_id", "-decided_at"):
        if d.case_id in seen:
            continue
        seen.add(d.case_id)
        informed = d.outcome == "informed"
        old.objects.using(alias).create(
            case_id=d.case_id,
            informed=informed,
            informed_at=d.informed_on,
            not_informed_reason="" if informed else d.motivation,
            review_on=d.review_on,
            updated_by_id=d.decided_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_third_parties"),
        ("governance", "0005_privacy_audits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InformingDecision",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("informed", "Geïnformeerd"),
                            ("deferred", "Informeren uitgesteld"),
                            ("not_informed", "Niet informeren"),
                        ],
                        max_length=20,
                        verbose_name="besluit",
                    ),
                ),
                ("informed_on", models.DateField(blank=True, null=True, verbose_name="geïnformeerd op")),
                ("ground", models.CharField(blank=True, max_length=40, verbose_name="belang (art. 41 lid 1 UAVG)")),
                ("grounds_version", models.PositiveIntegerField(blank=True, null=True, verbose_name="versie belangen")),
                (
                    "motivation",
                    models.TextField(
                        blank=True, max_length=5000, verbose_name="motivering ten behoeve van het casusoverleg"
                    ),
                ),
                ("review_on", models.DateField(blank=True, null=True, verbose_name="heroverwegen op")),
                ("decided_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="vastgelegd op")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="informing_decisions", to="cases.case"
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "besluit over informeren",
                "verbose_name_plural": "besluiten over informeren",
                "ordering": ["-decided_at"],
            },
        ),
        migrations.AddConstraint(
            model_name="informingdecision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ground", ""), ("informed_on__isnull", False), ("outcome", "informed")),
                    models.Q(
                        models.Q(("outcome", "informed"), _negated=True),
                        models.Q(("ground", ""), _negated=True),
                        models.Q(("motivation", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="informing_decision_informed_or_grounded",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
