"""Code notes on Apache Spark: a DataFrame of note texts in, a DataFrame of codes out.

``code_notes(df)`` maps Arrow batches of notes through the coding engine with
``mapInPandas``, one engine per Python worker process, and gives one row per note
(``NOTE_SCHEMA``): its codes with scores and evidence offsets, or an error code and message.
``medcoder code INPUT --spark MASTER -o OUT.parquet`` runs the same from the command line;
``docs/spark.md`` covers clusters, memory and cost.

This package imports PySpark only inside the functions that need it, and nothing in the core
(documents, nlp, coding, ...) imports this package: Spark stays an optional extra
(``pip install "medcoder[spark]"``).
"""

from medcoder.spark.job import code_notes, read_notes
from medcoder.spark.notes import NOTE_SCHEMA, CodingOptions

__all__ = ["NOTE_SCHEMA", "CodingOptions", "code_notes", "read_notes"]
