-- Accounts and access rights. The staff roster is the register 'staff' (register_records).
-- Accounts of each information system (named as in the systems register; system_key is its
-- search form), the column mapping of each system's user export, the job-type × category
-- policy, access reviews and ID applications.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    system_key TEXT NOT NULL,
    login_id TEXT NOT NULL,
    login_key TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    -- Staff numbers, comma separated; two or more make a shared account.
    owners TEXT NOT NULL DEFAULT '',
    owner_state TEXT NOT NULL DEFAULT 'unknown',
    role TEXT NOT NULL DEFAULT '',
    privileges TEXT NOT NULL DEFAULT '',
    privileged INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_on TEXT,
    last_sign_in_on TEXT,
    expires_on TEXT,
    search_text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (facility_id, system_key, login_key)
);
CREATE INDEX accounts_status ON accounts(facility_id, status);
CREATE TABLE account_mappings (
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    system_key TEXT NOT NULL,
    mapping TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (facility_id, system_key)
);
CREATE TABLE account_settings (
    facility_id INTEGER PRIMARY KEY REFERENCES facilities(id) ON DELETE CASCADE,
    unused_days INTEGER NOT NULL
);
CREATE TABLE access_policies (
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    system_key TEXT NOT NULL,
    job_type TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (facility_id, system_key, job_type, category)
);
CREATE TABLE access_reviews (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    system_key TEXT NOT NULL,
    title TEXT NOT NULL,
    due_on TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    completed_at TEXT,
    completed_by TEXT
);
-- One row per account as it stood when the review began, and the reviewer's decision.
CREATE TABLE access_review_items (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES access_reviews(id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    login_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    owners TEXT NOT NULL,
    privileges TEXT NOT NULL,
    privileged INTEGER NOT NULL,
    status TEXT NOT NULL,
    last_sign_in_on TEXT,
    decision TEXT,
    note TEXT,
    decided_at TEXT,
    decided_by TEXT
);
CREATE INDEX access_review_items_review ON access_review_items(review_id);
CREATE TABLE account_applications (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    system TEXT NOT NULL,
    system_key TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    applicant TEXT NOT NULL,
    staff_number TEXT NOT NULL DEFAULT '',
    job_type TEXT NOT NULL DEFAULT '',
    privileges TEXT NOT NULL DEFAULT '',
    privileged INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    login_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    decision_note TEXT,
    done_at TEXT,
    done_by TEXT
);
CREATE INDEX account_applications_facility ON account_applications(facility_id, status);
