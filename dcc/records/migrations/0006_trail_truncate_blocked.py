"""TRUNCATE of the access trail is refused too (issue 16, finding 6).

A statement trigger rejects ``TRUNCATE records_accesstrail`` unless the session deliberately sets
``dcc.allow_trail_truncate = on`` (the test settings do, to reset the test database between transactional tests;
an operator purging under a retention rule does it by hand). The application itself connects as a role that
owns nothing and holds neither TRUNCATE nor UPDATE/DELETE on the trail (``dcc/dbroles.py``), so it can neither
empty the trail nor disable this trigger.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION records_accesstrail_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('dcc.allow_trail_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'records_accesstrail is append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER records_accesstrail_no_truncate
    BEFORE TRUNCATE ON records_accesstrail
    FOR EACH STATEMENT EXECUTE FUNCTION records_accesstrail_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS records_accesstrail_no_truncate ON records_accesstrail;
DROP FUNCTION IF EXISTS records_accesstrail_no_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0005_add_document_quarantine"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
