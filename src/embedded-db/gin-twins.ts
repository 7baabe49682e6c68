/**
 * GIN twins of FerretDB's indexes on its PostgreSQL backend.
 *
 * FerretDB 1.24 stores a collection as a table `(_jsonb jsonb)` and an index `{email: 1}` as a
 * btree on `(_jsonb -> 'email')`, but it pushes `find({email: v})` down as
 * `(_jsonb -> 'email') @> '"v"'`: containment, which a btree cannot serve, so every lookup is a
 * Seq Scan. A GIN index with `jsonb_path_ops` on the same expression serves `@>` (explain shows
 * Bitmap Index Scan). So for every btree FerretDB creates on `_jsonb -> 'field'` expressions
 * (including its `_id` index) we create one GIN index over the same expressions: one
 * multi-column GIN serves a filter on any subset of its fields.
 *
 * The twins are built with `fastupdate = off`. With it on (PostgreSQL's default), new entries
 * wait in a pending list that every lookup reads through until a vacuum or a 4 MB flush: after
 * 100,000 inserts a lookup by `_id` cost 5 ms of database CPU instead of 1 (measured), and the
 * collections the login path inserts into (rate limits, sessions) fill it all the time. Off,
 * lookups stay logarithmic and inserts cost no more (measured: slightly less, no flushes).
 *
 * Two parts, both idempotent: `gatehouse_gin_twin(index)` creates the twin of one index, and an
 * event trigger runs it for each CREATE INDEX, so indexes declared while Gatehouse runs get their
 * twin in the same transaction. `ensureGinTwins` (re)installs both and sweeps every existing
 * index, for clusters created before the trigger existed. The unique btrees stay as they are:
 * they keep enforcing uniqueness.
 */

/** Why the catalogs rather than `_ferretdb_database_metadata`: inside the event trigger FerretDB has not yet written the metadata row of the index being created; the btrees it lists as `pgindex` are exactly the `_jsonb ->` ones found here. */
export const GIN_TWIN_SQL = `
CREATE OR REPLACE FUNCTION public.gatehouse_gin_twin(idx oid) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  ix pg_index;
  am text;
  tbl text;
  cols text[] := '{}';
  e text;
  twin text;
  nsp text;
BEGIN
  SELECT * INTO ix FROM pg_index WHERE indexrelid = idx;
  IF NOT FOUND OR ix.indnkeyatts = 0 THEN RETURN false; END IF;
  SELECT a.amname INTO am FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = idx;
  SELECT c.relname INTO tbl FROM pg_class c WHERE c.oid = ix.indrelid;
  IF am <> 'btree' OR tbl = '_ferretdb_database_metadata' THEN RETURN false; END IF;
  FOR k IN 1..ix.indnkeyatts LOOP
    e := pg_get_indexdef(idx, k, true);
    -- only FerretDB's shape: (_jsonb -> 'a'::text), possibly chained for dotted paths
    IF e !~ '^[( ]*_jsonb( -> ''([^'']|'''')*''::text[) ]*)+$' THEN RETURN false; END IF;
    cols := cols || format('(%s) jsonb_path_ops', e);
  END LOOP;
  twin := left(tbl, 40) || '_gin_' || left(md5(idx::regclass::text), 12);
  SELECT n.nspname INTO nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ix.indrelid;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s) WITH (fastupdate = off)', twin, ix.indrelid::regclass, array_to_string(cols, ', '));
  -- a twin made before fastupdate was turned off: turn it off and empty its pending list
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = format('%I.%I', nsp, twin)::regclass AND reloptions @> ARRAY['fastupdate=off']) THEN
    EXECUTE format('ALTER INDEX %I.%I SET (fastupdate = off)', nsp, twin);
    PERFORM gin_clean_pending_list(format('%I.%I', nsp, twin)::regclass);
  END IF;
  RETURN true;
EXCEPTION WHEN OTHERS THEN
  -- never fail FerretDB's own CREATE INDEX because of its twin: a missing twin is only slower
  RAISE WARNING 'gatehouse: no GIN twin for %: %', idx::regclass, SQLERRM;
  RETURN false;
END
$fn$;

CREATE OR REPLACE FUNCTION public.gatehouse_gin_twin_on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM public.gatehouse_gin_twin(r.objid);
  END LOOP;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS gatehouse_gin_twins;
CREATE EVENT TRIGGER gatehouse_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION public.gatehouse_gin_twin_on_ddl();

SELECT count(*) FILTER (WHERE public.gatehouse_gin_twin(i.indexrelid))
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');
`;

/** Lists the GIN twins present: `schema.table index` per line. */
export const LIST_TWINS_SQL = `
SELECT schemaname || '.' || tablename || ' ' || indexname FROM pg_indexes
WHERE indexdef LIKE '%USING gin%jsonb_path_ops%' ORDER BY 1`;

export interface SqlRunner {
  psql(sql: string): Promise<string>;
}

/**
 * Installs the twin function and trigger and creates the twin of every FerretDB index present;
 * returns how many indexes have a twin. Safe to run at every start and at any time.
 */
export async function ensureGinTwins(db: SqlRunner): Promise<number> {
  const out = await db.psql(GIN_TWIN_SQL);
  return Number(out.trim().split('\n').at(-1) ?? 0);
}
