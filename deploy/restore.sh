#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a new, empty database and an empty media
# directory, then migrate and verify the record's hash chains.
#
#   createdb -h db.internal -U condinfo condinfo_restored
#   DATABASE_URL=postgres://condinfo:…@db.internal:5432/condinfo_restored \
#     MEDIA_ROOT=/srv/condinfo/media-restored deploy/restore.sh /backups/condinfo/2026-11-26T0300Z
#
# The restore is whole or nothing (one transaction): schema, rows, sequences and the triggers
# that make the record tables refuse UPDATE and DELETE come back together. It refuses a database
# that already has tables: restoring into a migrated database (or --data-only) fails on existing
# objects or, with triggers disabled, would leave a record no one can vouch for. Objects are
# owned by the DATABASE_URL user (--no-owner), and the source's GRANTs are left out
# (--no-privileges), so the backup restores on a server without the original's roles.
# PYTHON (default .venv/bin/python) runs manage.py from the checkout this script belongs to.
set -euo pipefail

backup=${1:?usage: deploy/restore.sh BACKUP_DIRECTORY}
: "${DATABASE_URL:?set DATABASE_URL to the new, empty PostgreSQL database to restore into}"
: "${MEDIA_ROOT:?set MEDIA_ROOT to the new media directory to restore into}"
backup=$(cd "$backup" && pwd)
[ -f "$backup/database.dump" ] || { echo "restore.sh: $backup/database.dump is missing" >&2; exit 2; }
if [ -f "$backup/SHA256SUMS" ]; then
  (cd "$backup" && sha256sum --check --quiet SHA256SUMS) || { echo "restore.sh: the backup's files do not match SHA256SUMS" >&2; exit 2; }
fi

tables=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" \
  --command="SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != 0 ]; then
  echo "restore.sh: the database already has $tables table(s); restore into a new, empty database" >&2
  exit 2
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore.sh: $MEDIA_ROOT is not empty; restore the media into a new directory" >&2
  exit 2
fi

pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$DATABASE_URL" "$backup/database.dump"
mkdir -p "$MEDIA_ROOT"
cp -a "$backup/media/." "$MEDIA_ROOT/"

cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
"$python" manage.py migrate --noinput  # nothing to do with the same release; a newer one brings the schema up to date
"$python" manage.py verify_records
