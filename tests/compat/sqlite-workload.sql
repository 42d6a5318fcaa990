-- The compatibility suite's SQLite workload (tests/compat/compat.sh): run
-- by SQLite's shell in a cell and natively; outputs and databases must be
-- identical. 100,000 inserts in one transaction, indexes, joins, window
-- and JSON functions, FTS5, a recursive CTE, an update and a delete.
.headers on
.mode list
PRAGMA page_size = 4096;
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT, meta TEXT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer(id),
                    day INTEGER, amount REAL, note TEXT);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000)
  INSERT INTO customer SELECT i, 'customer ' || i, char(65 + i % 7),
    json_object('tier', i % 4, 'tags', json_array('t' || (i % 3), 't' || (i % 5)), 'since', 2000 + i % 25)
  FROM c;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
  INSERT INTO orders SELECT i, 1 + (i * 7919) % 1000, i % 365, ((i * 104729) % 100000) / 100.0,
    CASE i % 10 WHEN 0 THEN 'express delivery to ' || (i % 97) WHEN 3 THEN 'gift wrapped, fragile'
                ELSE 'standard parcel number ' || i END
  FROM c;
COMMIT;
CREATE INDEX orders_customer ON orders(customer, day);
CREATE INDEX orders_amount ON orders(amount);
CREATE INDEX customer_region ON customer(region);
ANALYZE;
SELECT count(*) AS orders, round(sum(amount), 2) AS total, min(day), max(day) FROM orders;
SELECT c.region, count(*) AS n, round(avg(o.amount), 4) AS avg, round(max(o.amount), 2) AS max
  FROM orders o JOIN customer c ON c.id = o.customer GROUP BY c.region ORDER BY c.region;
SELECT c.name, sum(o.amount) AS spent,
       rank() OVER (ORDER BY sum(o.amount) DESC) AS rank,
       round(100.0 * sum(o.amount) / sum(sum(o.amount)) OVER (), 6) AS pct
  FROM orders o JOIN customer c ON c.id = o.customer GROUP BY c.id ORDER BY spent DESC LIMIT 10;
SELECT day, round(sum(amount), 2) AS daily,
       round(avg(sum(amount)) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 4) AS week_avg,
       lag(round(sum(amount), 2)) OVER (ORDER BY day) AS prev
  FROM orders WHERE day < 20 GROUP BY day ORDER BY day;
SELECT json_extract(meta, '$.tier') AS tier, count(*) AS n,
       json_group_array(id) FILTER (WHERE id < 30) AS some_ids
  FROM customer GROUP BY tier ORDER BY tier;
SELECT j.value AS tag, count(*) FROM customer, json_each(customer.meta, '$.tags') AS j
  GROUP BY j.value ORDER BY j.value;
SELECT json_object('customer', id, 'orders', (SELECT count(*) FROM orders WHERE customer = customer.id),
                   'meta', json(meta)) FROM customer WHERE id IN (1, 500, 1000);
CREATE VIRTUAL TABLE notes USING fts5(note, content='orders', content_rowid='id');
INSERT INTO notes(notes) VALUES ('rebuild');
SELECT count(*) FROM notes WHERE notes MATCH 'express';
SELECT count(*) FROM notes WHERE notes MATCH 'gift AND fragile';
SELECT rowid, highlight(notes, 0, '[', ']') FROM notes WHERE notes MATCH 'express AND "to 42"' ORDER BY rowid LIMIT 5;
SELECT rowid FROM notes WHERE notes MATCH 'parcel NOT standard' LIMIT 3;
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 80)
  SELECT n, a FROM fib WHERE n % 10 = 0;
UPDATE orders SET amount = amount * 1.1 WHERE day = 100;
DELETE FROM orders WHERE id % 1000 = 7;
SELECT count(*), round(sum(amount), 2) FROM orders;
SELECT printf('%.6f', stddev) FROM (SELECT sqrt(avg(amount * amount) - avg(amount) * avg(amount)) AS stddev FROM orders);
SELECT quote(x'00ff'), hex(zeroblob(2)), typeof(1e308 * 10), 7 / 2, 7 % 3, -7 / 2, 1 << 62, round(2.5), round(-2.5);
SELECT date(1700000000, 'unixepoch'), strftime('%Y-%m-%d %H:%M:%S', 1234567890, 'unixepoch'), julianday('2000-01-01');
PRAGMA integrity_check;
PRAGMA foreign_key_check;
-- WAL mode: its index (the -shm file) is a shared mapping (docs/runtime.md)
PRAGMA journal_mode=WAL;
CREATE TABLE wal_log(id INTEGER PRIMARY KEY, what TEXT, n INTEGER);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
  INSERT INTO wal_log(what, n) SELECT 'row ' || x, x * 7 % 1009 FROM c;
COMMIT;
UPDATE wal_log SET n = n + 1 WHERE id % 3 = 0;
DELETE FROM wal_log WHERE id % 10 = 5;
SELECT count(*), sum(n), max(what) FROM wal_log;
PRAGMA wal_checkpoint(TRUNCATE);
INSERT INTO wal_log(what, n) VALUES ('after the checkpoint', -1);
SELECT id, what, n FROM wal_log ORDER BY id DESC LIMIT 2;
PRAGMA journal_mode=DELETE;
PRAGMA integrity_check;
