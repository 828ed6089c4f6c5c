"""The `mckpi` command line: ingest (etl) and read-layer (read) commands in one typer app; the top layer beside the dashboard."""
