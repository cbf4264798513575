FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/dcc
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/lock.txt
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN DJANGO_SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --settings=dcc.settings.base
RUN useradd --system dcc && chown -R dcc /srv/dcc
USER dcc
