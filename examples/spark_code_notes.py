"""Code a Parquet table of notes with spark-submit (see docs/spark.md).

    spark-submit --master yarn --files PACK1.sqlite,PACK2.sqlite \
        examples/spark_code_notes.py NOTES.parquet CODES.parquet --shipped PACK1.sqlite,PACK2.sqlite

The table needs ``id`` and ``text`` columns; ``setting``, ``date`` and ``encounter_id`` are
used when present. Packs come from a folder every executor reads (``--packs``) or from the
files given to ``spark-submit --files`` (``--shipped``, their file names).
"""

from __future__ import annotations

import argparse

from pyspark.sql import SparkSession

from medcoder.spark import CodingOptions, code_notes
from medcoder.spark.job import BATCH_NOTES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notes")
    parser.add_argument("codes")
    parser.add_argument("--setting", default="outpatient")
    parser.add_argument("--packs", help="a medcoder data folder every executor can read")
    parser.add_argument("--shipped", default="", help="pack file names given to --files")
    args = parser.parse_args()
    spark = SparkSession.builder.appName("medcoder code").getOrCreate()
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH_NOTES))
    notes = spark.read.parquet(args.notes)
    options = CodingOptions(
        setting=args.setting,
        data_dir=args.packs,
        shipped=tuple(name for name in args.shipped.split(",") if name),
    )
    present = set(notes.columns)
    coded = code_notes(
        notes,
        setting="setting" if "setting" in present else None,
        date="date" if "date" in present else None,
        encounter_id="encounter_id" if "encounter_id" in present else None,
        options=options,
    )
    coded.write.mode("errorifexists").parquet(args.codes)
    spark.stop()


if __name__ == "__main__":
    main()
