-- Device ledger (機器台帳): devices, their software and network interfaces, and ledger confirmations.

CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    management_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    maker TEXT,
    model TEXT,
    serial TEXT,
    os_name TEXT,
    os_version TEXT,
    location TEXT,
    users TEXT,
    registered_on TEXT,
    status TEXT NOT NULL,
    disposed_on TEXT,
    description TEXT,
    remote_maintenance INTEGER NOT NULL DEFAULT 0,
    security_measures TEXT,
    auth_method TEXT,
    -- Every text of the device, NFKC and lower case, for the one search box.
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (facility_id, management_no)
);
CREATE INDEX devices_facility_status ON devices(facility_id, status);
CREATE INDEX devices_facility_kind ON devices(facility_id, kind);
CREATE INDEX devices_facility_updated ON devices(facility_id, updated_at);
-- The list's filters and sort columns, and the distinct values offered in its filters.
CREATE INDEX devices_facility_location ON devices(facility_id, location, management_no);
CREATE INDEX devices_facility_os ON devices(facility_id, os_name, management_no);

CREATE TABLE device_software (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    version TEXT,
    vendor TEXT
);
CREATE INDEX device_software_device ON device_software(device_id, position);
CREATE INDEX device_software_name ON device_software(name);

CREATE TABLE device_interfaces (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    ip TEXT,
    mac TEXT,
    hostname TEXT,
    segment TEXT
);
CREATE INDEX device_interfaces_device ON device_interfaces(device_id, position);
CREATE INDEX device_interfaces_ip ON device_interfaces(ip);

-- 「台帳を確認しました」: who confirmed which ledger of a facility, and when.
CREATE TABLE ledger_confirmations (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    ledger TEXT NOT NULL,
    confirmed_by_id INTEGER,
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    note TEXT
);
CREATE INDEX ledger_confirmations_facility ON ledger_confirmations(facility_id, ledger, confirmed_at);

-- Uploaded files awaiting confirmation after the import preview; removed when applied.
CREATE TABLE pending_imports (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ledger TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);
