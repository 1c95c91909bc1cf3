"""Runs one SQL query with Spark (local mode) over a gotrace Parquet export.

usage: spark-query.py DIR QUERY

Every table directory under DIR (DIR/goroutines, DIR/traces, ...) is a
temporary view named after it, read with its trace_id=N partitions; the
query's rows are printed as a JSON array of objects on stdout.
"""
import json
import os
import sys

from pyspark.sql import SparkSession


def main() -> None:
    root, query = sys.argv[1], sys.argv[2]
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("gotrace-parquet-test")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for name in sorted(os.listdir(root)):
            path = os.path.join(root, name)
            # A table with no rows has no partitions, so no files to read.
            if os.path.isdir(path) and os.listdir(path):
                spark.read.parquet(path).createOrReplaceTempView(name)
        rows = [r.asDict() for r in spark.sql(query).collect()]
        json.dump(rows, sys.stdout, default=str)
        sys.stdout.write("\n")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
