-- The checklist: catalogue editions (one per fiscal year and form, as JSON in the catalogue
-- schema), assessments per facility / year / form (vendor forms per vendor and system), their
-- answers by item key, and evidence (files stored once by SHA-256, or links to ledger records).
CREATE TABLE checklist_editions (
    id INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    form TEXT NOT NULL,
    edition TEXT NOT NULL,
    origin TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (fiscal_year, form)
);
CREATE TABLE checklist_assessments (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    fiscal_year INTEGER NOT NULL,
    form TEXT NOT NULL,
    vendor TEXT NOT NULL DEFAULT '',
    system TEXT NOT NULL DEFAULT '',
    -- vendor and system in search form, so that ＡＢＣ and abc are one vendor.
    vendor_key TEXT NOT NULL DEFAULT '',
    system_key TEXT NOT NULL DEFAULT '',
    signed_off_at TEXT,
    signed_off_by TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (facility_id, fiscal_year, form, vendor_key, system_key)
);
CREATE TABLE checklist_answers (
    assessment_id INTEGER NOT NULL REFERENCES checklist_assessments(id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    answer TEXT,
    first_checked_on TEXT,
    second_checked_on TEXT,
    target_on TEXT,
    note TEXT,
    recheck INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item_key)
);
CREATE TABLE evidence_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE checklist_evidence (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES checklist_assessments(id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT REFERENCES evidence_blobs(sha256),
    filename TEXT,
    content_type TEXT,
    size INTEGER,
    record_kind TEXT,
    record_id INTEGER,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX checklist_evidence_item ON checklist_evidence(assessment_id, item_key);
