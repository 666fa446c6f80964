"""gunicorn settings for `make serve` (and production): `gunicorn -c config/gunicorn.py config.wsgi`.

Workers default to cores + 1. gunicorn's usual advice, 2 x cores + 1, assumes requests that
mostly wait; jixing's do not: PostgreSQL answers on the same machine in well under a millisecond,
so a request is Python CPU, and extra workers only queue on the cores. Measured on 2 cores,
2,000 QR check-ins (python -m bench checkin, quiet machine, docs/benchmarks.md): 3 workers
213-217/s (p95 84-86 ms), 4 workers 197/s, 5 workers 188/s (p95 98 ms). WEB_CONCURRENCY
overrides (raise it where the database is on another host). Each worker holds its own psycopg pool
(DATABASE_POOL_MAX_SIZE), so the database sees at most workers x pool size connections.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("JIXING_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or multiprocessing.cpu_count() + 1
threads = int(os.environ.get("JIXING_WEB_THREADS", "1"))
timeout = int(os.environ.get("JIXING_WEB_TIMEOUT", "60"))  # an export may stream for a while
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 5000
max_requests_jitter = 500
# gunicorn workers heartbeat through a file: keep it in memory (gunicorn docs, "Blocking OS calls").
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = os.environ.get("JIXING_ACCESS_LOG", "-")
errorlog = "-"
# Uploads of up to JIXING_IMPORT_MAX_BYTES pass through; header limits stay gunicorn's defaults.
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("JIXING_FORWARDED_ALLOW_IPS", "127.0.0.1")
