"""Corpus research: thousands of policies and their whole histories, read on this machine or on a Dask cluster.

`analyse_corpus` (run.py) fills a folder with Parquet tables (tables.py, docs/CORPUS.md); `render_corpus_report`
(report.py) turns them into one HTML page and CSV files. Needs the `corpus` extra (pyarrow, dask, tqdm).
"""
