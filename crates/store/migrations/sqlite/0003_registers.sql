-- Registers beside the device ledger (vendors, information systems, cloud services, remote maintenance):
-- one table, each record's fields as JSON, described by the domain's register specs.
CREATE TABLE register_records (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    register TEXT NOT NULL,
    -- The key field's value in search form (NFKC, lower case): unique within the facility's register.
    record_key TEXT NOT NULL,
    data TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (facility_id, register, record_key)
);
CREATE INDEX register_records_updated ON register_records(facility_id, register, updated_at);
