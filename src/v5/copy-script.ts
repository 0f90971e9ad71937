/**
 * The logical move's copy, as the shell script its Job runs (issue 10: not yet wired to a command). It is
 * self-contained and takes both connections from the environment, so the same script runs outside Kubernetes
 * against any two servers; that is how it is tested (test/postgres/copy.test.ts).
 *
 * Environment: SOURCE_HOST, SOURCE_PORT, SOURCE_USER, SOURCE_PASSWORD and TARGET_* likewise (superusers);
 * SKIP_ROLES, the roles not to copy (v4's own: postgres, primaryuser, crunchyadm, ccp_monitoring, pgbouncer);
 * JOBS, pg_dump/pg_restore parallelism (default 2); WORK, a scratch folder (default a new one in /tmp).
 *
 * 1. Roles, from the catalog: attributes, password hashes as stored (md5 or SCRAM: clients keep their
 *    passwords), memberships between copied roles. A role that exists on the target is altered, not recreated.
 * 2. Every database but `postgres` and the templates: created on the target with its owner, encoding and locale,
 *    then pg_dump's directory format and pg_restore, in parallel, stopping at the first error.
 */
export const COPY_SCRIPT = String.raw`#!/bin/bash
set -eo pipefail
for v in SOURCE_HOST SOURCE_PORT SOURCE_USER TARGET_HOST TARGET_PORT TARGET_USER; do
  [ -n "$(printenv "$v")" ] || { echo "copy: $v is not set" >&2; exit 2; }
done
[ -n "$SKIP_ROLES" ] || SKIP_ROLES="postgres primaryuser crunchyadm ccp_monitoring pgbouncer"
[ -n "$JOBS" ] || JOBS=2
[ -n "$WORK" ] || WORK="$(mktemp -d)"
src() { PGHOST="$SOURCE_HOST" PGPORT="$SOURCE_PORT" PGUSER="$SOURCE_USER" PGPASSWORD="$SOURCE_PASSWORD" "$@"; }
dst() { PGHOST="$TARGET_HOST" PGPORT="$TARGET_PORT" PGUSER="$TARGET_USER" PGPASSWORD="$TARGET_PASSWORD" "$@"; }
skip_array="{$(echo $SKIP_ROLES | tr ' ' ',')}"

echo "copy: roles"
src psql -XAtq -d postgres -v ON_ERROR_STOP=1 -v skip="$skip_array" <<'SQL' | dst psql -Xq -d postgres -v ON_ERROR_STOP=1
select format(
  'do $do$ begin if not exists (select from pg_roles where rolname = %L) then create role %I; end if; end $do$;'
  ' alter role %I with %s %s %s %s %s %s connection limit %s password %L%s;',
  rolname, rolname, rolname,
  case when rolsuper then 'superuser' else 'nosuperuser' end,
  case when rolinherit then 'inherit' else 'noinherit' end,
  case when rolcreaterole then 'createrole' else 'nocreaterole' end,
  case when rolcreatedb then 'createdb' else 'nocreatedb' end,
  case when rolcanlogin then 'login' else 'nologin' end,
  case when rolreplication then 'replication' else 'noreplication' end,
  rolconnlimit, rolpassword,
  case when rolvaliduntil is null then '' else format(' valid until %L', rolvaliduntil) end)
from pg_authid
where rolname !~ '^pg_' and rolname <> all (:'skip'::text[])
order by rolname;
select format('grant %I to %I;', r.rolname, m.rolname)
from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member
where r.rolname !~ '^pg_' and r.rolname <> all (:'skip'::text[]) and m.rolname <> all (:'skip'::text[]);
SQL

for db in $(src psql -XAtq -d postgres -c "select datname from pg_database where not datistemplate and datallowconn and datname <> 'postgres' order by 1"); do
  echo "copy: database $db"
  if [ -n "$(echo "select 1 from pg_database where datname = :'db'" | dst psql -XAtq -d postgres -v db="$db")" ]; then
    echo "copy: database $db exists on the target already: drop it there (or choose another target), then run again" >&2
    exit 1
  fi
  src psql -XAtq -d postgres -v ON_ERROR_STOP=1 -v db="$db" <<'SQL' | dst psql -Xq -d postgres -v ON_ERROR_STOP=1
select format('create database %I owner %I encoding %L lc_collate %L lc_ctype %L template template0;',
  datname, pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype)
from pg_database where datname = :'db';
SQL
  rm -rf "$WORK/$db"
  src pg_dump -d "$db" -Fd -j "$JOBS" -f "$WORK/$db"
  dst pg_restore -d "$db" -j "$JOBS" --exit-on-error "$WORK/$db"
  rm -rf "$WORK/$db"
done
echo "copy: done"
`;
