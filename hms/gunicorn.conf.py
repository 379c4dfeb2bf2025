"""gunicorn settings for HMS (`make serve`), all from the environment.

    PORT / BIND          where to listen: BIND wins (e.g. "0.0.0.0:8000" or "unix:/run/hms.sock");
                         else 127.0.0.1:$PORT (PORT defaults to 8000)
    WEB_CONCURRENCY      worker processes (default 2 x cores + 1, gunicorn's advice)
    GUNICORN_THREADS     threads per worker (default 1: sync workers; > 1 uses gthread workers)
    GUNICORN_TIMEOUT     seconds a request may take before its worker is restarted (default 30)

Access log and errors go to stdout/stderr, one line per request.
"""

import multiprocessing
import os


def _int(name, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None
    if value < 1:
        raise SystemExit(f"{name}={raw!r} must be 1 or more.")
    return value


wsgi_app = "hms.wsgi:application"
bind = [os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then (jittered, so not all at once): bounds any slow memory growth.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Workers share the imported app; a bad setting fails before any worker starts.
preload_app = True
# No runtime control socket: one fixed path per machine would clash between servers (make serve, benchmark).
control_socket_disable = True
