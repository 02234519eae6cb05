-- The same shell on a database file in DBDIR (the guest's tmpfs /tmp):
-- rollback journal, transactions, a larger table, VACUUM, integrity check.
.open DBDIR/onyx-test.db
PRAGMA journal_mode;
CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT);
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n
    WHERE x < 50000)
INSERT INTO kv SELECT x, printf('value-%08d', x * 7) FROM n;
COMMIT;
BEGIN;
DELETE FROM kv WHERE k % 3 = 0;
ROLLBACK;
DELETE FROM kv WHERE k % 5 = 0;
VACUUM;
PRAGMA integrity_check;
SELECT count(*), min(v), max(v), sum(k) FROM kv;
PRAGMA page_count;
.print done
