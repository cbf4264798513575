"""Drop the bare RCP proposition id, replaced by the ``rcp_fiche`` link (previous migration).

A migration of its own: PostgreSQL refuses to alter a table with pending deferred constraint checks, which
the data copy leaves behind in the same transaction.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pps", "0003_link_pps_to_rcp_fiche")]

    operations = [migrations.RemoveField(model_name="pps", name="rcp_proposition_id")]
