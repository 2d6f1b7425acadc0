"""`make bench-pages`: every page of every role at company size, beside the same page on the demo.

1. The company database (casework_bench_pages) is created if missing, migrated, and built by
   bench_pages_generate unless it already holds a company of the asked size (its comment says so).
2. The demo database (casework_bench_demo) is created if missing, migrated and seeded (seed_demo).
3. For each: a process bound to it finds each reader's pages and measures them through Django's test
   client (queries, time in the process, SQL time). Then gunicorn serves both databases and 8
   signed-in clients request each page at once (median and p95), on the company and on the demo in
   turn: the two sides of a page are measured a moment apart, so that the machine's drift over the
   run (minutes of it) is not read as the cost of the company's size.
4. The table, and its last line: `pages: N measured, worst p95 X ms (PAGE), worst p95 ratio company/demo R`.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from psycopg import sql

from benchmarks import load
from benchmarks.company import Sizes
from demo.company import DEMO_PASSWORD

from .bench_pages_generate import add_size_arguments, sizes_from

SERVER = "postgres://postgres@127.0.0.1:5432"
COMPANY_URL = f"{SERVER}/casework_bench_pages"
DEMO_URL = f"{SERVER}/casework_bench_demo"
SETTINGS = "benchmarks.settings"


class Command(BaseCommand):
    help = (
        "Measures every home, list and detail page of every role on a company of the given size "
        "(casework_bench_pages, built with INSERT ... SELECT if missing or of another size) and on the "
        "demo (casework_bench_demo, seed_demo): per page the queries, the time in the process and its SQL "
        "time, then the median and p95 under load (gunicorn, N signed-in clients at once). Each database "
        "is created when missing; everything in them may be replaced."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        add_size_arguments(parser)
        parser.add_argument(
            "--database-url", default=COMPANY_URL, help=f"the company's (default {COMPANY_URL})"
        )
        parser.add_argument("--demo-database-url", default=DEMO_URL, help=f"the demo's (default {DEMO_URL})")
        parser.add_argument("--regenerate", action="store_true", help="build the company even if it exists")
        parser.add_argument("--reseed", action="store_true", help="recreate the demo database")
        parser.add_argument("--clients", type=int, default=8, help="signed-in clients at once (default 8)")
        parser.add_argument(
            "--requests", type=int, default=32, help="requests per page under load (default 32)"
        )
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
        parser.add_argument(
            "--page-seconds",
            type=float,
            default=120,
            help="no new request on a page after this (default 120)",
        )
        parser.add_argument("--repeat", type=int, default=1, help="in-process measures per page (median)")
        parser.add_argument("--only", default="", help="only the pages whose name contains this")
        parser.add_argument("--skip-demo", action="store_true", help="the company alone (no ratios)")
        # Internal: the step run in a process bound to one database.
        parser.add_argument("--measure-into", default="", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["measure_into"]:
            return self.measure_here(options)
        sizes = sizes_from(options)
        began = time.perf_counter()
        company = self.prepare_company(options["database_url"], sizes, regenerate=options["regenerate"])
        urls = {"company": options["database_url"]}
        if not options["skip_demo"]:
            self.prepare_demo(options["demo_database_url"], reseed=options["reseed"])
            urls["demo"] = options["demo_database_url"]
        measured = {side: self.measure_side(side, url, options) for side, url in urls.items()}
        loads = self.load_sides(urls, measured, options)
        sides = {side: {"measured": measured[side], "loads": loads[side]} for side in urls}
        self.report(sides, sizes, company, options)
        self.stdout.write(f"(bench-pages took {time.perf_counter() - began:.0f} s)")

    # The databases.

    def env(self, url: str) -> dict:
        return {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONUNBUFFERED": "1"}

    def manage(self, url: str, *arguments: str, capture=False) -> str:
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
        result = subprocess.run(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, **self.env(url)},
            stdout=subprocess.PIPE if capture else None,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"{' '.join(arguments[:1])} failed on {url} (exit {result.returncode})")
        return result.stdout or ""

    def server_and_name(self, url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
            raise CommandError(f"not a PostgreSQL database URL: {url}")
        return urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")), name

    def database(self, url: str, *, recreate=False) -> str | None:
        """Creates the database if it is missing (or `recreate`); returns its comment (the marker of
        what it holds), None when it was just created."""
        server, name = self.server_and_name(url)
        with psycopg.connect(server, autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if row and not recreate:
                return row[0] or ""
            if row:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.stdout.write(f"Created the database {name}.")
            return None

    def prepare_company(self, url: str, sizes: Sizes, *, regenerate: bool) -> dict:
        marker = self.database(url)
        held = json.loads(marker) if marker and marker.startswith("{") else {}
        self.manage(url, "migrate", "--noinput", "-v0")
        if held.get("sizes") == sizes.as_dict() and not regenerate:
            self.stdout.write(
                f"The company in {self.server_and_name(url)[1]} has the asked size"
                f" (built {held['generated_at']}"
                f" in {held['seconds']} s): kept. --regenerate builds it again."
            )
            return held
        if marker is not None:  # a fresh database: nothing left of another size or of a failed build
            self.database(url, recreate=True)
            self.manage(url, "migrate", "--noinput", "-v0")
        arguments = [f"--{name}={value}" for name, value in sizes.as_dict().items()]
        self.manage(url, "bench_pages_generate", *arguments)
        marker = self.database(url)
        return json.loads(marker)

    def prepare_demo(self, url: str, *, reseed: bool) -> None:
        """The demo, seeded today: its stories are placed relative to the day they are seeded."""
        marker = self.database(url)
        held = json.loads(marker) if marker and marker.startswith("{") else {}
        _server, name = self.server_and_name(url)
        today = timezone.localdate().isoformat()
        if held.get("demo") and held.get("seeded_on") == today and not reseed:
            self.manage(url, "migrate", "--noinput", "-v0")
            self.stdout.write(f"The demo in {name} was seeded today: kept (--reseed seeds it again).")
            return
        if marker is not None:
            self.database(url, recreate=True)
        self.manage(url, "migrate", "--noinput", "-v0")
        began = time.perf_counter()
        self.manage(url, "seed_demo", "--force", capture=True)
        with psycopg.connect(url, autocommit=True) as conn:
            marker = json.dumps(
                {"demo": True, "seeded_on": today, "seconds": round(time.perf_counter() - began)}
            )
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(marker))
            )
        self.stdout.write(f"Seeded the demo in {name} ({time.perf_counter() - began:.0f} s).")

    # One side: the pages measured in a process of their own, then under load.

    def measure_side(self, side: str, url: str, options) -> dict:
        """The pages of one database measured in a process bound to it: key -> its measures."""
        self.stdout.write(f"Measuring the {side}'s pages in the process …")
        with tempfile.NamedTemporaryFile(suffix=".json") as file:
            arguments = ["bench_pages", f"--measure-into={file.name}", f"--repeat={options['repeat']}"]
            if options["only"]:
                arguments.append(f"--only={options['only']}")
            self.manage(url, *arguments)
            measured = json.loads(Path(file.name).read_text())
        shown = sum(m["status"] == 200 for m in measured)
        self.stdout.write(f"  {shown} pages answer, {len(measured) - shown} candidates do not.")
        return {m["key"]: m for m in measured}

    def load_sides(self, urls: dict, measured: dict, options) -> dict:
        """Each page that answers under load, on every side in turn (which side goes first alternates
        from page to page), one gunicorn per database: side -> key -> load.Load."""
        pages = {
            side: {m["key"]: load.PageRef(m["key"], m["username"], m["path"]) for m in answering(rows)}
            for side, rows in measured.items()
        }
        keys = list(dict.fromkeys(key for side in pages.values() for key in side))  # the company's first
        self.stdout.write(
            f"Under load ({options['clients']} clients, {options['requests']} requests a page), "
            f"{' and '.join(urls)} in turn …"
        )
        loads: dict = {side: {} for side in urls}
        sessions: dict = {side: {} for side in urls}
        with contextlib.ExitStack() as stack:
            servers = {
                side: stack.enter_context(
                    load.Server(
                        self.env(url),
                        workers=options["workers"],
                        log=Path(settings.BASE_DIR) / "var" / "bench-pages" / f"gunicorn-{side}.log",
                        cwd=settings.BASE_DIR,
                    )
                )
                for side, url in urls.items()
            }
            for n, key in enumerate(keys):
                order = list(urls) if n % 2 == 0 else list(reversed(urls))
                for side in order:
                    if key not in pages[side]:
                        continue
                    loads[side].update(
                        load.drive(
                            "127.0.0.1",
                            servers[side].port,
                            [pages[side][key]],
                            password=DEMO_PASSWORD,
                            clients=options["clients"],
                            requests=options["requests"],
                            page_seconds=options["page_seconds"],
                            sessions=sessions[side],
                        )
                    )
                self.progress(key, {side: loads[side].get(key) for side in urls})
        return loads

    def progress(self, key: str, results: dict) -> None:
        cells = []
        for side, result in results.items():
            if result is None:
                continue
            errors = f" errors {result.errors}" if result.errors else ""
            cells.append(f"{side} p50 {result.median_ms or 0:>6,.0f} p95 {result.p95_ms or 0:>6,.0f}{errors}")
        self.stdout.write(f"    {key:<48} " + "   ".join(cells) + " ms")

    def measure_here(self, options) -> None:
        """In the process bound to one database: discover and measure, written to a JSON file."""
        from benchmarks.pages import discover_and_measure

        results = discover_and_measure(only=options["only"], repeat=options["repeat"])
        Path(options["measure_into"]).write_text(json.dumps([r.as_dict() for r in results]))

    # The table.

    def report(self, sides: dict, sizes: Sizes, company: dict, options) -> None:
        mine, demo = sides["company"], sides.get("demo")
        s = sizes
        self.stdout.write("")
        self.stdout.write(
            f"Company: {s.campuses:,} campuses, {s.managers:,} managers, {s.students:,} students, "
            f"{s.callbacks:,} callbacks, {s.lessons:,} lessons, {s.deadlines:,} active deadlines, "
            f"{s.events:,} events (generated in {company.get('seconds', '?')} s). Under load: "
            f"{options['clients']} clients, {options['requests']} requests a page, "
            f"{options['workers']} gunicorn workers."
        )
        self.stdout.write(
            "Times in ms; in-proc = one request in the process (of which SQL); p50/p95 under load."
        )
        columns = f"{'queries':>7} {'in-proc':>8} {'SQL':>7} {'p50':>6} {'p95':>7}"
        head = f"{'':<48} {'company':^{len(columns)}}   {'demo' if demo else '':^{len(columns)}}"
        self.stdout.write(head)
        self.stdout.write(f"{'page':<48} {columns}   {columns}   {'p95 ratio':>9}")
        worst, worst_ratio, counted = None, None, 0
        keys = list(mine["loads"])
        if demo:
            keys += [k for k in demo["loads"] if k not in mine["loads"]]
        for key in keys:
            line = f"{key:<48} {self.cells(mine, key)}"
            ratio = ""
            if demo:
                line += f"   {self.cells(demo, key)}"
                a, b = self.p95(mine, key), self.p95(demo, key)
                if a and b:
                    value = a / b
                    ratio = f"{value:9.2f}"
                    if worst_ratio is None or value > worst_ratio[0]:
                        worst_ratio = (value, key)
            self.stdout.write(f"{line}   {ratio:>9}")
            p95 = self.p95(mine, key)
            if p95 is not None:
                counted += 1
                if worst is None or p95 > worst[0]:
                    worst = (p95, key)
        missing = [k for k, m in mine["measured"].items() if m["status"] != 200]
        if missing:
            self.stdout.write(
                f"Not shown to their reader on the company ({len(missing)}): " + ", ".join(missing)
            )
        if worst_ratio:
            self.stdout.write(f"The worst ratio: {worst_ratio[1]}.")
        ratio = f"{worst_ratio[0]:.2f}" if worst_ratio else "n/a"
        if worst:
            self.stdout.write(
                f"pages: {counted} measured, worst p95 {worst[0]:,.0f} ms ({worst[1]}), "
                f"worst p95 ratio company/demo {ratio}"
            )
        else:
            self.stdout.write(f"pages: 0 measured, worst p95 n/a, worst p95 ratio company/demo {ratio}")

    def cells(self, side: dict, key: str) -> str:
        m, result = side["measured"].get(key), side["loads"].get(key)
        if not m or m["status"] != 200:
            return f"{'—':>7} {'':>8} {'':>7} {'':>6} {'':>7}"
        p50 = f"{result.median_ms:,.0f}" if result and result.median_ms is not None else "—"
        p95 = f"{result.p95_ms:,.0f}" if result and result.p95_ms is not None else "—"
        return f"{m['queries']:>7} {m['ms']:>8,.0f} {m['sql_ms']:>7,.0f} {p50:>6} {p95:>7}"

    def p95(self, side: dict, key: str):
        result = side["loads"].get(key)
        return result.p95_ms if result else None


def answering(measured: dict) -> list[dict]:
    """The measured pages that answered their reader (the others are not loaded)."""
    return [m for m in measured.values() if m["status"] == 200]
