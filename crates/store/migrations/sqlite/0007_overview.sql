-- Organisation overview: one summary row per facility, kept so that an organisation of 200,000
-- facilities pages, sorts and filters from one table. Identity columns are written with the
-- facility; the counters are recomputed from the findings engine when a write to the facility
-- marks the row stale (and once a day, since findings depend on the date).
CREATE TABLE facility_summaries (
    facility_id INTEGER PRIMARY KEY REFERENCES facilities(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    prefecture TEXT NOT NULL DEFAULT '',
    -- pending (not computed yet), attention (high findings), open (other findings), clear.
    status TEXT NOT NULL DEFAULT 'pending',
    findings_high INTEGER NOT NULL DEFAULT 0,
    findings_medium INTEGER NOT NULL DEFAULT 0,
    findings_low INTEGER NOT NULL DEFAULT 0,
    fiscal_year INTEGER,
    checklist_answered INTEGER NOT NULL DEFAULT 0,
    checklist_total INTEGER NOT NULL DEFAULT 0,
    -- answered × 1000 / total, for sorting (-1 without an edition for the year).
    checklist_permille INTEGER NOT NULL DEFAULT -1,
    -- YYYY-MM-DD, '' when never confirmed (sorts first on both backends).
    ledger_confirmed_on TEXT NOT NULL DEFAULT '',
    -- Writes to the facility not yet reflected in the counters (the refresh subtracts what it saw).
    pending_changes INTEGER NOT NULL DEFAULT 1,
    -- Every audited write to the facility, ever: a version for caches of per-facility figures.
    changes INTEGER NOT NULL DEFAULT 0,
    computed_on TEXT,
    computed_at TEXT
);
CREATE INDEX facility_summaries_code ON facility_summaries(organisation_id, code);
CREATE INDEX facility_summaries_name ON facility_summaries(organisation_id, name, code);
CREATE INDEX facility_summaries_findings ON facility_summaries(organisation_id, findings_high, findings_medium, findings_low, code);
CREATE INDEX facility_summaries_checklist ON facility_summaries(organisation_id, checklist_permille, code);
CREATE INDEX facility_summaries_confirmed ON facility_summaries(organisation_id, ledger_confirmed_on, code);
CREATE INDEX facility_summaries_filters ON facility_summaries(organisation_id, kind, prefecture, status);
CREATE INDEX facility_summaries_pending ON facility_summaries(pending_changes, computed_on);

INSERT INTO facility_summaries (facility_id, organisation_id, code, name, kind, prefecture)
SELECT id, organisation_id, code, name, kind, COALESCE(prefecture, '') FROM facilities;
