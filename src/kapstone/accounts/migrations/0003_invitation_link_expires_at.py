from django.db import migrations


class Migration(migrations.Migration):
    """The invitation is a SecretLink (docs/links.md): its expiry has the name every link's has."""

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="invitation", old_name="expires_at", new_name="link_expires_at"),
    ]
