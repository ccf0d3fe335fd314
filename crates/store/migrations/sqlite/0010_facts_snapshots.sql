-- The large parts of a facility's findings facts (its live accounts and its devices as the rules
-- read them), kept with the audit log position they include. A process that has not read the
-- facility yet (a restart, the command line, a second server) starts from here and takes in the
-- changes logged since, instead of reading 60,000 accounts. Derived data: written after a full
-- read of a large facility, never audited, safe to delete at any time.
CREATE TABLE facts_snapshots (
    facility_id INTEGER PRIMARY KEY REFERENCES facilities(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    format TEXT NOT NULL,
    data BLOB NOT NULL
);
