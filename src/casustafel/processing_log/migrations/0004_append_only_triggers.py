"""Make the processing log append-only in the database.

Row-level BEFORE UPDATE / BEFORE DELETE triggers raise. TRUNCATE is refused by a
statement-level AFTER TRUNCATE trigger unless the same statement also emptied the user
table — i.e. only a reset of the whole database (the test runner's flush between
transactional tests) passes; emptying the log on its own never does. Disabling the
triggers needs table ownership (and shows in the hash chain / exported head). ADR 0008.
"""

from django.db import migrations

TABLE = "processing_log_processinglogentry"

INSTALL = f"""
CREATE FUNCTION processing_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'het logboek dataverwerkingen is alleen aan te vullen (% geweigerd)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE FUNCTION processing_log_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM accounts_user) THEN
        RAISE EXCEPTION 'het logboek dataverwerkingen is alleen aan te vullen (TRUNCATE geweigerd)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER processing_log_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_no_truncate AFTER TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION processing_log_refuse_truncate();
"""

REMOVE = f"""
DROP TRIGGER IF EXISTS processing_log_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS processing_log_no_delete ON {TABLE};
DROP TRIGGER IF EXISTS processing_log_no_update ON {TABLE};
DROP FUNCTION IF EXISTS processing_log_refuse_truncate();
DROP FUNCTION IF EXISTS processing_log_refuse_change();
"""


class Migration(migrations.Migration):

    dependencies = [("processing_log", "0003_seed_register_and_chain"), ("accounts", "0001_initial")]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
