/**
 * The logical move's scripts, run by its Jobs in the target's image (a newer pg_dump reads older servers). Each
 * is self-contained and takes both connections from the environment, so the same script runs outside
 * Kubernetes against any two servers; that is how they are tested (test/postgres/logical-*.test.ts).
 *
 * Environment: SOURCE_HOST, SOURCE_PORT, SOURCE_USER, SOURCE_PASSWORD (the v4 superuser) and TARGET_* likewise
 * (the v5 superuser); SKIP_ROLES, the roles not to copy (default v4's own: postgres, primaryuser, crunchyadm,
 * ccp_monitoring, pgbouncer); JOBS, pg_dump/pg_restore parallelism (default 2); WORK, a scratch folder;
 * WAIT_SECONDS, how long replicate and cutover wait for the subscriptions (default 3600 and 60).
 *
 * What moves is every database but `postgres` and the templates.
 *
 * Into IVYO, every step connects as `ivorysql` (the role IVYO always makes a superuser) to the `<v5>-primary`
 * Service on `spec.port` (default 5432, IvorySQL/ivory-operator
 * pkg/apis/ivory-operator.ivorysql.org/v1beta1/ivorycluster_types.go at d91df9f6). IVYO bootstraps with initdb
 * and no `-m` (internal/patroni/config.go), so the data directory is in IvorySQL's Oracle-compatible mode, but
 * the Oracle parser serves only the second port (`ivorysql.port`, 1521) and sessions where
 * `ivorysql.compatible_mode` is `oracle`; that setting is per session and defaults to `pg` (IvorySQL/IvorySQL
 * src/backend/utils/misc/ivy_guc.c at 315c92d9). Every target connection sets it to `pg` (PGOPTIONS in dst),
 * so what pg_dump wrote is read by PostgreSQL's parser even where a user made `oracle` the server's default.
 * PostgreSQL itself takes the setting as an unused custom one.
 */

import { DATABASE_SQL, SERVER_SQL, WITHOUT_KEY_SQL } from '../v4/preflight.js';

/** Replication objects this move makes: one publication per v4 database, one subscription (and slot) per database. */
export const PUBLICATION = 'ivyo_upgrade';
export const SLOT_PREFIX = 'ivyo_upgrade_';
/** Set on each v4 role whose logins the cut-over stopped, so that a re-run and an undo know which they are. */
export const BLOCKED_SETTING = 'ivyo_upgrade.blocked_login';

const PRELUDE = String.raw`#!/bin/bash
set -eo pipefail
for v in $required; do
  [ -n "$(printenv "$v")" ] || { echo "$step: $v is not set" >&2; exit 2; }
done
[ -n "$SKIP_ROLES" ] || SKIP_ROLES="postgres primaryuser crunchyadm ccp_monitoring pgbouncer"
[ -n "$JOBS" ] || JOBS=2
[ -n "$WORK" ] || WORK="$(mktemp -d)"
# A line the tool shows once the step is done: on stdout, and into RESULT_FILE (the Job's termination message).
result() { echo "$1"; [ -z "$RESULT_FILE" ] || printf '%s\n' "$1" >> "$RESULT_FILE"; }
src() { PGHOST="$SOURCE_HOST" PGPORT="$SOURCE_PORT" PGUSER="$SOURCE_USER" PGPASSWORD="$SOURCE_PASSWORD" "$@"; }
# On the target, PostgreSQL's own parser, whatever the server's default (see the note on IVYO above).
dst() { PGHOST="$TARGET_HOST" PGPORT="$TARGET_PORT" PGUSER="$TARGET_USER" PGPASSWORD="$TARGET_PASSWORD" PGOPTIONS="-c ivorysql.compatible_mode=pg" "$@"; }
skip_array="{$(echo $SKIP_ROLES | tr ' ' ',')}"
mapfile -t databases < <(src psql -XAtq -d postgres -c "select datname from pg_database where not datistemplate and datallowconn and datname <> 'postgres' order by 1")
# The subscription and slot of a database are named by its oid on v4: any database name makes a valid slot name.
slot_of() { echo "${SLOT_PREFIX}$(echo "select oid from pg_database where datname = :'db'" | src psql -XAtq -d postgres -v db="$1")"; }
has_database() { [ -n "$(echo "select 1 from pg_database where datname = :'db'" | dst psql -XAtq -d postgres -v db="$1")" ]; }
`;

/**
 * Before any write, what the move cannot carry, all at once: tables in v4's `postgres` database (not moved) and
 * extensions the target's server does not offer (the restore would fail half way).
 */
