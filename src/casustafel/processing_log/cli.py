"""``casustafel log head|verify|seal|keygen`` (chain version 3, ADR 0048).

``head`` prints the newest tree head (size and root); the sequencer also exports every head
automatically (``CASUSTAFEL_LOG_HEAD_EXPORT``). ``verify`` recomputes every leaf, node and
root and checks against the latest exported head, naming the first broken row; with
``--head`` also a root kept elsewhere. ``seal`` runs the sequencer (``--once``: one round).
``keygen`` writes a new signing key file (the sequencer's only).
"""

from __future__ import annotations

import sys


def _setup() -> None:
    from casustafel.cli import _setup as setup

    setup()


def cmd_head(args) -> int:
    _setup()
    from .verify import head

    last = head()
    if last is None:
        print("Het logboek is leeg.")
        return 0
    if last.hash is None:
        print("Er is nog geen boomkop: start de sequencer (casustafel log seal).")
        return 0
    print(f"{last.tree_size} {last.hash}")
    return 0


def cmd_verify(args) -> int:
    _setup()
    from .verify import verify

    report = verify(head_hash=args.head)
    print(report.message, file=sys.stdout if report.intact else sys.stderr)
    return 0 if report.intact else 1


def cmd_seal(args) -> int:
    _setup()
    from .sequencer import loop, seal

    if args.once:
        total = 0
        while sealed := seal(full=args.full or total == 0):
            total += sealed
        print(f"{total} regel(s) verzegeld.")
        return 0
    loop(interval=args.interval)
    return 0


def cmd_keygen(args) -> int:
    _setup()
    from pathlib import Path

    from django.conf import settings

    from .signing import write_key_pair

    path = Path(args.file or settings.CASUSTAFEL_LOG_SIGNING_KEY_FILE)
    try:
        public = write_key_pair(path)
    except FileExistsError:
        print(f"{path} bestaat al; kies een ander bestand (--file).", file=sys.stderr)
        return 1
    print(f"Privésleutel geschreven naar {path} (0600). Publieke sleutel:")
    print(f"CASUSTAFEL_LOG_PUBLIC_KEY={public}")
    return 0


def cmd_partitions(args) -> int:
    _setup()
    from .partitions import run_command

    return run_command(args)


def register(sub) -> None:
    log = sub.add_parser("log", help="logboek dataverwerkingen: verzegelen en controleren")
    log_sub = log.add_subparsers(dest="log_command", required=True)
    head = log_sub.add_parser("head", help="de nieuwste boomkop tonen: aantal bladen en wortelhash (om te bewaren)")
    head.set_defaults(func=cmd_head)
    verify = log_sub.add_parser("verify", help="de boom van het logboek controleren tegen de geëxporteerde boomkop")
    verify.add_argument("--head", metavar="HASH", help="eerder met 'casustafel log head' bewaarde wortelhash")
    verify.set_defaults(func=cmd_verify)
    partitions = log_sub.add_parser("partitions", help="maandpartities van het logboek en hun bewaartermijn (ADR 0049)")
    partitions.add_argument(
        "--ensure", action="store_true", help="eerst de partities van deze en de komende maanden maken"
    )
    partitions.add_argument(
        "--months-ahead", type=int, default=3, choices=range(25), metavar="N", help="maanden vooruit"
    )
    partitions.add_argument("--exact", action="store_true", help="rijen tellen in plaats van schatten (traag)")
    partitions.set_defaults(func=cmd_partitions)
    seal = log_sub.add_parser("seal", help="de sequencer: nieuwe logregels verzegelen en een boomkop ondertekenen")
    seal.add_argument("--once", action="store_true", help="alles wat klaarstaat verzegelen en stoppen")
    seal.add_argument("--full", action="store_true", help="alle regels nalopen op te laat vastgelegde regels")
    seal.add_argument("--interval", type=float, default=1.0, help="seconden tussen twee rondes")
    seal.set_defaults(func=cmd_seal)
    keygen = log_sub.add_parser("keygen", help="nieuwe ondertekensleutel voor de boomkoppen")
    keygen.add_argument("--file", help="pad van het sleutelbestand (standaard CASUSTAFEL_LOG_SIGNING_KEY_FILE)")
    keygen.set_defaults(func=cmd_keygen)
