-- SQL script run by the sqlite3 shell in the guest and natively; the two
-- outputs must match byte for byte. In-memory database (no writable files
-- are needed).
.headers on
.mode list
CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                   country TEXT, population INTEGER, area REAL);
INSERT INTO city (name, country, population, area) VALUES
    ('Lisbon', 'PT', 545000, 100.05), ('Porto', 'PT', 232000, 41.42),
    ('Berlin', 'DE', 3645000, 891.8), ('Hamburg', 'DE', 1841000, 755.2),
    ('Lyon', 'FR', 513000, 47.87), ('Paris', 'FR', 2161000, 105.4),
    ('Nice', 'FR', 342000, 71.92);
SELECT country, count(*) AS n, sum(population) AS pop,
       printf('%.2f', avg(area)) AS avg_area
  FROM city GROUP BY country ORDER BY pop DESC;
.mode column
SELECT name, population, round(population / area, 1) AS density
  FROM city WHERE population > 400000 ORDER BY density DESC;
.mode csv
WITH RECURSIVE fib(i, a, b) AS (SELECT 1, 0, 1
    UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 60)
SELECT i, a FROM fib WHERE i % 10 = 0;
.mode list
CREATE INDEX city_country ON city(country);
EXPLAIN QUERY PLAN SELECT * FROM city WHERE country = 'DE';
CREATE TABLE big (k INTEGER PRIMARY KEY, v TEXT);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n
    WHERE x < 20000)
INSERT INTO big SELECT x, hex(x * 2654435761) FROM n;
SELECT count(*), sum(length(v)), max(v), min(k) FROM big;
SELECT json_object('name', name, 'pop', population) FROM city
  WHERE country = 'FR' ORDER BY name;
CREATE TABLE doc (body TEXT);
INSERT INTO doc VALUES ('unikernels boot fast'), ('kernels and apps'),
    ('a library operating system');
SELECT body FROM doc WHERE body LIKE '%kernels%' OR body GLOB '*library*'
  ORDER BY body;
BEGIN;
UPDATE city SET population = population + 1 WHERE country = 'PT';
SAVEPOINT s1;
DELETE FROM city;
ROLLBACK TO s1;
COMMIT;
SELECT name, population FROM city WHERE country = 'PT' ORDER BY id;
SELECT typeof(1), typeof(1.5), typeof('x'), typeof(x'00'), typeof(NULL);
SELECT 1 / 0, 7 % 3, 2.5 * 4, 'abc' || 'def', upper('onyx'), length('héllo');
SELECT date('2026-12-03', '+1 month'), strftime('%j', '2026-12-03');
SELECT sqlite_version();
.print done