const GUARDS = String.raw`
refused=0
refuse() { echo "$step: $1" >&2; refused=1; }
tables="$(src psql -XAtq -d postgres -c "select string_agg(format('%I.%I', n.nspname, c.relname), ', ' order by 1) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'")"
[ -z "$tables" ] || refuse "the database postgres on the source holds tables ($tables), which this move does not carry: move them into an application database first"
available="$(dst psql -XAtq -d postgres -c "select string_agg(name, ' ') from pg_available_extensions")"
for db in "${'$'}{databases[@]}"; do
  for e in $(src psql -XAtq -d "$db" -c "select extname from pg_extension order by 1"); do
    [[ " $available " == *" $e "* ]] || refuse "database $db uses extension $e, which the target's image does not offer: choose an image that has it (--image), or drop the extension on the source"
  done
done
`;

const REFUSE_IF_ANY = String.raw`
[ $refused = 0 ] || exit 1
`;

/** Roles with their password hashes as stored (md5 or SCRAM: clients keep their passwords) and memberships. */
const ROLES = String.raw`
echo "$step: roles"
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
`;

const BOTH = 'SOURCE_HOST SOURCE_PORT SOURCE_USER TARGET_HOST TARGET_PORT TARGET_USER';
const script = (step: string, required: string, ...parts: string[]) => [PRELUDE.replace('#!/bin/bash\n', `#!/bin/bash\nstep=${step}\nrequired="${required}"\n`), ...parts].join('');

/**
 * `--copy dump`: roles, then each database, source and target at work at once. In one snapshot of the source
 * (exported by a session held open meanwhile, as `pg_dump -j` does): the schema without indexes, constraints
 * or triggers (pg_dump's pre-data, `--create`: the database with its owner, encoding, locale, privileges and
 * settings) piped into pg_restore; every table's rows streamed `COPY … TO STDOUT | COPY … FROM STDIN` (binary where
 * the column types allow), JOBS tables at a time, largest first, with explicit column lists (as pg_dump writes them); the sequences set;
 * then the post-data (indexes, constraints, triggers, materialized views' data) restored JOBS at a time.
 * A database with large objects, or an extension whose configuration tables pg_dump carries, goes wholly
 * through `pg_dump -Fd -j` and `pg_restore -j`. Stops at the first error. A database that exists on the target
 * already is refused, not overwritten. Measured against a by-hand `pg_dump | psql` in docs/performance.md.
 */
