-- SQLite's search index lost its positions in this migration; PostgreSQL's trigram index
-- (0008) keeps none to begin with, so there is nothing to change here. The file exists because
-- both backends apply the same numbered migrations.
SELECT 1;
