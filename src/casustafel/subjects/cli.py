"""``casustafel keys``: list fingerprints, generate a key, rotate, check."""

from __future__ import annotations

import sys


def _keys(args) -> int:
    from casustafel.cli import setup_django

    # As the owner: re-encrypting the TOTP secrets is an update the application role may not
    # make (ADR 0018); the owner is subject to row-level security like the application.
    setup_django(as_owner=True)
    from casustafel.access import rls
    from casustafel.core import identity

    from . import keys

    with rls.all_regions():  # a key covers every table's rows
        return _run(args, identity, keys)


def _run(args, identity, keys) -> int:
    if args.keys_command == "list":
        for position, fingerprint in enumerate(keys.configured_fingerprints()):
            print(f"{fingerprint}  {'nieuwste (versleutelt)' if position == 0 else 'alleen ontsleutelen'}")
        return 0
    if args.keys_command == "generate":
        key = keys.new_key()
        print(key)
        print(f"vingerafdruk: {identity.key_fingerprint(key)}", file=sys.stderr)
        return 0
    if args.keys_command == "rotate":
        try:
            results = keys.rotate(args.to)
        except keys.KeyError_ as exc:
            print(str(exc), file=sys.stderr)
            return 2
        for result in results:
            print(f"{result.table}: {result.rotated} waarden opnieuw versleuteld")
        return 0
    stale = keys.check()
    for table, count in stale.items():
        print(f"{table}: {count} waarden nog niet onder de nieuwste sleutel")
    return 1 if any(stale.values()) else 0


def register(sub) -> None:
    parser = sub.add_parser("keys", help="sleutelbeheer voor versleutelde velden")
    keys_sub = parser.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("list", help="vingerafdrukken van de geconfigureerde sleutels")
    keys_sub.add_parser("generate", help="nieuwe sleutel genereren (voor de configuratie)")
    rotate = keys_sub.add_parser("rotate", help="alle versleutelde waarden onder de nieuwste sleutel brengen")
    rotate.add_argument(
        "--to", required=True, metavar="VINGERAFDRUK", help="vingerafdruk van de nieuwe sleutel (moet vooraan staan)"
    )
    keys_sub.add_parser("check", help="controleren of alles onder de nieuwste sleutel staat")
    parser.set_defaults(func=_keys)