export const COPY_SCRIPT = script(
    'copy',
    BOTH,
    GUARDS,
    REFUSE_IF_ANY,
    ROLES,
    String.raw`
# One table's rows, in the source's exported snapshot; $1 database, $2 snapshot, $3 "binary|text <table (columns)>".
# Binary COPY where every column is of a built-in type with binary send and receive (their formats are the same
# across majors, as logical replication's binary mode relies on); it costs about half the CPU of text here.
copy_table() {
  set -o pipefail
  local with="" t="${'$'}{3#* }"
  [ "${'$'}{3%% *}" = binary ] && with="(format binary)"
  src psql -XAtq -d "$1" -v ON_ERROR_STOP=1 -v snap="$2" -v t="$t" -v with="$with" <<'SQL' | dst psql -Xq -d "$1" -v ON_ERROR_STOP=1 -c "copy $t from stdin $with"
begin transaction isolation level repeatable read;
set transaction snapshot :'snap';
copy :t to stdout :with;
commit;
SQL
}
export -f src dst copy_table

for db in "${'$'}{databases[@]}"; do
  if has_database "$db"; then
    echo "copy: database $db exists on the target already: drop it there (or choose another target), then run again" >&2
    exit 1
  fi
  rm -rf "$WORK/$db" "$WORK/$db.post"
  if [ "$(src psql -XAtq -d "$db" -c "select (select count(*) from pg_largeobject_metadata) + (select count(*) from pg_extension where extconfig is not null)")" != 0 ]; then
    echo "copy: database $db (large objects or extension configuration: pg_dump -Fd, pg_restore)"
    src pg_dump -d "$db" --create -Fd -Z 0 -j "$JOBS" -f "$WORK/$db"
    dst pg_restore -d postgres --create -j "$JOBS" --exit-on-error "$WORK/$db"
    rm -rf "$WORK/$db"
    continue
  fi
  coproc SNAPSHOT { src psql -XAtq -d "$db" -v ON_ERROR_STOP=1; }
  echo "begin transaction isolation level repeatable read; select pg_export_snapshot();" >&"${'$'}{SNAPSHOT[1]}"
  read -r snapshot <&"${'$'}{SNAPSHOT[0]}"
  [ -n "$snapshot" ] || { echo "copy: database $db: the source exported no snapshot" >&2; exit 1; }
  src pg_dump -d "$db" --snapshot="$snapshot" --create --section=pre-data -Fc | dst pg_restore -d postgres --create --exit-on-error
  echo "begin transaction isolation level repeatable read; set transaction snapshot :'snap';" | src psql -XAtq -0 -d "$db" -v ON_ERROR_STOP=1 -v snap="$snapshot" -f - -c "
    select format('%s %I.%I (%s)', case when bool_and(y.oid < 16384 and y.typsend::oid <> 0 and y.typreceive::oid <> 0) then 'binary' else 'text' end,
      n.nspname, c.relname, string_agg(quote_ident(a.attname), ', ' order by a.attnum))
    from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid join pg_type y on y.oid = a.atttypid
    where c.relkind = 'r' and c.relpersistence <> 't' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'
      and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    group by c.oid, n.nspname, c.relname order by pg_table_size(c.oid) desc" > "$WORK/$db.tables"
  echo "copy: database $db: $(tr -cd '\0' < "$WORK/$db.tables" | wc -c) tables ($(tr '\0' '\n' < "$WORK/$db.tables" | grep -c '^binary ') in binary), $JOBS at a time"
  xargs -0 -r -P "$JOBS" -I{} bash -c 'copy_table "$@"' _ "$db" "$snapshot" {} < "$WORK/$db.tables"
  src pg_dump -d "$db" --snapshot="$snapshot" --section=post-data -Fc -Z 0 -f "$WORK/$db.post"
  echo "commit;" >&"${'$'}{SNAPSHOT[1]}"
  exec {SNAPSHOT[1]}>&-
  wait "$SNAPSHOT_PID"
  # Each sequence's value as pg_dump sets it: last_value and is_called, read from the sequence itself.
  src psql -XAtq -d "$db" -v ON_ERROR_STOP=1 <<'SQL' | dst psql -Xq -d "$db" -v ON_ERROR_STOP=1 > /dev/null
select format('select format(%L, %L, last_value, is_called) from %s', 'select setval(%L, %s, %L);', s, s) from (select format('%I.%I', schemaname, sequencename) from pg_sequences) x(s)
\gexec
SQL
  dst pg_restore -d "$db" -j "$JOBS" --exit-on-error "$WORK/$db.post"
  rm -f "$WORK/$db.tables" "$WORK/$db.post"
done
result "copy: done, ${'$'}{#databases[@]} databases: ${'$'}{databases[*]}"
`,
);

/**
 * `--copy replicate`: roles, each database's schema, then a publication of all its tables on v4 and a
 * subscription on the target, which copies the rows and then follows v4's changes. Waits until every table is
 * synchronised and prints the lag. A re-run goes on with what exists (a database with its subscription).
 */
