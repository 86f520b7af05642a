"""安全: backups and restore, operators and sign-in, the 操作日志 viewer, data consistency checks.

The audit recorder and the role checks every area uses are shared modules (app.services.audit,
app.services.access), not part of this area.

Public:
    backup         backup, restore, integrity and rule checks (`villagedesk check`)
    backup_crypto  password-encrypted backup files
    backup_files   the automatic backups in the data folder
    auth           operators, roles, passwords, sign-in
    audit_log      the 操作日志 viewer and its export
Private:
    consistency    the data rules backup.check runs
    backup_pg      backup and restore of a PostgreSQL database (pg_dump / pg_restore), routed from backup
"""
