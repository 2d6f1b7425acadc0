FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 casework
WORKDIR /app

COPY pyproject.toml build-constraints.txt ./
RUN pip install --no-cache-dir "pip>=25.3" \
 && pip install --no-cache-dir --build-constraint build-constraints.txt .
COPY . .
# Build-time values only: collectstatic and compilemessages need settings, not secrets.
RUN DEBUG=false SECRET_KEY=build ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && DEBUG=false SECRET_KEY=build ALLOWED_HOSTS=build python manage.py compilemessages --locale zh_Hans \
 && mkdir -p /app/var /app/media && chown -R casework /app/var /app/media
USER casework

EXPOSE 8000
# gunicorn believes X-Forwarded-Proto only from FORWARDED_ALLOW_IPS (its default: 127.0.0.1);
# set it to the proxy's address, as docker-compose.yml does. README.md, "Behind a proxy".
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
