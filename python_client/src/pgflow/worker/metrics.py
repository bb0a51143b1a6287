"""Prometheus metrics of the worker process, served by ``pgflow worker --metrics-port P``.

A small exposition of Prometheus' text format (version 0.0.4) with the standard
library only, so metrics need no extra: ``serve_metrics`` answers
``GET /metrics`` on ``127.0.0.1:P`` from a thread of its own. The counters are
the process's (``METRICS``: all workers of the process together, as a
Prometheus client's default registry would count them):

- ``pgflow_tasks_claimed_total{flow,step}``: tasks handed to this process by ``claim_tasks``;
- ``pgflow_tasks_completed_total{flow,step}``: attempts whose output the database stored;
- ``pgflow_tasks_failed_total{flow,step}``: attempts reported failed (errors, timeouts, refused outputs);
- ``pgflow_leases_lost_total{flow,step}``: attempts that lost their lease (their result was dropped);
- ``pgflow_lease_renewals_total{flow,step}``: ``extend_lease`` calls of long tasks;
- ``pgflow_handler_duration_seconds{flow,step}``: a histogram of handler run times;
- ``pgflow_claim_duration_seconds``: a histogram of ``claim_tasks`` round trips (claim latency).

The queue's gauges are read from the view ``pgflow.queue_stats`` at each
scrape (per flow and step, of every flow in the database): ``pgflow_queue_queued``,
``pgflow_queue_claimable``, ``pgflow_queue_delayed``, ``pgflow_queue_in_flight``
and ``pgflow_queue_oldest_waiting_seconds`` (0 when nothing waits).
``pgflow_queue_stats_up`` is 0 when the view could not be read, say because the
worker's role is not a ``pgflow_reader`` (the error is logged once).
"""

from __future__ import annotations

import http.server
import logging
import math
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Final

import psycopg

from ..rows import ClaimedTask, QueueStats
from ..store import Store

__all__ = ["METRICS", "MetricsServer", "WorkerMetrics", "serve_metrics"]

log = logging.getLogger("pgflow.worker")

HANDLER_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
CLAIM_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[tuple[str, str], ...]

COUNTERS: Final = {
    "pgflow_tasks_claimed_total": "Tasks claimed by this process, by flow and step.",
    "pgflow_tasks_completed_total": "Attempts whose output the database stored, by flow and step.",
    "pgflow_tasks_failed_total": "Attempts reported as failed (errors, timeouts, refused outputs), by flow and step.",
    "pgflow_leases_lost_total": "Attempts that lost their lease (their result was dropped), by flow and step.",
    "pgflow_lease_renewals_total": "Lease extensions (extend_lease) of running tasks, by flow and step.",
}
QUEUE_GAUGES: Final = {
    "pgflow_queue_queued": ("queued", "Tasks waiting for a claim, delayed ones included (pgflow.queue_stats)."),
    "pgflow_queue_claimable": ("claimable_now", "Tasks claimable now, limits aside (pgflow.queue_stats)."),
    "pgflow_queue_delayed": ("delayed", "Queued tasks not claimable yet: delays, retry backoff (pgflow.queue_stats)."),
    "pgflow_queue_in_flight": ("in_flight", "Started tasks whose lease holds (pgflow.queue_stats)."),
    "pgflow_queue_oldest_waiting_seconds": (
        "oldest_waiting_seconds",
        "How long the oldest claimable task has waited, 0 when none (pgflow.queue_stats).",
    ),
}


class _Histogram:
    def __init__(self, buckets: Sequence[float]) -> None:
        self.buckets = tuple(buckets)
        self.counts = [0] * (len(self.buckets) + 1)  # the last one: +Inf
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.sum += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
                return
        self.counts[-1] += 1


def _step_labels(flow_slug: str, step_slug: str) -> Labels:
    return (("flow", flow_slug), ("step", step_slug))


