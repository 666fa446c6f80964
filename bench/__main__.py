"""`make bench`: run every benchmark module in bench/ (each has ``main()``).

Benchmarks need PostgreSQL (DATABASE_URL); figures are printed as ratios against a baseline
measured in the same run (raw COPY, DuckDB), because these machines are noisy.
Run one with `python -m bench NAME`. ``load`` (the HTTP load test: it adds its scenario's rows
to the DATABASE_URL database itself and runs for minutes) runs only when named:
`python -m bench load`; ``locustfile`` is locust's input, not a benchmark.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
import traceback

BY_NAME_ONLY = {"load"}  # not part of `make bench`'s sweep
NOT_BENCHMARKS = {"locustfile"}


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("make bench needs DATABASE_URL=postgres://... (benchmarks compare against PostgreSQL COPY)")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    wanted = set(sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules([os.path.dirname(__file__)]) if m.name not in NOT_BENCHMARKS)
    unknown = wanted - set(names)
    if unknown:
        print(f"no such benchmark: {', '.join(sorted(unknown))} (have: {', '.join(n for n in names if not n.startswith('_'))})")
        return 2
    failed = []
    for name in names:
        if name.startswith("_") or (wanted and name not in wanted) or (not wanted and name in BY_NAME_ONLY):
            continue
        started = time.monotonic()
        print(f"== bench {name}", flush=True)
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception:  # report it, run the others, fail at the end
            traceback.print_exc()
            failed.append(name)
            print(f"== bench {name} FAILED after {time.monotonic() - started:.1f}s", flush=True)
            continue
        print(f"== bench {name} done in {time.monotonic() - started:.1f}s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
