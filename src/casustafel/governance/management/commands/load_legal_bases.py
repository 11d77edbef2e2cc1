"""Load a new version of the legal bases (grondslagen) from a JSON data file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casustafel.governance import loader
from casustafel.governance.models import LegalBasis, LegalBasisSet


class Command(BaseCommand):
    help = "Laad een (nieuwe) versie van de grondslagen uit een JSON-bestand (zie governance/data/)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON-bestand met 'version', 'classifications' en 'bases'")

    def handle(self, *args, **options):
        try:
            spec = loader.read_spec(options["path"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            basis_set, created = loader.load(spec, LegalBasisSet, LegalBasis)
        if created:
            self.stdout.write(f"Grondslagen versie {basis_set.version} geladen ({basis_set.bases.count()}).")
        else:
            self.stdout.write(f"Versie {basis_set.version} bestond al; niets gewijzigd.")
