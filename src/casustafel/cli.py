"""The ``casustafel`` command: serve, migrate, demo, totp, token, designate, keys, log, retention, manage,
backup, restore, config."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

from django.core.exceptions import ImproperlyConfigured

from casustafel.conf import docs
from casustafel.conf.database import ensure_database
from casustafel.conf.keys import generate_keys


def setup_django(*, as_owner: bool = False) -> None:
    """Django for a subcommand that uses the database (all of them except ``config``).

    Importing the settings starts no server, so this is where the embedded PostgreSQL
    starts when DATABASE_URL is unset; its URLs are exported for child processes.
    ``as_owner``: connect as the schema owner (``DATABASE_OWNER_URL``), for administration
    the application role may not do: migrations, loading accounts, re-encrypting secrets.
    """
    if as_owner:
        os.environ["CASUSTAFEL_DB_ROLE"] = "owner"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
    ensure_database()
    import django

    django.setup()


_setup = setup_django  # name used by the subcommand modules of other apps


def _migrate() -> None:
    """Apply migrations as the schema owner, in a process of its own (ADR 0014)."""
    from django.conf import settings

    if settings.DATABASE_ROLE == "owner":
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return
    env = {**os.environ, "CASUSTAFEL_DB_ROLE": "owner"}  # DATABASE_*_URL were exported by ensure_database
    subprocess.run([sys.executable, "-m", "casustafel.cli", "migrate"], env=env, check=True)


def cmd_migrate(args) -> int:
    setup_django(as_owner=True)
    _migrate()
    return 0


def cmd_serve(args) -> int:
    setup_django()  # starts the embedded PostgreSQL when DATABASE_URL is unset, and exports it
    _migrate()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("check", databases=["default"])  # warns (casustafel.W001) when the app role escapes RLS
    workers = args.workers or max(2, (os.cpu_count() or 1) * 2 + 1)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "casustafel.wsgi:application",
        "--config",
        "python:casustafel.conf.gunicorn_config",  # no Server banner
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--access-logformat",
        '%(h)s "%(m)s %(U)s" %(s)s %(M)sms',
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    print(f"Casustafel draait op http://{args.host}:{args.port} ({workers} workers). Stoppen: Ctrl+C", flush=True)
    process = subprocess.Popen(command)
    # The notification worker (work queue → outbox → SMTP), beside the web workers.
    worker = subprocess.Popen([sys.executable, "-m", "casustafel.cli", "worker"])

    def forward(signum, _frame):
        process.send_signal(signum)
        worker.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = process.wait()
    worker.terminate()
    worker.wait()
    return status  # the embedded server stops at exit of this process


def cmd_demo(args) -> int:
    # As the owner: the application role may not create regions, organisations, users or
    # second factors (ADR 0018); the demo data itself still goes through the services.
    if args.scale == "national" and not 0 < args.fraction <= 1:
        print("casustafel: --fraction moet groter dan 0 en hoogstens 1 zijn.", file=sys.stderr)
        return 2
    setup_django(as_owner=True)
    _migrate()
    if args.scale == "national":
        return _demo_national(args)
    from casustafel.demo import load_demo

    users = load_demo()
    if args.json:
        print(json.dumps(users, indent=2, ensure_ascii=False))
    else:
        print(f"Demo-gebruikers (wachtwoord voor allen: {users[0]['password'] if users else '-'}):")
        for u in users:
            print(f"  {u['username']:<28} {u['role']:<40} {u['organisation']} — {u['region']}")
        print("Tweede factor: casustafel totp GEBRUIKERSNAAM")
    return 0


def _demo_national(args) -> int:
    """National-scale synthetic data, in bulk (ADR 0050); refuses when they are already there."""
    from casustafel.demo_national import NationalDataExistsError, generate

    try:
        summary = generate(seed=args.seed, fraction=args.fraction, progress=True)  # on stderr, beside --json
    except NationalDataExistsError as exc:
        print(f"casustafel: {exc}", file=sys.stderr)
        return 1
    result = {
        "regions": summary.regions,
        "gemeenten": summary.gemeenten,
        "users": summary.users,
        "rows": summary.rows,
        "log_entries": summary.log_entries,
        "seconds": round(summary.seconds, 1),
        "stages": summary.stages,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"Landelijke demo: {summary.regions} regio's, {summary.gemeenten} gemeenten, {summary.users} gebruikers, "
            f"{summary.rows.get('signals.Signal', 0)} signalen, {summary.rows.get('cases.Case', 0)} casussen, "
            f"{summary.log_entries} logregels in {summary.seconds:.0f} s."
        )
    return 0


def cmd_totp(args) -> int:
    setup_django()
    from casustafel.accounts.models import User
    from casustafel.accounts.services import current_totp

    try:
        user = User.objects.get(username=args.username)
        print(current_totp(user))
    except (User.DoesNotExist, PermissionError):
        print("Onbekende gebruiker of geen demo-account.", file=sys.stderr)
        return 2
    return 0


def cmd_token(args) -> int:
    setup_django()
    from casustafel.accounts.models import User
    from casustafel.accounts.services import create_api_token

    try:
        user = User.objects.select_related("organisation").get(username=args.username)
        print(create_api_token(user))
    except (User.DoesNotExist, ValueError) as exc:
        print(
            f"Kan geen token uitgeven: {exc if isinstance(exc, ValueError) else 'onbekende gebruiker'}", file=sys.stderr
        )
        return 2
    return 0


def cmd_designate(args) -> int:
    """Record a designation in the authorisation register (Wet PGA art. 12 lid 3, art. 13).

    Account administration: as the schema owner, since the application role only reads the
    register (ADR 0018, ADR 0029).
    """
    setup_django(as_owner=True)
    from django.core.exceptions import ValidationError

    from casustafel.accounts.models import User
    from casustafel.accounts.services import designate

    try:
        user = User.objects.get(username=args.username)
    except User.DoesNotExist:
        print("Onbekende gebruiker.", file=sys.stderr)
        return 2
    try:
        designation = designate(
            None,
            user=user,
            purpose=args.purpose,
            valid_from=args.valid_from,
            valid_until=args.valid_until,
            designated_by=args.by,
            no_commercial_tasks=args.no_commercial_tasks,
        )
    except ValidationError as exc:
        for messages in exc.message_dict.values():
            for message in messages:
                print(f"Niet vastgelegd: {message}", file=sys.stderr)
        return 2
    until = designation.valid_until.isoformat() if designation.valid_until else "onbepaald"
    print(f"Aangewezen: {user.username} — {designation.get_purpose_display()} — {designation.valid_from} t/m {until}")
    return 0


def _date(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"geen datum (JJJJ-MM-DD): {value!r}") from None


def _register_designate(sub: argparse._SubParsersAction) -> None:
    designate = sub.add_parser(
        "designate", help="aanwijzing vastleggen in het autorisatieregister (art. 13 Wet PGA), als schema-eigenaar"
    )
    designate.add_argument("username")
    designate.add_argument(
        "--purpose",
        required=True,
        # Checked by the service (Django is not set up yet while parsing): one message for every interface.
        help="doel van art. 13 lid 1: processing (a), lawfulness_review (b), system_support (c)",
    )
    designate.add_argument("--from", dest="valid_from", required=True, type=_date, help="vanaf (JJJJ-MM-DD)")
    designate.add_argument("--until", dest="valid_until", type=_date, help="tot en met (JJJJ-MM-DD), optioneel")
    designate.add_argument("--by", required=True, help="naam en functie van de aanwijzende functionaris")
    designate.add_argument(
        "--no-commercial-tasks",
        action="store_true",
        help="de persoon verricht geen commerciële werkzaamheden (verplicht bij een private deelnemer, art. 12 lid 3)",
    )
    designate.set_defaults(func=cmd_designate)


def cmd_manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
    from django.core.management import execute_from_command_line

    ensure_database()  # Django's commands set Django up themselves; most of them need the database

    execute_from_command_line(["casustafel manage", *args.rest])
    return 0


def cmd_config_docs(args: argparse.Namespace) -> int:
    """Write docs/configuration.md from the declarations (or, with --check, compare)."""
    return docs.main(["--check"] if args.check else [])


def cmd_config_keys(args: argparse.Namespace) -> int:
    """Fresh key values for a real deployment, as lines for an environment file."""
    keys = generate_keys()
    print(f"DJANGO_SECRET_KEY={keys.secret_key}")
    print(f"CASUSTAFEL_ENCRYPTION_KEYS={','.join(keys.encryption_keys)}")
    print(f"CASUSTAFEL_BLIND_INDEX_KEY={keys.blind_index_key}")
    return 0


def _register_config(sub: argparse._SubParsersAction) -> None:
    # No database and no Django set-up: these work before anything is configured.
    config_parser = sub.add_parser("config", help="configuratie: documentatie en sleutels")
    config_sub = config_parser.add_subparsers(dest="config_command", required=True)
    docs_parser = config_sub.add_parser("docs", help="docs/configuration.md genereren uit de declaraties")
    docs_parser.add_argument("--check", action="store_true", help="alleen controleren of het bestand actueel is")
    docs_parser.set_defaults(func=cmd_config_docs)
    keys_parser = config_sub.add_parser("keys", help="nieuwe sleutels voor een echte installatie (omgevingsbestand)")
    keys_parser.set_defaults(func=cmd_config_keys)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casustafel", description="Casustafel — PGA-informatiesysteem")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migraties toepassen en de applicatie serveren (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=0)
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="migraties toepassen als schema-eigenaar (DATABASE_OWNER_URL)")
    migrate.set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="fictieve demoregio laden (idempotent) en gebruikers tonen")
    demo.add_argument("--json", action="store_true")
    demo.add_argument("--scale", choices=["region", "national"], default="region", help="region: de demoregio's")
    demo.add_argument("--seed", type=int, default=2026, help="zaadwaarde (landelijk): zelfde zaad, zelfde gegevens")
    demo.add_argument("--fraction", type=float, default=1.0, help="deel van de landelijke aantallen (0 < F ≤ 1)")
    demo.set_defaults(func=cmd_demo)
    totp = sub.add_parser("totp", help="huidige verificatiecode van een demo-account")
    totp.add_argument("username")
    totp.set_defaults(func=cmd_totp)
    token = sub.add_parser("token", help="API-tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="persoonlijk API-token uitgeven")
    create.add_argument("username")
    create.set_defaults(func=cmd_token)
    _register_designate(sub)
    from casustafel.subjects.cli import register as register_keys

    register_keys(sub)
    manage = sub.add_parser("manage", help="Django-beheeropdrachten", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    from casustafel.processing_log.cli import register as register_log
    from casustafel.retention.cli import register as register_retention
    from casustafel.work.cli import register as register_worker

    register_log(sub)
    register_retention(sub)
    register_worker(sub)
    from casustafel.partners.cli import register as register_partner

    register_partner(sub)
    from casustafel.national.cli import register as register_report

    register_report(sub)
    from casustafel.imports.cli import register as register_import

    register_import(sub)
    from casustafel.operations.cli import register as register_operations

    register_operations(sub)
    _register_config(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except ImproperlyConfigured as exc:
        # A configuration mistake (e.g. missing keys) is the operator's to fix: the message, not a traceback.
        print(f"casustafel: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
