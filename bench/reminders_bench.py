#!/usr/bin/env python
"""Reminder dispatch benchmark: how long one pass takes when a lot is due.

Creates, in a throwaway database, N overdue follow-ups (default 5,000) spread
over 10 salespeople (email only, Django's in-memory mail backend, so the
figures are the dispatcher's own cost, not an SMTP server's), then measures:

  * one pass that materialises and sends all N (per-delivery cost),
  * the next pass, with nothing due (the every-minute idle cost),
  * two passes started at once on another N (PostgreSQL: SKIP LOCKED sharing
    the work), checking every message went out exactly once.

With ``--backlog N`` it measures instead the catch-up of a large backlog: N
overdue follow-ups built in chunks, then one pass that materialises and sends
them all, printing the time per delivery, how long a claim takes (per claim
and per row, with the claim sizes the pass chose) at the start and at the end
of the pass (flat when the claim walks an index rather than sorting the
backlog) and the peak resident memory of the pass (``resource.getrusage``; the
process's own baseline is printed beside it). The in-memory backend's outbox
keeps only a hash of each message's recipient and subject there (CountingOutbox).

Usage (not run in CI):

    .venv/bin/python bench/reminders_bench.py                       # PostgreSQL, 5,000
    .venv/bin/python bench/reminders_bench.py --due 1000 --database-url sqlite:////tmp/bench-reminders.sqlite3
    .venv/bin/python bench/reminders_bench.py --backlog 180000              # issue 14: < 2 ms each, < 200 MB

The PostgreSQL database (default crm_bench_reminders) is dropped and re-created.
"""

import argparse
import gc
import os
import resource
import secrets
import sys
import threading
import time
from array import array
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/crm_bench_reminders"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--due", type=int, default=5000, help="overdue follow-ups per measured pass")
    parser.add_argument("--backlog", type=int, default=0, help="measure one pass over this many due deliveries")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="with --backlog: materialise the whole backlog, then claim and send only this many "
        "(the per-delivery and per-claim cost at that backlog, without waiting for all of it)",
    )
    parser.add_argument("--database-url", default=DEFAULT_DB)
    return parser.parse_args()


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        Path(parsed.path).unlink(missing_ok=True)
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
    # As in production: with DEBUG on, Django keeps the SQL of the last 9,000
    # queries, tens of MB of INSERT text when a backlog is materialised.
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))  # DEBUG off refuses the example key
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_due(n: int, offset: int, chunk: int = 5000) -> None:
    """n overdue follow-ups, built ``chunk`` at a time so that building a big
    backlog does not raise the peak memory the pass is measured against."""
    for start in range(0, n, chunk):
        _make_due_chunk(min(chunk, n - start), offset + start)


