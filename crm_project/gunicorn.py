"""Gunicorn configuration for the web role: ``gunicorn --config crm_project/gunicorn.py``.

Every value comes from the environment, with defaults sized from the machine's
cores. https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "crm_project.wsgi:application"

# Behind nginx on the same machine (deploy/nginx.conf); never exposed directly,
# since the proxy's X-Forwarded-Proto is trusted (SECURE_PROXY_SSL_HEADER).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes × threads: 2 × cores + 1 processes, 2 threads each (gthread), so a
# slow request (an import preview, a webhook's database wait) does not hold a process.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"

# A request may take this long (an admin upload preview of a large file) before
# its worker is killed and replaced; nginx's proxy_read_timeout matches it.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Recycle each worker after about this many requests (jitter: not all at once),
# so a slow leak cannot grow for ever.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The proxy that may set X-Forwarded-For / -Proto for gunicorn's own view of the request.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log to stdout (journald / the platform collects it), with the request id.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "crm-web"
