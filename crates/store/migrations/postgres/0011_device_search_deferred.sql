-- SQLite's search index can be filled after a bulk write in this migration; PostgreSQL's trigram
-- index (0008) is kept by PostgreSQL itself, so there is nothing to change here. The file exists
-- because both backends apply the same numbered migrations.
SELECT 1;
