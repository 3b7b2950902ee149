"""Every booking gets a visit reference (besöksnummer).

Existing bookings get theirs in set-based statements, the same few whatever their number: one
UPDATE draws a reference for every row inside PostgreSQL, then the rows that share one draw
again until none do (some 30 of 200,000 bookings the first time). The column is added nullable
first, so adding it rewrites nothing; NOT NULL and the unique constraint come after the
backfill. The whole migration is one transaction per provider: ADD COLUMN locks the table, so
no booking can arrive without a reference in between.
"""

from django.db import migrations, models

import tenant_apps.bookings.references

# As in tenant_apps/bookings/references.py when this was written; a migration keeps its own.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6


def random_reference_sql(alphabet: str = ALPHABET, length: int = LENGTH) -> str:
    """A SQL expression drawing a new reference for each row it is evaluated for."""
    draw = f"substr('{alphabet}', 1 + floor(random() * {len(alphabet)})::int, 1)"
    return " || ".join([draw] * length)


def backfill(cursor, alphabet: str = ALPHABET, length: int = LENGTH) -> int:
    """Give every booking without a reference one, unique in this schema. Returns how many
    statements it took: the draw for every row, then a round of draws for all but the first
    booking of every shared reference, until a round finds none (one hash aggregate each)."""
    expression = random_reference_sql(alphabet, length)
    cursor.execute(f"UPDATE bookings_booking SET reference = {expression} WHERE reference IS NULL")
    statements = 1
    while True:
        cursor.execute(
            f"UPDATE bookings_booking AS booking SET reference = {expression} FROM ("
            " SELECT reference, min(id) AS first_id FROM bookings_booking"
            " GROUP BY reference HAVING count(*) > 1"
            ") AS shared"
            " WHERE booking.reference = shared.reference AND booking.id <> shared.first_id"
        )
        statements += 1
        if cursor.rowcount == 0:
            return statements


def give_references(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        backfill(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="reference",
            field=models.CharField(max_length=6, null=True, verbose_name="besöksnummer"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="reference",
            field=models.CharField(
                default=tenant_apps.bookings.references.new_reference,
                max_length=6,
                verbose_name="besöksnummer",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                fields=("reference",), name="booking_reference_unique"
            ),
        ),
    ]
