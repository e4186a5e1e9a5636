// Command duckfigures computes bench's summary figures (package figures)
// over one JSONL file with DuckDB and prints them as JSON. It is the DuckDB
// peer of `make bench-peers`:
//
//	duckfigures -from 2025-11-23T00:00:00Z -to 2026-11-23T00:00:00Z .bench-data/1g.jsonl
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/usagerep/usagerep/bench/internal/figures"
)

func main() {
	from := flag.String("from", "", "window start, RFC 3339 (inclusive)")
	to := flag.String("to", "", "window end, RFC 3339 (exclusive)")
	flag.Parse()
	if flag.NArg() != 1 || *from == "" || *to == "" {
		fmt.Fprintln(os.Stderr, "usage: duckfigures -from T -to T FILE.jsonl")
		os.Exit(2)
	}
	f, err := run(context.Background(), flag.Arg(0), *from, *to)
	if err != nil {
		fmt.Fprintln(os.Stderr, "duckfigures:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		fmt.Fprintln(os.Stderr, "duckfigures:", err)
		os.Exit(1)
	}
}

// load reads only the columns the figures need: explicit columns are
// DuckDB's fast path for JSON (no schema sampling, unknown keys skipped).
const load = `CREATE TEMP TABLE r AS SELECT * FROM read_json(%s,
	format = 'newline_delimited',
	columns = {
		time: 'TIMESTAMPTZ', kind: 'VARCHAR', outcome: 'VARCHAR',
		system: 'VARCHAR', project: 'VARCHAR', entity_type: 'VARCHAR', entity_id: 'VARCHAR',
		peer_system: 'VARCHAR', peer_project: 'VARCHAR', peer_entity_type: 'VARCHAR', peer_entity_id: 'VARCHAR',
		email: 'VARCHAR', username: 'VARCHAR',
		users: 'STRUCT(email VARCHAR, username VARCHAR, "time" TIMESTAMPTZ)[]'
	})`

// syncs are the successful syncs in the window with both systems set;
// empty text is absent, as in usagerep's decoder.
const syncs = `CREATE TEMP TABLE s AS SELECT time,
	system, coalesce(project, '') AS project, nullif(entity_type, '') AS entity_type, nullif(entity_id, '') AS entity_id,
	peer_system, coalesce(peer_project, '') AS peer_project, nullif(peer_entity_type, '') AS peer_entity_type, nullif(peer_entity_id, '') AS peer_entity_id
FROM r
WHERE lower(kind) = 'sync'
	AND coalesce(nullif(lower(outcome), ''), 'success') IN ('success', 'ok', 'succeeded')
	AND time >= $1 AND time < $2
	AND system <> '' AND peer_system <> ''`

const counts = `SELECT count(*), count(*) FILTER (WHERE time >= $1 AND time < $2) FROM r`

// users counts over observations: the record's own user, and each users[]
// element at its own time if it has one.
const users = `WITH obs AS (
	SELECT time AS t, email, username FROM r
	UNION ALL
	SELECT coalesce(u.time, time), u.email, u.username
	FROM (SELECT time, unnest(users) AS u FROM r WHERE users IS NOT NULL)
)
SELECT count(DISTINCT lower(email)) FILTER (WHERE email <> ''),
	count(DISTINCT lower(username)) FILTER (WHERE username <> '')
FROM obs WHERE t >= $1 AND t < $2`

// entities follows spec 03: both ids -> the unordered pair of ends; one
// id -> that end; no id -> once per record.
const entities = `SELECT
	(SELECT count(*) FROM s),
	(SELECT count(*) FROM (SELECT DISTINCT
		least({s: system, id: entity_id}, {s: peer_system, id: peer_entity_id}),
		greatest({s: system, id: entity_id}, {s: peer_system, id: peer_entity_id})
		FROM s WHERE entity_id IS NOT NULL AND peer_entity_id IS NOT NULL))
	+ (SELECT count(*) FROM (SELECT DISTINCT
		CASE WHEN entity_id IS NOT NULL THEN system ELSE peer_system END,
		coalesce(entity_id, peer_entity_id)
		FROM s WHERE (entity_id IS NULL) <> (peer_entity_id IS NULL)))
	+ (SELECT count(*) FROM s WHERE entity_id IS NULL AND peer_entity_id IS NULL),
	(SELECT count(*) FROM (
		SELECT system, entity_type FROM s WHERE entity_type IS NOT NULL
		UNION
		SELECT peer_system, peer_entity_type FROM s WHERE peer_entity_type IS NOT NULL))`

// pairs orders each sync's ends by (folded system, system, folded
// project, project), as usagerep does, and keeps pairs with a project.
const pairs = `WITH o AS (
	SELECT time, system, project, peer_system, peer_project,
		[lower(peer_system), peer_system, lower(peer_project), peer_project]
			< [lower(system), system, lower(project), project] AS swap
	FROM s
), e AS (
	SELECT time,
		CASE WHEN swap THEN peer_system ELSE system END AS s1,
		CASE WHEN swap THEN peer_project ELSE project END AS p1,
		CASE WHEN swap THEN system ELSE peer_system END AS s2,
		CASE WHEN swap THEN project ELSE peer_project END AS p2
	FROM o
)
SELECT s1, p1, s2, p2, count(*), strftime(max(time), '%Y-%m-%dT%H:%M:%SZ')
FROM e
WHERE p1 <> '' OR p2 <> ''
GROUP BY s1, p1, s2, p2
ORDER BY s1, p1, s2, p2`

func run(ctx context.Context, path, fromText, toText string) (*figures.Figures, error) {
	from, err := time.Parse(time.RFC3339, fromText)
	if err != nil {
		return nil, err
	}
	to, err := time.Parse(time.RFC3339, toText)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// Temp tables and settings belong to one connection.
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// Row order means nothing to these aggregates; keeping it would make
	// the load into the temporary table single-threaded.
	for _, set := range []string{"SET TimeZone = 'UTC'", "SET preserve_insertion_order = false"} {
		if _, err := c.ExecContext(ctx, set); err != nil {
			return nil, err
		}
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf(load, quote(path))); err != nil {
		return nil, fmt.Errorf("read_json: %w", err)
	}
	if _, err := c.ExecContext(ctx, syncs, from, to); err != nil {
		return nil, err
	}
	f := figures.Unset()
	if err := c.QueryRowContext(ctx, counts, from, to).Scan(&f.Records, &f.InWindow); err != nil {
		return nil, fmt.Errorf("counts: %w", err)
	}
	if err := c.QueryRowContext(ctx, users, from, to).Scan(&f.Emails, &f.Usernames); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	if err := c.QueryRowContext(ctx, entities).Scan(&f.Syncs, &f.Entities, &f.EntityTypes); err != nil {
		return nil, fmt.Errorf("entities: %w", err)
	}
	rows, err := c.QueryContext(ctx, pairs)
	if err != nil {
		return nil, fmt.Errorf("pairs: %w", err)
	}
	defer rows.Close()
	f.ProjectPairs = []figures.ProjectPair{}
	for rows.Next() {
		var p figures.ProjectPair
		if err := rows.Scan(&p.System1, &p.Project1, &p.System2, &p.Project2, &p.Syncs, &p.LastSynced); err != nil {
			return nil, err
		}
		f.ProjectPairs = append(f.ProjectPairs, p)
	}
	return &f, rows.Err()
}

// quote makes a SQL string literal; read_json takes no bound parameters.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
