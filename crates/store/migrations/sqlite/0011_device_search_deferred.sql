-- A bulk write of devices (an import) can defer their search index: while this table holds its
-- one row, which only the writing transaction ever sees, the insert trigger of 0009 does nothing
-- and the writer indexes its new devices with one statement before it commits. Per row, SQLite
-- flushed and merged the index at every statement (each opens a statement transaction, at which
-- FTS5 writes out what it holds); once for the whole import, a 100,000-device import's indexing
-- takes a fraction of the time. The update and delete triggers are unchanged.
CREATE TABLE devices_search_deferred (id INTEGER PRIMARY KEY CHECK (id = 1));
DROP TRIGGER devices_search_insert;
CREATE TRIGGER devices_search_insert AFTER INSERT ON devices
WHEN NOT EXISTS (SELECT 1 FROM devices_search_deferred)
BEGIN
    INSERT INTO devices_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
