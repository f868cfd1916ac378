"""gunicorn's threaded worker with a lane of its own for the health check (``gunicorn.conf.py``
sets it as ``worker_class``).

In gunicorn's ``gthread`` worker every request waits in one first-come, first-served thread
pool, so while the pages keep every thread busy a ``GET /healthz`` waits behind them (the load
test measured 1.7–2.1 s at p95, up to 4.6 s) and a monitor would call a busy but healthy
application down. This worker looks at a request before it is queued: when a connection has
data to read, it *peeks* at what has arrived (``MSG_PEEK``, without waiting and without taking
it off the socket) and hands a complete ``GET /healthz`` or ``HEAD /healthz`` to a separate pool
of one thread; everything else goes to the page pool as before. The probe still runs the real
``healthz`` view (its database query and lock probe, with their 1 s timeout), so it still says
"degraded" when the database is slow: it just does not queue behind pages.

Only a request whose whole head has arrived, with no body, takes the probe lane: the probe
thread then never waits for a client (a client that stalls halfway through its headers, or
sends a body, is a page request like any other and cannot block the probe). A request line
that has only partly arrived, a TLS connection, or anything unreadable goes to the page pool.
Each request is looked at separately, so a kept-alive connection (nginx keeps its connections
to the application open) can carry a probe, then a page, then a probe.

A new connection is not given a thread until its first bytes arrive: it waits in the worker's
poller instead (gunicorn's own "pending" connections, closed after the same 5 s + keep-alive
that gunicorn allows), so it can be looked at like any other and a connection that stays
silent holds no thread.

Graceful shutdown and restarts are gunicorn's: the probe pool is shut down with the page pool.
The probe thread keeps its own database connection: PostgreSQL sees workers × (threads + 1).
"""

from __future__ import annotations

import errno
import re
import selectors
import socket
import time
from concurrent import futures
from functools import partial

from gunicorn.workers import gthread

__all__ = ["ProbeLaneThreadWorker", "is_health_probe"]

# The request line of a health probe: the path alone or with a query, on HTTP/1.x.
_PROBE_LINE = re.compile(rb"(GET|HEAD) /healthz(\?[^ \r\n]*)? HTTP/1\.[01]\r\n")
# Headers that announce a body, which the probe thread would have to wait for.
_BODY_HEADER = re.compile(rb"\r\n(content-length|transfer-encoding)[ \t]*:[ \t]*([^\r\n]*)", re.I)
# How much of a request is looked at; a probe's head is far smaller.
PEEK_BYTES = 4096


def is_health_probe(head: bytes) -> bool:
    """Whether ``head`` (the bytes of a request that have arrived so far) is a complete
    ``GET``/``HEAD /healthz`` request with no body: its request line and every header, up to
    the empty line that ends them."""
    if not _PROBE_LINE.match(head):
        return False
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return False  # the headers have not all arrived: it could stall
    for match in _BODY_HEADER.finditer(head[: end + 2]):
        name, value = match.group(1).lower(), match.group(2).strip()
        if name == b"transfer-encoding" or value not in (b"", b"0"):
            return False
    return True


def _peek(conn) -> bytes:
    """What has arrived on the connection and not been read yet: bytes gunicorn's parser has
    already taken off the socket (a body drain can read ahead into the next request), then the
    socket's own, peeked without waiting. Empty when nothing has arrived (or on TLS, where the
    bytes are not readable here)."""
    buffered = b""
    if conn.parser is not None:
        buffered = conn.parser.unreader.buf.getvalue()
    if conn.cfg.is_ssl or len(buffered) >= PEEK_BYTES:
        return buffered
    try:
        return buffered + conn.sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return buffered
    except OSError:
        return buffered  # reset or closed: the page pool's handler finds out and closes it


class ProbeLaneThreadWorker(gthread.ThreadWorker):
    """``gthread`` with a one-thread pool for complete ``GET``/``HEAD /healthz`` requests."""

    def init_process(self):
        self.probe_pool = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="probe")
        super().init_process()

    def handle_quit(self, sig, frame):
        self.probe_pool.shutdown(wait=False)
        super().handle_quit(sig, frame)

    def run(self):
        try:
            super().run()
        finally:
            self.probe_pool.shutdown(wait=False)

    def accept(self, listener):
        """Accept a connection and let it wait in the poller, not in a thread, until its first
        bytes arrive; then ``enqueue_req`` looks at them (gunicorn would give it a page thread at
        once, to wait up to 5 s there)."""
        try:
            client_sock, client_addr = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = gthread.TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        if _peek(conn):
            conn.data_ready = True
            self.enqueue_req(conn)
            return
        # Every pending connection gets the same allowance, so the queue stays in the order of
        # its deadlines (``murder_pending`` looks at the first one only).
        conn.timeout = time.monotonic() + gthread.DEFAULT_WORKER_DATA_TIMEOUT + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    def enqueue_req(self, conn):
        """Queue the connection's next request: a health probe to the probe pool, the rest to
        the page pool."""
        pool = self.probe_pool if is_health_probe(_peek(conn)) else self.tpool
        future = pool.submit(self.handle, conn)
        future.add_done_callback(
            lambda fut: self.method_queue.defer(self.finish_request, conn, fut)
        )
