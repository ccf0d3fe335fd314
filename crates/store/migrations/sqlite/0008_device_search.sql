-- The device list's search box as a trigram index: FTS5 with the trigram tokenizer over each
-- device's search text, kept in step with the devices table by triggers. A search for three or
-- more characters reads the index instead of every device of the facility.
CREATE VIRTUAL TABLE devices_search USING fts5(search_text, content='devices', content_rowid='id', tokenize='trigram');
INSERT INTO devices_search(devices_search) VALUES ('rebuild');
CREATE TRIGGER devices_search_insert AFTER INSERT ON devices BEGIN
    INSERT INTO devices_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER devices_search_delete AFTER DELETE ON devices BEGIN
    INSERT INTO devices_search(devices_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER devices_search_update AFTER UPDATE OF search_text ON devices BEGIN
    INSERT INTO devices_search(devices_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO devices_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
