"""Partition the processing log by month (PostgreSQL declarative partitioning, ADR 0049).

``processing_log_processinglogentry`` becomes a table ``PARTITION BY RANGE ("timestamp")``
with one partition per calendar month in UTC (``..._y2026m11``) and a DEFAULT partition
(``..._default``) for rows outside the prepared months (a clock that travelled, a worker
that did not run for months). The conversion runs in the migration's transaction, under
an ACCESS EXCLUSIVE lock on the log:

1. a new partitioned table ``LIKE`` the old one (columns, defaults, NOT NULL and CHECK
   constraints, identity, storage) with a partition for every month that holds rows, the
   current month and the next three, and the DEFAULT partition;
2. every row copied in id order; the identity sequence continues where the old one stood,
   so ids keep rising;
3. the definitions of the old table's indexes, foreign keys, triggers (the append-only
   triggers of migration 0004 and any later ones) and grants are read, the old table is
   dropped and the new one takes its name, its sequence's name and all of them back.
   Statement-level triggers (TRUNCATE) are not inherited by partitions: each partition gets
   its own ``processing_log_no_truncate`` trigger as well.

The primary key in the database becomes ``(id, "timestamp")``: PostgreSQL requires every
unique constraint of a partitioned table to contain the partition key. Django keeps ``id``
as the model's primary key: ids come from one sequence and stay unique; nothing in the
database may point at this table with a foreign key (none does; LogLeaf keeps a plain
``entry_id``, ADR 0048). The same procedure in reverse turns the table back into an
ordinary one (``migrate processing_log 0012``).

``processing_log_ensure_partitions(months_ahead)`` (SECURITY DEFINER, owned by the schema
owner) creates the partitions of the current and the next months; the worker calls it
once a day through ``partitions.ensure_partitions``. It takes no table name and no SQL,
only a number from 0 to 24, so the application role may call it. It never moves a row:
a month whose rows already sit in the DEFAULT partition is reported as ``blocked`` and
left there (ADR 0049 says what the operator may do).
"""

from django.db import migrations

PARENT = "processing_log_processinglogentry"

HELPERS = r"""
CREATE FUNCTION processing_log_partition_name(month date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'processing_log_processinglogentry_' || to_char(month, '"y"YYYY"m"MM')
$$;

-- Create the partition of one calendar month (UTC) and its TRUNCATE trigger; no checks.
CREATE FUNCTION processing_log_create_month_partition(
    month date, parent text DEFAULT 'processing_log_processinglogentry'
) RETURNS text
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name text := processing_log_partition_name(first);
BEGIN
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        name, parent, to_char(first, 'YYYY-MM-DD') || ' 00:00:00+00',
        to_char((first + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00'
    );
    EXECUTE format(
        'CREATE TRIGGER processing_log_no_truncate AFTER TRUNCATE ON %I '
        'FOR EACH STATEMENT EXECUTE FUNCTION processing_log_refuse_truncate()', name
    );
    RETURN name;
END;
$$;

-- Turn the log into a partitioned table (partitioned = true) or back into a plain one.
CREATE FUNCTION processing_log_rebuild(partitioned boolean) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    parent text := 'processing_log_processinglogentry';
    staging text := 'processing_log_processinglogentry_rebuild';
    old_oid oid;
    pkey_name text;
    seq_name text;
    new_seq text;
    seq_parts text[];
    seq_last bigint;
    seq_called boolean;
    definitions text[] := '{}';
    grants text[] := '{}';
    statement text;
    current_month date;
    month date;
BEGIN
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', parent);
    old_oid := parent::regclass;
    SELECT conname INTO pkey_name FROM pg_constraint WHERE conrelid = old_oid AND contype = 'p';
    seq_name := pg_get_serial_sequence(parent, 'id');
    EXECUTE format('SELECT last_value, is_called FROM %s', seq_name) INTO seq_last, seq_called;

    -- What the new table must get back, read before the old one goes.
    SELECT definitions || coalesce(array_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid), '{}')
      INTO definitions
      FROM pg_index i
     WHERE i.indrelid = old_oid
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = old_oid);
    SELECT definitions || coalesce(array_agg(
               format('ALTER TABLE %I ADD CONSTRAINT %I %s', parent, c.conname, pg_get_constraintdef(c.oid))
               ORDER BY c.oid), '{}')
      INTO definitions
      FROM pg_constraint c
     WHERE c.conrelid = old_oid AND c.contype IN ('f', 'u', 'x');
    SELECT definitions || coalesce(array_agg(pg_get_triggerdef(t.oid) ORDER BY t.tgname), '{}')
      INTO definitions
      FROM pg_trigger t
     WHERE t.tgrelid = old_oid AND NOT t.tgisinternal AND t.tgparentid = 0;
    SELECT coalesce(array_agg(format('GRANT %s ON %I TO %s', a.privilege_type, parent,
                                     CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END)),
                    '{}')
      INTO grants
      FROM pg_class c, aclexplode(c.relacl) a
      LEFT JOIN pg_roles r ON r.oid = a.grantee
     WHERE c.oid = old_oid AND a.grantee <> c.relowner;

    IF partitioned THEN
        EXECUTE format(
            'CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY '
            'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION) '
            'PARTITION BY RANGE ("timestamp")', staging, parent);
    ELSE
        EXECUTE format(
            'CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY '
            'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)', staging, parent);
    END IF;
    IF partitioned THEN
        -- Every month that holds rows, the current month and the next three; DEFAULT for the rest.
        current_month := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
        FOR month IN EXECUTE format(
            'SELECT date_trunc(''month'', "timestamp" AT TIME ZONE ''UTC'')::date FROM %I '
            'UNION SELECT generate_series(%L::date, %L::date, interval ''1 month'')::date ORDER BY 1',
            parent, current_month, current_month + interval '3 months'
        ) LOOP
            PERFORM processing_log_create_month_partition(month, staging);
        END LOOP;
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', parent || '_default', staging);
        EXECUTE format(
            'CREATE TRIGGER processing_log_no_truncate AFTER TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION processing_log_refuse_truncate()', parent || '_default');
    END IF;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I ORDER BY id', staging, parent);
    new_seq := pg_get_serial_sequence(staging, 'id');
    PERFORM setval(new_seq, seq_last, seq_called);

    EXECUTE format('DROP TABLE %I', parent);  -- fails loudly if anything still depends on it
    EXECUTE format('ALTER TABLE %I RENAME TO %I', staging, parent);
    seq_parts := parse_ident(seq_name);
    EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', new_seq, seq_parts[array_length(seq_parts, 1)]);
    IF partitioned THEN
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id, "timestamp")', parent, pkey_name);
    ELSE
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id)', parent, pkey_name);
    END IF;
    FOREACH statement IN ARRAY definitions || grants LOOP
        EXECUTE statement;
    END LOOP;
    EXECUTE format('ANALYZE %I', parent);
END;
$$;
"""