def _make_due_chunk(n: int, offset: int) -> None:
    import datetime

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from leads.models import Lead
    from reminders.models import LeadReminder

    sales = Group.objects.get(name="Sales")
    people = []
    for i in range(10):
        user, _ = User.objects.get_or_create(username=f"bench{i}", defaults={"email": f"bench{i}@centre.example"})
        user.groups.add(sales)
        people.append(user)
    now = timezone.now()
    leads = Lead.objects.bulk_create(
        [
            Lead(
                phone=f"+99890{offset + i:07d}",
                source="instagram",
                full_name=f"Bench Lead {offset + i}",
                assigned_to=people[i % 10],
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    due = now - datetime.timedelta(minutes=20)
    LeadReminder.objects.bulk_create(
        [
            # lead_owner: the lead's salesperson, as the app writes it (leads.models.lead_owner_field).
            LeadReminder(
                lead=lead, salesperson=people[i % 10], lead_owner=people[i % 10], due_at=due, next_notify_at=due
            )
            for i, lead in enumerate(leads)
        ],
        batch_size=2000,
    )


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CountingOutbox:
    """``mail.outbox`` for a large backlog: Django's in-memory backend still
    builds, validates and deep-copies every message and appends it here, but
    only a 64-bit hash of its recipient and subject is kept, 8 bytes a message
    (180,000 whole messages, or even their subjects, would be this benchmark's
    memory, not the dispatcher's: about 75 MB for the subjects alone)."""

    def __init__(self):
        self.hashes = array("q")

    def append(self, message) -> None:
        self.hashes.append(hash((tuple(message.to), message.subject)))

    def __len__(self) -> int:
        return len(self.hashes)

    def distinct(self) -> int:
        return len(set(self.hashes))


class ClaimTimer:
    """Wraps dispatch.deliveries_claim, keeping (rows claimed, seconds) per claim."""

    def __init__(self, dispatch):
        self.dispatch, self.claim, self.claims = dispatch, dispatch.deliveries_claim, []

    def __enter__(self):
        def timed_claim(**kwargs):
            began = time.perf_counter()
            rows = self.claim(**kwargs)
            self.claims.append((len(rows), time.perf_counter() - began))
            return rows

        self.dispatch.deliveries_claim = timed_claim
        return self

    def __exit__(self, *exc):
        self.dispatch.deliveries_claim = self.claim

    def summary(self, claims) -> str:
        rows = sum(n for n, _ in claims)
        took = sum(t for _, t in claims)
        per_claim = took / len(claims) * 1000
        return f"{per_claim:.1f} ms per claim of {rows / len(claims):.0f} ({took / rows * 1000:.3f} ms a row)"


def backlog_sample(n: int, sample: int) -> None:
    """Materialise n due deliveries (time, peak RSS), then claim and send
    ``sample`` of them the way a pass does: what each costs with n waiting."""
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from reminders import dispatch

    vendor = connection.vendor
    make_due(n, 0)
    gc.collect()
    baseline = rss_mb()
    now = timezone.now()
    count, took = timed(lambda: dispatch.deliveries_materialise(now=now))
    print(
        f"{vendor}: materialised {count:,} due deliveries in {took:.0f} s, peak RSS {rss_mb():.0f} MB "
        f"(before: {baseline:.0f} MB)"
    )
    mail.outbox = CountingOutbox()
    sends, done, limit = 0.0, 0, dispatch.CLAIM_BATCH
    with ClaimTimer(dispatch) as timer:
        while done < sample:
            rows = dispatch.deliveries_claim(now=now, limit=limit)
            _, send_took = timed(lambda: dispatch.deliveries_process(deliveries=rows))  # noqa: B023
            limit = dispatch.next_claim_size(limit=limit, claimed=len(rows), took=send_took)
            sends += send_took
            done += len(rows)
    claims = timer.claims
    per = (sum(t for _, t in claims) + sends) / done * 1000
    print(
        f"{vendor}: with {n:,} due, {done:,} claimed and sent: {per:.2f} ms per delivery; "
        f"first claims {timer.summary(claims[:5])}, last {timer.summary(claims[-5:])}"
    )


def backlog(n: int) -> None:
    from django.core import mail
    from django.db import connection

    from reminders import dispatch
    from reminders.models import Delivery

    vendor = connection.vendor
    start = time.perf_counter()
    make_due(n, 0)
    print(f"{vendor}: built {n:,} overdue follow-ups in {time.perf_counter() - start:.0f} s")
    mail.outbox = CountingOutbox()
    gc.collect()
    baseline = rss_mb()
    materialise, materialised = dispatch.deliveries_materialise, []

    def timed_materialise(**kwargs):
        count, seconds = timed(lambda: materialise(**kwargs))
        materialised.append(seconds)
        return count

    dispatch.deliveries_materialise = timed_materialise
    with ClaimTimer(dispatch) as timer:
        result, took = timed(dispatch.reminders_dispatch_due)
    dispatch.deliveries_materialise = materialise
    peak = rss_mb()
    outbox = mail.outbox
    assert result.sent == n and len(outbox) == n == outbox.distinct(), (result, len(outbox), outbox.distinct())
    assert Delivery.objects.filter(status="sent").count() == n
    claims = timer.claims[:-1]  # the very last claim finds nothing
    sizes = Counter(rows for rows, _ in claims)
    sending = took - materialised[0]
    print(
        f"{vendor}: one pass over {n:,} due: {took:.0f} s, {took / n * 1000:.2f} ms per delivery "
        f"(materialising {materialised[0]:.0f} s, claiming and sending {sending / n * 1000:.2f} ms each); "
        f"{len(claims):,} claims (sizes {dict(sorted(sizes.items()))}); "
        f"first 20: {timer.summary(claims[:20])}; last 20: {timer.summary(claims[-20:])}"
    )
    print(
        f"{vendor}: peak RSS {peak:.0f} MB (process before the pass: {baseline:.0f} MB; "
        f"the outbox keeps a hash of each message's recipient and subject: {len(outbox):,}, all distinct)"
    )


def main():
    args = parse_args()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    if args.backlog and args.sample:
        backlog_sample(args.backlog, args.sample)
        return
    if args.backlog:
        backlog(args.backlog)
        return
    from django.core import mail
    from django.db import connection

    from reminders.dispatch import reminders_dispatch_due
    from reminders.models import Delivery

    vendor = connection.vendor
    make_due(args.due, 0)
    mail.outbox = []
    result, first = timed(reminders_dispatch_due)
    assert result.sent == args.due, result
    idle, second = timed(reminders_dispatch_due)
    assert idle.sent == 0
    print(f"{vendor}: one pass, {args.due} due: {first:.2f} s ({first / args.due * 1000:.2f} ms per message)")
    print(f"{vendor}: idle pass (nothing due): {second * 1000:.1f} ms")

    make_due(args.due, args.due)
    mail.outbox = []
    results = [None, None]
    barrier = threading.Barrier(2)

    def run(i):
        barrier.wait()
        results[i] = reminders_dispatch_due()
        connection.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    both = time.perf_counter() - start
    sent = [r.sent for r in results]
    assert sum(sent) == args.due and len(mail.outbox) == args.due, (sent, len(mail.outbox))
    assert Delivery.objects.filter(status="sent").count() == 2 * args.due
    print(
        f"{vendor}: two passes at once, {args.due} due: {both:.2f} s, split {sent[0]} / {sent[1]}, "
        f"each message sent once"
    )


if __name__ == "__main__":
    main()
