"""``casustafel worker``: the notification worker — scan the work queues of the users who opted
in and send the outbox through the SMTP server, every ``--interval`` seconds (``--once``: one
round, for cron or a test). PostgreSQL is the queue; several workers may run side by side."""

from __future__ import annotations

import time


def cmd_worker(args) -> int:
    from casustafel.cli import _setup

    _setup()
    from casustafel.partners.cli import work_round
    from casustafel.processing_log import sequencer
    from casustafel.processing_log.partitions import ensure_partitions_daily

    from . import notifications

    # The processing log's sequencer (ADR 0048) seals new log rows every second beside this loop.
    if not args.once:
        sequencer.start_in_thread(interval=1.0)
    while True:
        queued = notifications.scan()
        sent = notifications.send_outbox()
        partners = work_round()  # partner systems: webhooks due, expired Idempotency-Keys (ADR 0045)
        ensure_partitions_daily()  # the log's monthly partitions, once a day (ADR 0049)
        if args.once:
            print(f"{queued} bericht(en) klaargezet, {sent} verstuurd", flush=True)
            print(partners, flush=True)
            sequencer.seal()
            return 0
        time.sleep(args.interval)


def register(sub) -> None:
    worker = sub.add_parser("worker", help="meldingen per e-mail: werkvoorraden bekijken en de wachtrij versturen")
    worker.add_argument("--once", action="store_true", help="één ronde en stoppen")
    worker.add_argument("--interval", type=int, default=60, help="seconden tussen twee rondes")
    worker.set_defaults(func=cmd_worker)
