"""A worker process of the failover test: ``python failover_worker.py DSN`` (until SIGTERM).

Besides the worker's own log (stdout), every completion the database
acknowledged (the worker's "... ok in ..." line, logged once complete_task's
transaction returned "completed") is appended to the events file, after the
execution that produced it.
"""

from __future__ import annotations

import logging
import sys

from failover_flow import flow, record

from pgflow import Worker


class Acknowledged(logging.Handler):
    def emit(self, record_: logging.LogRecord) -> None:
        if record_.msg == "%s run %s ok in %s" and isinstance(record_.args, tuple):
            name, run_id = str(record_.args[0]), str(record_.args[1])
            record("ack", run_id, name.rsplit("/", 1)[-1])


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    logging.getLogger("pgflow.worker").addHandler(Acknowledged())
    Worker(sys.argv[1], [flow], concurrency=4, poll_interval=0.5, shutdown_grace=5).run()


if __name__ == "__main__":
    main()
