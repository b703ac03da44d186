"""WSGI entry point, used by gunicorn; tunes the garbage collector once the application is built.

A team-wide server list creates ~40,000 objects that all survive the request (1,000 servers as
models), and the collector walks survivors again at each collection of an older generation. On
the 2-core benchmark machine (bench/aggregate_list.py, 20 accounts) that was ~20 ms of a ~100 ms
CPU budget, and a full collection over the ~160,000 objects of the loaded application cost
80-150 ms in the middle of a request. Two documented, process-wide, one-time settings:

- `gc.freeze()` after start-up: everything that exists once the application and its URL conf
  (every view module) are loaded lives as long as the process (modules, classes, functions,
  settings); frozen, the collector never walks it again, so full collections only walk what
  requests created;
- a young-generation threshold of 10,000 allocations instead of 700: the same objects are
  collected, in fewer, larger passes (~19% less CPU on a cold 20-account list); at most ~10,000
  unreachable cycles wait a little longer for their collection.

The collector stays on: disabling it during requests was tried and removed as unsafe in a
threaded server.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panel.settings")

YOUNG_GENERATION_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """Load what the first request would, collect the start-up garbage, freeze the rest, and
    make young collections rarer.

    Call once per process, after the application is built (gunicorn imports this module in each
    worker). Garbage is collected first so it is not kept for the life of the process.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not on the first request
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)


application = get_wsgi_application()
tune_garbage_collector()