FORWARD = (
    HELPERS
    + r"""
SELECT processing_log_rebuild(true);
DROP FUNCTION processing_log_rebuild(boolean);
REVOKE EXECUTE ON FUNCTION processing_log_create_month_partition(date, text) FROM PUBLIC;

-- The worker's daily call (partitions.ensure_partitions): the current month and the next ones.
CREATE FUNCTION processing_log_ensure_partitions(months_ahead integer)
RETURNS TABLE (partition_name text, outcome text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    current_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    month date;
BEGIN
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 24 THEN
        RAISE EXCEPTION 'maanden vooruit: 0 tot en met 24' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One maintainer at a time (several workers may run side by side).
    PERFORM pg_advisory_xact_lock(hashtextextended('casustafel.processing_log.partitions', 0));
    FOR step IN 0..months_ahead LOOP
        month := (current_month + make_interval(months => step))::date;
        partition_name := processing_log_partition_name(month);
        IF to_regclass(partition_name) IS NOT NULL THEN
            outcome := 'present';
        ELSIF EXISTS (
            SELECT 1 FROM processing_log_processinglogentry_default
             WHERE "timestamp" >= (month::timestamp AT TIME ZONE 'UTC')
               AND "timestamp" < ((month + interval '1 month')::timestamp AT TIME ZONE 'UTC')
        ) THEN
            outcome := 'blocked';  -- rows of this month sit in DEFAULT: nothing is moved
        ELSE
            PERFORM processing_log_create_month_partition(month);
            outcome := 'created';
        END IF;
        RETURN NEXT;
    END LOOP;
END;
$$;
"""
)

BACKWARD = (
    HELPERS.replace("CREATE FUNCTION processing_log_partition_name", "CREATE OR REPLACE FUNCTION processing_log_partition_name")
    .replace(
        "CREATE FUNCTION processing_log_create_month_partition",
        "CREATE OR REPLACE FUNCTION processing_log_create_month_partition",
    )
    + r"""
DROP FUNCTION processing_log_ensure_partitions(integer);
SELECT processing_log_rebuild(false);
DROP FUNCTION processing_log_rebuild(boolean);
DROP FUNCTION processing_log_create_month_partition(date, text);
DROP FUNCTION processing_log_partition_name(date);
"""
)


class Migration(migrations.Migration):
    dependencies = [("processing_log", "0012_chain_v3")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
