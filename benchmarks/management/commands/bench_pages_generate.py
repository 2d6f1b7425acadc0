import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks.company import Company, Sizes, lit, scopes


def add_size_arguments(parser) -> None:
    """The company's size: the issue's figures by default, times --scale; each figure may be given."""
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply every default figure (e.g. 0.01 for a company of 1,000 students)",
    )
    for name, default in Sizes().as_dict().items():
        parser.add_argument(
            f"--{name}", type=int, default=None, help=f"how many {name} (default {default:,} × scale)"
        )


def sizes_from(options) -> Sizes:
    return Sizes.scaled(options["scale"], **{name: options[name] for name in Sizes().as_dict()})


class Command(BaseCommand):
    help = (
        "Builds a tutoring company of the given size in the database of DATABASE_URL (PostgreSQL, migrated): "
        "every table of the apps is emptied first, then written with INSERT ... SELECT generate_series, "
        "its indexes rebuilt and analysed. The demo's people keep their names and the demo password, on "
        "campuses 1 and 2. Used by bench_pages; never run it on a database with real data."
    )

    def add_arguments(self, parser):
        add_size_arguments(parser)
        parser.add_argument(
            "--check-foreign-keys",
            action="store_true",
            help="keep the foreign-key triggers on while loading (slower; the test does)",
        )

    def handle(self, *args, check_foreign_keys=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The generator writes PostgreSQL: set DATABASE_URL.")
        sizes = sizes_from(options)
        name = connection.settings_dict["NAME"]
        self.stdout.write(f"Building a company of {json.dumps(sizes.as_dict())} in {name}")
        began = time.perf_counter()
        self.mark(None)  # a build that stops halfway leaves no claim to a company of this size
        company = Company(sizes, out=self.stdout, check_foreign_keys=check_foreign_keys)
        counts = company.build()
        took = time.perf_counter() - began
        self.mark({"sizes": sizes.as_dict(), "generated_at": company.now.isoformat(), "seconds": round(took)})
        figures = ", ".join(f"{k} {v}" for k, v in scopes().items())
        self.stdout.write(f"Company built: {sum(counts.values()):,} rows in {took:.0f} s ({figures}).")

    def mark(self, marker: dict | None) -> None:
        """The database's comment says what it holds (bench_pages keeps a company of the asked size)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            name = connection.ops.quote_name(cursor.fetchone()[0])
            cursor.execute(f"COMMENT ON DATABASE {name} IS {lit(json.dumps(marker)) if marker else 'NULL'}")
