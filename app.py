"""WSGI entry point: `flask --app app …` and `gunicorn app:app`."""

import gc

from eventweek import create_app

app = create_app()
# What start-up made (modules, the app, SQLAlchemy's metadata) lives as long as the process:
# keep it out of every garbage collection, which then scans only what requests make. Under
# `gunicorn --preload` this also keeps those pages shared between the forked workers.
gc.freeze()