export const REPLICATE_SCRIPT = script(
    'replicate',
    BOTH,
    GUARDS,
    String.raw`
# Also what replication cannot carry. Once published, v4 itself refuses UPDATE and DELETE on a table without a
# key or replica identity; large objects are not replicated at all.
for db in "${'$'}{databases[@]}"; do
  nokey="$(src psql -XAtq -d "$db" -c "select string_agg(t, ', ') from (${WITHOUT_KEY_SQL}) x(t)")"
  if [ -n "$nokey" ]; then
    refuse "database $db: $nokey have no primary key or replica identity, so v4 would refuse their UPDATE and DELETE once published: add a primary key or run ALTER TABLE ... REPLICA IDENTITY FULL on v4, or use --copy dump"
  fi
  if [ "$(src psql -XAtq -d "$db" -c "select count(*) from pg_largeobject_metadata")" != 0 ]; then
    refuse "database $db holds large objects, which logical replication does not carry: use --copy dump"
  fi
done
`,
    REFUSE_IF_ANY,
    ROLES,
    String.raw`
for db in "${'$'}{databases[@]}"; do
  slot="$(slot_of "$db")"
  if has_database "$db"; then
    if [ -n "$(echo "select 1 from pg_subscription where subname = :'slot'" | dst psql -XAtq -d "$db" -v slot="$slot")" ]; then
      echo "replicate: database $db is replicating already"
      continue
    fi
    echo "replicate: database $db exists on the target without this move's subscription: drop it there (or choose another target), then run again" >&2
    exit 1
  fi
  echo "replicate: database $db: schema"
  src pg_dump -d "$db" --create --schema-only -Fc | dst pg_restore -d postgres --create --exit-on-error
  echo "replicate: database $db: publication ${PUBLICATION} on the source, subscription $slot on the target"
  src psql -Xq -d "$db" -v ON_ERROR_STOP=1 -c "create publication ${PUBLICATION} for all tables"
  # Each conninfo value quoted as libpq reads it: in single quotes, with backslash and quote escaped.
  dst psql -XAtq -d "$db" -v ON_ERROR_STOP=1 -v slot="$slot" -v host="$SOURCE_HOST" -v port="$SOURCE_PORT" -v user="$SOURCE_USER" -v password="$SOURCE_PASSWORD" -v db="$db" <<'SQL'
select format('create subscription %I connection %L publication ${PUBLICATION} with (slot_name = %L)', :'slot',
  (select string_agg(k || '=''' || replace(replace(v, '\', '\\'), '''', '\''') || '''', ' ')
   from (values ('host', :'host'), ('port', :'port'), ('user', :'user'), ('password', :'password'), ('dbname', :'db')) c(k, v)),
  :'slot')
\gexec
SQL
done

[ -n "$WAIT_SECONDS" ] || WAIT_SECONDS=3600
deadline=$((SECONDS + WAIT_SECONDS))
for db in "${'$'}{databases[@]}"; do
  while :; do
    state="$(dst psql -XAtq -d "$db" -c "select count(*) filter (where srsubstate = 'r') || ' of ' || count(*) from pg_subscription_rel")"
    if [ "${'$'}{state% of *}" = "${'$'}{state#* of }" ]; then result "replicate: database $db: $state tables synchronised"; break; fi
    echo "replicate: database $db: $state tables synchronised"
    if [ $SECONDS -ge $deadline ]; then echo "replicate: database $db is still copying after $WAIT_SECONDS s: run again to go on waiting" >&2; exit 1; fi
    sleep 2
  done
done
while read -r line; do result "$line"; done < <(src psql -XAtq -d postgres -c "select 'replicate: lag of ' || slot_name || ': ' || pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) from pg_replication_slots where slot_name like '${SLOT_PREFIX}%' order by 1")
echo "replicate: done"
`,
);

/**
 * The cut-over. Stops writes on v4 by stopping its application roles' logins (ALTER ROLE … NOLOGIN, marked with
 * ${BLOCKED_SETTING} so it can be undone) and ending their sessions: unlike a read-only default, which a
 * client can turn off for its own session, no application session is left that could write. Then waits until
 * every subscription has confirmed v4's last WAL position, sets every sequence from v4, drops the subscriptions
 * (and with them the slots on v4) and the publications, drops any slot of this move still left on v4, and
 * compares every table's row count. The undo (`UNDO=1`) gives the logins back.
 */
