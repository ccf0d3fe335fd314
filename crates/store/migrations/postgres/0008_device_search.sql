-- The device list's search box as a trigram index (pg_trgm, shipped with PostgreSQL's contrib
-- modules and trusted, so the database owner may create it). Where the extension is not
-- installed the search still works, by scanning the facility's devices.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX devices_search_trgm ON devices USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): device search scans the devices', SQLERRM;
END
$$;
