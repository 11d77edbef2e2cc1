"""``casustafel import cases FILE``: migration import of a region's signals and cases (ADR 0046).

Output and report name rows by number and external id only, never a person.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def cmd_import_cases(args) -> int:
    from casustafel.cli import _setup

    _setup()
    from django.core.serializers.base import ProgressBar

    from casustafel.access import rls
    from casustafel.accounts.models import Region, User
    from casustafel.core.errors import PolicyDenied

    from .report import report_csv, summary
    from .services import import_cases

    region = Region.objects.filter(code=args.region).first()
    if region is None:
        return _fail("Onbekende regio.")
    user = User.objects.select_related("organisation").filter(username=args.by).first()
    if user is None:
        return _fail("Onbekende gebruiker.")
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError:
        return _fail("Het importbestand is niet te lezen.")
    bar: list[ProgressBar] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(ProgressBar(None if args.quiet else sys.stderr, total))
        bar[0].update(done)

    try:
        with rls.regions(region.pk):
            result = import_cases(
                user,
                region=region,
                system=args.system,
                data=data,
                name=path.name,
                dry_run=args.dry_run,
                progress=progress,
            )
    except PolicyDenied as error:
        return _fail(str(error))
    report = report_csv(result)
    if args.report:
        Path(args.report).write_text(report, encoding="utf-8")
    elif result.problems:
        sys.stdout.write(report)
    print(summary(result))
    if args.report:
        print(f"Verslag geschreven naar {args.report}")
    return 1 if result.problems else 0


def register(sub) -> None:
    imports = sub.add_parser(
        "import", help="bestaande signalen en casussen importeren (migratie, docs/import-format.md)"
    )
    isub = imports.add_subparsers(dest="import_command", required=True)
    cases = isub.add_parser("cases", help="signalen en casussen uit een CSV- of JSON-bestand (alles of niets)")
    cases.add_argument("file", metavar="BESTAND")
    cases.add_argument("--region", required=True, metavar="CODE", help="regiocode van de casustafel")
    cases.add_argument("--system", required=True, metavar="NAAM", help="naam van het bronsysteem (herkomst)")
    cases.add_argument("--by", required=True, metavar="GEBRUIKERSNAAM", help="functioneel beheerder die importeert")
    cases.add_argument("--dry-run", action="store_true", help="alleen controleren; niets vastleggen")
    cases.add_argument("--report", metavar="PAD", help="verslag (CSV) naar dit bestand")
    cases.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    cases.set_defaults(func=cmd_import_cases)
