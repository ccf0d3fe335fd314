-- Feeds imported offline (endoflife.date, NVD, CISA KEV, EPSS, JVN) and what they hold.
CREATE TABLE feed_sources (
    source TEXT PRIMARY KEY,
    records BIGINT NOT NULL,
    newest TEXT,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    file TEXT NOT NULL
);
-- A product's lifecycle as imported (JSON of the domain's Product), newer than what the binary carries.
CREATE TABLE lifecycle_products (
    name TEXT PRIMARY KEY,
    as_of TEXT NOT NULL,
    data TEXT NOT NULL
);
-- NVD records (JSON of the domain's CveRecord), replaced only by a newer lastModified.
CREATE TABLE cves (
    id TEXT PRIMARY KEY,
    modified TEXT,
    data TEXT NOT NULL
);
-- The vendor:product keys a record's vulnerable criteria name, to find the records of a product.
CREATE TABLE cve_products (
    product TEXT NOT NULL,
    cve_id TEXT NOT NULL,
    PRIMARY KEY (product, cve_id)
);
-- What other feeds say of a CVE, kept apart so that importing one feed never clears another's.
CREATE TABLE cve_extras (
    cve_id TEXT PRIMARY KEY,
    kev TEXT,
    epss TEXT,
    jvn TEXT
);
