#!/usr/bin/env bash
# Back up condinfo: the PostgreSQL database (pg_dump's custom format) and the uploaded media,
# into one new directory that is complete only once it has its final name.
#
#   DATABASE_URL=postgres://condinfo:…@db.internal:5432/condinfo MEDIA_ROOT=/srv/condinfo/media \
#     deploy/backup.sh /backups/condinfo/$(date -u +%Y-%m-%dT%H%MZ)
#
# The directory then holds database.dump, media/ (a copy of MEDIA_ROOT) and SHA256SUMS. The
# database is dumped before the media are copied: uploads are only ever added, so every file the
# dumped sections link to is in the copy. Restore with deploy/restore.sh.
set -euo pipefail

target=${1:?usage: deploy/backup.sh NEW_BACKUP_DIRECTORY}
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
: "${MEDIA_ROOT:?set MEDIA_ROOT to the uploaded media directory}"
case $DATABASE_URL in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a postgres:// address (SQLite is backed up by copying its file)" >&2; exit 2 ;;
esac
if [ -e "$target" ] || [ -e "$target.partial" ]; then
  echo "backup.sh: $target (or $target.partial) already exists; give each backup a new directory" >&2
  exit 2
fi

partial="$target.partial"  # renamed only when everything is in it, so a failed run is never taken for a backup
mkdir -p "$partial/media"
# One consistent snapshot of every table, with the record tables' triggers, sequences and extensions.
pg_dump --format=custom --file="$partial/database.dump" --dbname="$DATABASE_URL"
pg_restore --list "$partial/database.dump" >/dev/null  # the archive can be read back
if [ -d "$MEDIA_ROOT" ]; then
  cp -a "$MEDIA_ROOT/." "$partial/media/"
fi
(cd "$partial" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 -r sha256sum >SHA256SUMS)
mv "$partial" "$target"
echo "Backed up the database and $(find "$target/media" -type f | wc -l) media file(s) to $target."
