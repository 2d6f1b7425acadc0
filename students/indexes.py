"""Indexes of PostgreSQL that the zero-setup SQLite of `make run` does not have."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models


class TrigramIndex(GinIndex):
    """A pg_trgm GIN index (declare it with opclasses=["gin_trgm_ops"]): it serves `LIKE '%…%'`, Django's
    `contains`, which no b-tree can. The migration that adds it creates the extension first
    (TrigramExtension). On SQLite, which has neither, it is a plain index on the same fields."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return models.Index.create_sql(self, model, schema_editor, **kwargs)  # opclasses ignored there
        return super().create_sql(model, schema_editor, using=using, **kwargs)
