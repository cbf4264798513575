# Front-end libraries only (package.json's dependencies, not its devDependencies): node and npm stay in this stage.
FROM python:3.12-slim-bookworm AS assets
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/dcc
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The runtime: requirements/prod.txt only (no test, lint or benchmark tool, no embedded PostgreSQL or Redis).
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/dcc
COPY requirements/prod.txt requirements/prod.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/prod.txt
COPY --from=assets /srv/dcc/node_modules node_modules
COPY . .
# Reading the settings starts nothing and needs no database address (dcc/unconfigured_db/).
RUN DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput --settings=dcc.settings.base
RUN useradd --system dcc && chown -R dcc /srv/dcc
USER dcc
