from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The page benchmark at company size (`manage.py bench_pages`, `make bench-pages`): above every
    app, like the demo; it has no models and no pages, and nothing imports it."""

    name = "benchmarks"
