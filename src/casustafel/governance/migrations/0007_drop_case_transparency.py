"""Wet PGA art. 11 (ADR 0010, revision 2026-11-30): the one-row transparency record is gone; its content lives on as
the first informing decision of each case (``0006``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0006_informing_decisions")]

    operations = [migrations.DeleteModel(name="CaseTransparency")]
