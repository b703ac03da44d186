# The panel's image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system panel && useradd --system --gid panel --home-dir /app --shell /usr/sbin/nologin panel

WORKDIR /app
# Dependencies first, for the layer cache: the package itself is installed after the copy below.
COPY pyproject.toml README.md ./
RUN mkdir -p panel vpsbg_api && touch panel/__init__.py vpsbg_api/__init__.py \
    && pip install . && pip uninstall -y vpsbg-panel && rm -rf panel vpsbg_api build

COPY . .
RUN pip install --no-deps . \
    && DEBUG=0 \
       SECRET_KEY=collectstatic-only-build-time-key-not-used-at-run-time-0123456789abcdef \
       PANEL_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LWJ1aWxkLWtleS0wMDA= \
       AUDIT_HMAC_KEYS=collectstatic-only-build-time-audit-key-0123456789 \
       VAULT_FINGERPRINT_KEYS=collectstatic-only-build-time-fingerprint-key-01 \
       python manage.py collectstatic --no-input \
    && mkdir -p /app/var/audit /app/var/metrics && chown -R panel:panel /app/var

USER panel
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz/live', timeout=4)" || exit 1
# panel/core/gunicorn_conf.py: masked access log; X-Forwarded-Proto believed only with BEHIND_PROXY=1.
CMD ["gunicorn", "panel.wsgi:application", "--config", "panel/core/gunicorn_conf.py", "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--threads", "4", "--worker-class", "gthread", "--timeout", "60", "--access-logfile", "-"]
