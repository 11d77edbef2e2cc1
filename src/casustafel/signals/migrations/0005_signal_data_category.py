"""Wet PGA art. 4 category on every signal (existing rows: c, a description of the
signals) and the art. 8 special categories as classification values."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("signals", "0004_intake_route_addressee_reporter"), ("governance", "0003_wet_pga_categories")]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="data_category",
            field=models.CharField(
                choices=[
                    ("identifying", "a. Identificerende en contactgegevens"),
                    ("bsn", "b. Burgerservicenummer"),
                    ("signals", "c. Omschrijving van de signalen"),
                    ("registering_participant", "d. Deelnemer die de signalen heeft ingebracht"),
                    ("plan_of_action", "e. Gegevens voor het plan van aanpak"),
                    ("police_data", "f. Politiegegevens (art. 20 Wpg)"),
                    ("judicial_data", "g. Justitiële en strafvorderlijke gegevens (Wjsg)"),
                    ("social_relations", "h. Personen met wie betrokkene een sociale relatie onderhoudt"),
                ],
                default="signals",
                max_length=30,
                verbose_name="categorie (art. 4)",
            ),
        ),
        migrations.AlterField(
            model_name="signal",
            name="classification",
            field=models.CharField(
                choices=[
                    ("ordinary", "Gewone persoonsgegevens"),
                    ("special_category", "Bijzondere persoonsgegevens"),
                    ("special_ethnicity", "Bijzonder: ras of etnische afkomst (art. 8 lid 1)"),
                    (
                        "special_beliefs",
                        "Bijzonder: politieke, religieuze of levensbeschouwelijke overtuiging (art. 8 lid 1)",
                    ),
                    ("special_health", "Bijzonder: gezondheid (art. 8 lid 1)"),
                    ("criminal_law", "Strafrechtelijke gegevens (art. 8 lid 2)"),
                    ("ambtsbericht", "Afgeleid van een ambtsbericht"),
                ],
                default="ordinary",
                max_length=20,
                verbose_name="classificatie",
            ),
        ),
    ]