export const CUTOVER_SCRIPT = script(
    'cutover',
    BOTH,
    String.raw`
blocked_roles() { src psql -XAtq -d postgres -c "select r.rolname from pg_roles r join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0 where '${BLOCKED_SETTING}=on' = any(s.setconfig) order by 1"; }
if [ -n "$UNDO" ]; then
  echo "cutover: giving the logins back on the source to: $(blocked_roles | tr '\n' ' ')"
  src psql -Xq -d postgres -v ON_ERROR_STOP=1 <<'SQL'
select format('alter role %I login; alter role %I reset ${BLOCKED_SETTING};', r.rolname, r.rolname)
from pg_roles r join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0 where '${BLOCKED_SETTING}=on' = any(s.setconfig)
\gexec
SQL
  exit 0
fi
if [ -z "$(src psql -XAtq -d postgres -c "select 1 from pg_replication_slots where slot_name like '${SLOT_PREFIX}%'")" ]; then
  echo "cutover: no replication of this move on the source: nothing to cut over (done already, or replicate has not run)"
  exit 0
fi

echo "cutover: stopping writes on the source"
src psql -XAtq -d postgres -v ON_ERROR_STOP=1 -v skip="$skip_array" > /dev/null <<'SQL'
select format('alter role %I nologin; alter role %I set ${BLOCKED_SETTING} = on;', rolname, rolname)
from pg_roles where rolcanlogin and not rolsuper and rolname !~ '^pg_' and rolname <> all (:'skip'::text[])
\gexec
select pg_terminate_backend(a.pid) from pg_stat_activity a join pg_roles r on r.rolname = a.usename
join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0
where '${BLOCKED_SETTING}=on' = any(s.setconfig) and a.pid <> pg_backend_pid();
SQL
echo "cutover: logins stopped on the source for: $(blocked_roles | tr '\n' ' ')(undo: run this step again with UNDO=1)"
last="$(src psql -XAtq -d postgres -c "select pg_current_wal_lsn()")"

[ -n "$WAIT_SECONDS" ] || WAIT_SECONDS=60
deadline=$((SECONDS + WAIT_SECONDS))
while :; do
  behind="$(src psql -XAtq -d postgres -v last="$last" <<< "select count(*) from pg_replication_slots where slot_name like '${SLOT_PREFIX}%' and (confirmed_flush_lsn is null or confirmed_flush_lsn < :'last')")"
  [ "$behind" = 0 ] && break
  if [ $SECONDS -ge $deadline ]; then echo "cutover: $behind subscriptions have not replayed up to $last after $WAIT_SECONDS s: writes stay stopped; run again to go on" >&2; exit 1; fi
  sleep 0.2
done
result "cutover: the target has replayed everything the source wrote (up to $last)"

for db in "${'$'}{databases[@]}"; do
  slot="$(slot_of "$db")"
  src psql -XAtq -d "$db" -v ON_ERROR_STOP=1 <<'SQL' | dst psql -XAtq -d "$db" -v ON_ERROR_STOP=1 > /dev/null
-- Each sequence as v4 has it (last_value and is_called, read from the sequence), never backwards: a sequence
-- whose next value on the target is already past v4's keeps its own.
select format('select format(%L, %L, last_value, is_called, %L, %s, %L, last_value + case when is_called then %s else 0 end) from %s',
  'select setval(%L, %s, %L) from %s t where t.last_value + case when t.is_called then %s else 0 end %s %s;',
  s, s, increment_by, case when increment_by > 0 then '<' else '>' end, increment_by, s)
from (select format('%I.%I', schemaname, sequencename), increment_by from pg_sequences) x(s, increment_by)
\gexec
SQL
  echo "cutover: database $db: sequences set"
  if [ -n "$(echo "select 1 from pg_subscription where subname = :'slot'" | dst psql -XAtq -d "$db" -v slot="$slot")" ]; then
    dst psql -Xq -d "$db" -v ON_ERROR_STOP=1 -v slot="$slot" <<< 'drop subscription :"slot"'
  fi
  src psql -Xq -d "$db" -v ON_ERROR_STOP=1 -c "drop publication if exists ${PUBLICATION}"
  echo "cutover: database $db: subscription and publication dropped"
done
# A slot left behind keeps WAL on the source until its disk fills.
src psql -XAtq -d postgres -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like '${SLOT_PREFIX}%' and not active" > /dev/null
left="$(src psql -XAtq -d postgres -c "select string_agg(slot_name, ', ') from pg_replication_slots where slot_name like '${SLOT_PREFIX}%'")"
if [ -n "$left" ]; then echo "cutover: replication slot $left is still on the source and in use: drop it there (select pg_drop_replication_slot('$left'))" >&2; exit 1; fi

differ=0
for db in "${'$'}{databases[@]}"; do
  counts() { "$1" psql -XAtq -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
select format('select %L, count(*) from %I.%I;', format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and c.relpersistence = 'p' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'
order by 1
\gexec
SQL
  }
  if ! diff <(counts src) <(counts dst) > "$WORK/counts.diff"; then
    echo "cutover: database $db: row counts differ between the source and the target:" >&2
    cat "$WORK/counts.diff" >&2
    differ=1
  fi
done
[ $differ = 0 ] || exit 1
result "cutover: every table has as many rows on the target as on the source"
echo "cutover: done"
`,
);

/**
 * What decides the move, read on v4 (needs only SOURCE_*): one JSON document `{"server": …, "databases": {name: …}}`
 * of SERVER_SQL and DATABASE_SQL (every database, `postgres` included), on stdout and into RESULT_FILE when set
 * (the Job's termination message, which the tool reads from the pod's status).
 */
export const PREFLIGHT_SCRIPT = script(
    'preflight',
    'SOURCE_HOST SOURCE_PORT SOURCE_USER',
    String.raw`
result="{\"server\":$(src psql -XAtq -d postgres -v ON_ERROR_STOP=1 <<'SQL'
${SERVER_SQL}
SQL
),\"databases\":{"
sep=
for db in postgres "${'$'}{databases[@]}"; do
  key="$(echo "select to_json(:'db'::text)" | src psql -XAtq -d postgres -v db="$db")"
  result="$result$sep$key:$(src psql -XAtq -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
${DATABASE_SQL}
SQL
)"
  sep=,
done
result="$result}}"
echo "$result"
[ -z "$RESULT_FILE" ] || printf '%s' "$result" > "$RESULT_FILE"
`,
);
