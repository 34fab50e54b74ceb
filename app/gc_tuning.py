"""The cyclic garbage collector, tuned for a process that serves requests.

A page of 50 cards allocates tens of thousands of short-lived objects. With Python's default
first threshold (700 allocations) that is dozens of collections per request, and each full
collection walks every long-lived object too: the schema, the routes, the pools. After start-up
the objects that exist are moved out of the collector's sight (`gc.freeze`), and the first
threshold is raised. Same-process A/B on the 50-card dashboard: CPU per request 10.0 -> 8.4 ms
(best of 6 rounds), the slowest of 50 requests 28.8 -> 14.5 ms (median of rounds).

The price is memory: garbage in reference cycles lives longer. Served by uvicorn under wrk
(scenarios 2, 3 and 4 of bench/, at 1 and 32 connections), peak resident memory was 208 MB
with Python's threshold, 291 MB at 10,000 and 357 MB at 50,000, while scenario 2 at 32
connections went 124 -> 121 -> 147 requests/s and scenario 4 went 10.6 -> 14.0 -> 15.9.

Since a page load is answered from kept objects (app/graphql/versioned_results.py), a request
allocates far less, and a large threshold stopped paying: a young collection's pause grew
faster than the threshold. In one process, 3,000 page loads: at 700, 526 collections of 0.3 ms
(plus 48 of the middle generation); at 5,000, 62 of 1.6 ms; at 20,000, 16 of 11 ms; at
50,000, 7 of 78 ms, which were the 92 ms p99 of scenario 2 at one connection. So the default
is 5,000: under wrk, scenario 2's p99 at one connection went 21-33 -> 7-8 ms, throughput the
same or better, and peak memory 5 MB lower.
GC_FIRST_THRESHOLD=0 keeps Python's threshold (the freeze stays)."""

from __future__ import annotations

import gc


def tune_garbage_collector(first_threshold: int) -> None:
    """Freeze what start-up made; `first_threshold` 0 keeps Python's own thresholds."""
    gc.collect()
    gc.freeze()
    if first_threshold:
        _, second, third = gc.get_threshold()
        gc.set_threshold(first_threshold, second, third)
