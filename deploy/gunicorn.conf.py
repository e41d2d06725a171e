# gunicorn settings for one app host: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.
# Five settings can be overridden by an environment variable named after them in capitals and
# prefixed by GUNICORN_: bind, workers, timeout, accesslog and forwarded_allow_ips.
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: requests are short and the database does the waiting.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart workers now and then, so that a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# Load the app in each worker after forking: every worker opens its own database connections.
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
# Behind the load balancer: trust its X-Forwarded-* headers (set COHORTAPP_PROXY_FIX=1 too).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
