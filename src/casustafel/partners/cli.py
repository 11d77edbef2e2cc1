"""``casustafel partner create|rotate|revoke|list|deliveries``: partner-system clients (ADR 0045).

Account administration, as the schema owner (the application role only reads the client
tables, ADR 0018). A secret is printed once, on stdout; it is stored only as a digest.
"""

from __future__ import annotations

import sys
from datetime import timedelta


def _setup():
    from casustafel.cli import setup_django

    setup_django(as_owner=True)


def _client(client_id: str):
    from .models import PartnerClient

    client = PartnerClient.objects.select_related("organisation").filter(client_id=client_id).first()
    if client is None:
        print("Onbekend partnersysteem (client-id).", file=sys.stderr)
    return client


def _errors(exc) -> str:
    return "; ".join(exc.messages)


def cmd_create(args) -> int:
    _setup()
    from django.core.exceptions import ValidationError
    from django.db.models import Q

    from casustafel.accounts.models import Organisation

    from . import services

    matches = list(
        Organisation.objects.filter(
            Q(name=args.organisation) | Q(pk=args.organisation if _is_uuid(args.organisation) else None)
        ).select_related("region")
    )
    if len(matches) != 1:
        print("Geef één bestaande organisatie (naam of id).", file=sys.stderr)
        return 2
    try:
        issued = services.create_client(organisation=matches[0], name=args.name, scopes=args.scope)
    except ValidationError as exc:
        print(f"Niet aangemaakt: {_errors(exc)}", file=sys.stderr)
        return 2
    print(f"client-id: {issued.client.client_id}")
    print(f"geheim:    {issued.secret}")
    print("Het geheim wordt alleen nu getoond; bewaar het in het partnersysteem.", file=sys.stderr)
    return 0


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def cmd_rotate(args) -> int:
    _setup()
    from django.core.exceptions import ValidationError

    from . import services

    client = _client(args.client_id)
    if client is None:
        return 2
    try:
        secret = services.rotate_secret(client=client, grace=timedelta(hours=args.grace_hours))
    except ValidationError as exc:
        print(f"Niet geroteerd: {_errors(exc)}", file=sys.stderr)
        return 2
    print(f"geheim:    {secret}")
    print(f"Het vorige geheim blijft {args.grace_hours} uur geldig.", file=sys.stderr)
    return 0


def cmd_revoke(args) -> int:
    _setup()
    from . import services

    client = _client(args.client_id)
    if client is None:
        return 2
    client = services.revoke_client(client=client)
    print(f"{client.client_id} ingetrokken op {client.revoked_at:%Y-%m-%d %H:%M:%S %Z}")
    return 0


def cmd_list(args) -> int:
    _setup()
    from .models import PartnerClient

    for client in PartnerClient.objects.select_related("organisation"):
        state = f"ingetrokken {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "actief"
        print(f"{client.client_id}  {client.organisation.name} — {client.name}  [{','.join(client.scopes)}]  {state}")
    return 0


def cmd_deliveries(args) -> int:
    _setup()
    from .models import WebhookDelivery

    rows = WebhookDelivery.objects.filter(subscription_id=args.subscription).prefetch_related("attempt_log")[:100]
    for row in rows:
        state = (
            f"afgeleverd {row.delivered_at:%Y-%m-%d %H:%M:%S}"
            if row.delivered_at
            else f"opgegeven {row.given_up_at:%Y-%m-%d %H:%M:%S}"
            if row.given_up_at
            else f"volgende poging {row.next_attempt_at:%Y-%m-%d %H:%M:%S}"
        )
        print(f"{row.event_id}  {row.event_type:<26} pogingen {row.attempts}  {state}")
        for attempt in row.attempt_log.all():
            print(
                f"    {attempt.at:%Y-%m-%d %H:%M:%S}  {attempt.status_code or attempt.error}  {attempt.duration_ms} ms"
            )
    return 0


#: The scopes (``models.Scope``), named here so the parser needs no Django.
SCOPES = ("aanmelding:schrijven", "webhooks:beheren")


def register(sub) -> None:
    parser = sub.add_parser("partner", help="partnersystemen: clientgegevens en webhooks (als schema-eigenaar)")
    partner = parser.add_subparsers(dest="partner_command", required=True)
    create = partner.add_parser("create", help="partnersysteem aanmaken; toont het geheim eenmalig")
    create.add_argument("--organisation", required=True, help="naam of id van de organisatie")
    create.add_argument("--name", required=True, help="naam van het systeem")
    create.add_argument("--scope", action="append", required=True, choices=SCOPES, help="scope (herhaalbaar)")
    create.set_defaults(func=cmd_create)
    rotate = partner.add_parser("rotate", help="nieuw geheim; het vorige blijft een overgangstermijn geldig")
    rotate.add_argument("client_id")
    rotate.add_argument("--grace-hours", type=int, default=24, help="uren dat het vorige geheim geldig blijft")
    rotate.set_defaults(func=cmd_rotate)
    revoke = partner.add_parser("revoke", help="partnersysteem direct intrekken")
    revoke.add_argument("client_id")
    revoke.set_defaults(func=cmd_revoke)
    partner.add_parser("list", help="partnersystemen tonen").set_defaults(func=cmd_list)
    deliveries = partner.add_parser("deliveries", help="afleverlog van een webhookabonnement")
    deliveries.add_argument("subscription", help="id van het abonnement")
    deliveries.set_defaults(func=cmd_deliveries)


def work_round() -> str:
    """The worker's round for partner systems: deliver due webhooks, forget expired keys."""
    from . import services, webhooks

    delivered = webhooks.deliver_due()
    purged = services.purge_idempotency()
    return f"{delivered} webhook(s) afgeleverd, {purged} verlopen sleutel(s) opgeruimd"
