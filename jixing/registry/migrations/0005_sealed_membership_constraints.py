from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from the data migration: PostgreSQL refuses ALTER TABLE while the updates'
    deferred foreign-key checks are pending in the same transaction."""

    dependencies = [
        ("registry", "0004_seal_existing_memberships"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='persongroup',
            constraint=models.UniqueConstraint(condition=models.Q(('sealed_key', ''), _negated=True), fields=('sealed_key',), name='person_group_sealed_once'),
        ),
        migrations.AddConstraint(
            model_name='persongroup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('group__isnull', False), ('sealed_group', ''), ('sealed_key', '')), models.Q(('group__isnull', True), models.Q(('sealed_group', ''), _negated=True), models.Q(('sealed_key', ''), _negated=True)), _connector='OR'), name='person_group_open_or_sealed'),
        ),
        migrations.AddConstraint(
            model_name='targetgroup',
            constraint=models.CheckConstraint(condition=models.Q(('sensitive', True), ('excludes_subsidy', True), _negated=True), name='target_group_sensitive_not_excluding'),
        ),
    ]
