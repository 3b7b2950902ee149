from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    """btree_gist (for the bookings' no-overlap exclusion constraint) is created once for the
    database, in the public schema that every provider's search path includes — not inside
    each provider's migrations."""

    dependencies = [("tenants", "0001_initial")]

    operations = [BtreeGistExtension()]
