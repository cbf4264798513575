"""IMMUTABLE wrappers around ``unaccent`` so that generated columns and indexes may use them.

``unaccent()`` is only STABLE (it reads its dictionary through the search path); calling it with
an explicit schema-qualified dictionary from an IMMUTABLE SQL function is the documented way to
index unaccented text.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION identity_norm(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT upper(public.unaccent('public.unaccent'::regdictionary, coalesce(value, '')))
$$;
CREATE OR REPLACE FUNCTION identity_search_text(a text, b text, c text, d text, e text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT upper(public.unaccent('public.unaccent'::regdictionary,
    coalesce(a, '') || ' ' || coalesce(b, '') || ' ' || coalesce(c, '') || ' ' || coalesce(d, '') || ' '
    || coalesce(e, '')))
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS identity_search_text(text, text, text, text, text);
DROP FUNCTION IF EXISTS identity_norm(text);
"""


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_patient_strict_traits_and_ins")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(FUNCTIONS, DROP),
    ]
