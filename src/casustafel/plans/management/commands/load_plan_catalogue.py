from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casustafel.plans import loader
from casustafel.plans.models import CatalogueEntry, CatalogueVersion, InterferenceRule


class Command(BaseCommand):
    help = "Laad een nieuwe versie van de interventiecatalogus en interferentieregels (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    @transaction.atomic
    def handle(self, path, **options):
        try:
            spec = loader.read_spec(path)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        catalogue, created = loader.load(spec, CatalogueVersion, CatalogueEntry, InterferenceRule)
        self.stdout.write(f"Catalogus versie {catalogue.version} " + ("geladen." if created else "bestond al."))
