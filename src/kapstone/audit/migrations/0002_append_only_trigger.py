"""In PostgreSQL the database itself refuses to change or delete an audit event (docs/audit.md).

The ORM already refuses (``AuditEventQuerySet``), but raw SQL, a psql session or another program
with the application's credentials would not ask it. A trigger closes that door for every client of
the database. SQLite has no such role separation to defend, so this migration does nothing there.
TRUNCATE is left to the table owner on purpose: test runs and a restore empty whole tables.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on audit_auditevent is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The audit trail can only grow; see docs/audit.md.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def run_on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the % in RAISE stays literal

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP), elidable=False)]
