"""``casustafel log head`` and ``casustafel log verify [--head HASH]``.

``head`` prints the id and hash of the last row; keep that line somewhere else (a
ticket, an e-mail to the FG, a printout). ``verify`` walks the whole chain in id order,
in chunks, and names the first broken row. With ``--head`` it also checks that the
exported head is still in the chain, which reveals rows removed from the end.
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
    print(f"{last[0]} {last[1]}")
    return 0


def cmd_verify(args) -> int:
    _setup()
    from .verify import verify

    report = verify(head_hash=args.head)
    print(report.message, file=sys.stdout if report.intact else sys.stderr)
    return 0 if report.intact else 1


def register(sub) -> None:
    log = sub.add_parser("log", help="logboek dataverwerkingen: hashketen controleren")
    log_sub = log.add_subparsers(dest="log_command", required=True)
    head = log_sub.add_parser("head", help="id en hash van de laatste logregel tonen (om te bewaren)")
    head.set_defaults(func=cmd_head)
    verify = log_sub.add_parser("verify", help="de hashketen van het logboek controleren")
    verify.add_argument("--head", metavar="HASH", help="eerder met 'casustafel log head' bewaarde hash")
    verify.set_defaults(func=cmd_verify)