class WorkerMetrics:
    """The process's counters and histograms; thread-safe (the event loop writes, scrapes read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, Labels], float] = {}
        self._handler_durations: dict[Labels, _Histogram] = {}
        self._claim_durations = _Histogram(CLAIM_BUCKETS)

    def _add(self, name: str, labels: Labels, amount: float = 1.0) -> None:
        with self._lock:
            self._counters[(name, labels)] = self._counters.get((name, labels), 0.0) + amount

    # -- what the worker reports -------------------------------------------------------

    def claimed(self, tasks: Iterable[ClaimedTask], seconds: float) -> None:
        with self._lock:
            self._claim_durations.observe(seconds)
        for task in tasks:
            self._add("pgflow_tasks_claimed_total", _step_labels(task.flow_slug, task.step_slug))

    def completed(self, task: ClaimedTask) -> None:
        self._add("pgflow_tasks_completed_total", _step_labels(task.flow_slug, task.step_slug))

    def failed(self, task: ClaimedTask) -> None:
        self._add("pgflow_tasks_failed_total", _step_labels(task.flow_slug, task.step_slug))

    def lease_lost(self, task: ClaimedTask) -> None:
        self._add("pgflow_leases_lost_total", _step_labels(task.flow_slug, task.step_slug))

    def lease_renewed(self, task: ClaimedTask) -> None:
        self._add("pgflow_lease_renewals_total", _step_labels(task.flow_slug, task.step_slug))

    def handler_finished(self, task: ClaimedTask, seconds: float) -> None:
        labels = _step_labels(task.flow_slug, task.step_slug)
        with self._lock:
            histogram = self._handler_durations.get(labels)
            if histogram is None:
                histogram = self._handler_durations[labels] = _Histogram(HANDLER_BUCKETS)
            histogram.observe(seconds)

    def value(self, name: str, **labels: str) -> float:
        """A counter's value (0 if never counted): ``value("pgflow_tasks_failed_total", flow="f", step="a")``."""
        with self._lock:
            return self._counters.get((name, tuple(sorted(labels.items()))), 0.0)

    # -- exposition --------------------------------------------------------------------

    def exposition(self, queue: Sequence[QueueStats] | None) -> str:
        """The Prometheus text format of everything, with the queue's gauges (None: could not be read)."""
        lines: list[str] = []
        with self._lock:
            for name, help_text in COUNTERS.items():
                lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
                for (counter, labels), value in sorted(self._counters.items()):
                    if counter == name:
                        lines.append(f"{name}{_labels(labels)} {_number(value)}")
            name = "pgflow_handler_duration_seconds"
            lines += [f"# HELP {name} How long handlers ran, by flow and step.", f"# TYPE {name} histogram"]
            for labels, histogram in sorted(self._handler_durations.items()):
                lines += _histogram_lines(name, labels, histogram)
            name = "pgflow_claim_duration_seconds"
            lines += [f"# HELP {name} Round trips of claim_tasks (claim latency).", f"# TYPE {name} histogram"]
            lines += _histogram_lines(name, (), self._claim_durations)
        name = "pgflow_queue_stats_up"
        lines += [f"# HELP {name} 1 when pgflow.queue_stats could be read at this scrape.", f"# TYPE {name} gauge"]
        lines.append(f"{name} {0 if queue is None else 1}")
        for name, (column, help_text) in QUEUE_GAUGES.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            for row in queue or ():
                value = getattr(row, column)
                lines.append(f"{name}{_labels(_step_labels(row.flow_slug, row.step_slug))} {_number(value or 0)}")
        return "\n".join(lines) + "\n"


def _histogram_lines(name: str, labels: Labels, histogram: _Histogram) -> list[str]:
    lines = []
    cumulative = 0
    for bound, count in zip((*histogram.buckets, math.inf), histogram.counts, strict=True):
        cumulative += count
        le = "+Inf" if bound == math.inf else _number(bound)
        lines.append(f"{name}_bucket{_labels((*labels, ('le', le)))} {cumulative}")
    lines.append(f"{name}_sum{_labels(labels)} {_number(histogram.sum)}")
    lines.append(f"{name}_count{_labels(labels)} {cumulative}")
    return lines


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    escaped = (f'{key}="{_escape(value)}"' for key, value in labels)
    return "{" + ",".join(escaped) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


METRICS: Final = WorkerMetrics()


# -- the endpoint -----------------------------------------------------------------------


class _QueueReader:
    """Reads pgflow.queue_stats on a connection of its own (opened on demand, reopened after an error)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._warned = False

    def read(self) -> list[QueueStats] | None:
        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(  # no prepared statements: the DSN may be a pooler's
                        self.dsn,
                        autocommit=True,
                        connect_timeout=5,
                        application_name="pgflow-worker-metrics",
                        prepare_threshold=None,
                    )
                rows = Store(self._conn).queue_stats()
            except psycopg.Error as error:
                if not self._warned:
                    self._warned = True
                    log.warning("metrics: cannot read pgflow.queue_stats: %s", str(error).strip().splitlines()[0])
                if self._conn is not None and not isinstance(error, psycopg.errors.InsufficientPrivilege):
                    self._conn.close()
                return None
            self._warned = False
            return rows

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()


class MetricsServer:
    """``GET /metrics`` on ``host:port``, served from a daemon thread until ``close()``."""

    def __init__(self, host: str, port: int, dsn: str, metrics: WorkerMetrics) -> None:
        queue = _QueueReader(dsn)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != "/metrics":
                    self.send_error(404, "only /metrics is served here")
                    return
                body = metrics.exposition(queue.read()).encode()
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # a scrape every few seconds is no news

        self._queue = queue
        self._server = http.server.ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.host, self.port = host, int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="pgflow-metrics", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._queue.close()


def serve_metrics(port: int, dsn: str, *, host: str = "127.0.0.1", metrics: WorkerMetrics = METRICS) -> MetricsServer:
    """Serve ``metrics`` (the process's, by default) and the queue of ``dsn``'s database on ``host:port``."""
    server = MetricsServer(host, port, dsn, metrics)
    log.info("metrics: serving Prometheus metrics on %s", server.url)
    return server
