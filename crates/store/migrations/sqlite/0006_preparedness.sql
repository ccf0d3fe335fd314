-- Incident preparedness and incidents. The contact chart (escalation, contacts), backups and
-- drills are registers (register_records); this adds the BCP answers and the incident register.
CREATE TABLE bcp_answers (
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    check_key TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (facility_id, check_key)
);
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    -- Numbered per facility: INC-1, INC-2 …
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Japan time, YYYY-MM-DDTHH:MM.
    discovered_at TEXT NOT NULL,
    -- The whole incident as validated (domain incidents::Incident), JSON.
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (facility_id, number)
);
CREATE INDEX incidents_status ON incidents(facility_id, status);
CREATE TABLE incident_timeline (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    -- When it happened (Japan time, YYYY-MM-DDTHH:MM), as the author states it.
    happened_at TEXT NOT NULL,
    entry TEXT NOT NULL,
    author TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, happened_at);
CREATE TABLE incident_steps (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    done_at TEXT NOT NULL,
    done_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, step_key)
);
CREATE TABLE incident_reports (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    report_key TEXT NOT NULL,
    state TEXT NOT NULL,
    done_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, report_key)
);
