package gen

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
)

func testConfig() Config {
	c := DefaultConfig()
	c.Bytes = 0
	c.Records = 5000
	c.People = 400
	c.Entities = 3000
	return c
}

func generate(t *testing.T, c Config) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Write(&buf, c)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes(), st
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteDeterministic(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		gzip   bool
	}{
		{"jsonl", JSONL, false},
		{"csv", CSV, false},
		{"jsonl.gz", JSONL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			c.Format, c.Gzip = tt.format, tt.gzip
			a, _ := generate(t, c)
			b, _ := generate(t, c)
			if !bytes.Equal(a, b) {
				t.Fatal("same config gave different bytes")
			}
			c.Seed++
			d, _ := generate(t, c)
			if bytes.Equal(a, d) {
				t.Fatal("different seeds gave the same bytes")
			}
		})
	}
}

func TestWriteSizeTarget(t *testing.T) {
	// A run stops at the first record end at or past the target, so it
	// overshoots by less than one record.
	const maxRecord = 2048
	tests := []struct {
		name   string
		format Format
		gzip   bool
		bytes  int64
	}{
		{"jsonl small", JSONL, false, 10_000},
		{"jsonl 3MB", JSONL, false, 3_000_000},
		{"csv 3MB", CSV, false, 3_000_000},
		{"jsonl.gz 2MiB", JSONL, true, 2 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			c.Records, c.Bytes = 0, tt.bytes
			c.Format, c.Gzip = tt.format, tt.gzip
			out, st := generate(t, c)
			if tt.gzip {
				out = gunzip(t, out)
			}
			if int64(len(out)) != st.Bytes {
				t.Errorf("Stats.Bytes = %d, output has %d", st.Bytes, len(out))
			}
			if st.Bytes < tt.bytes || st.Bytes >= tt.bytes+maxRecord {
				t.Errorf("wrote %d bytes for a target of %d", st.Bytes, tt.bytes)
			}
			lines := int64(bytes.Count(out, []byte("\n")))
			if tt.format == CSV {
				lines-- // header
			}
			if lines != st.Records {
				t.Errorf("Stats.Records = %d, output has %d records", st.Records, lines)
			}
		})
	}
}

func TestWriteRecordsTarget(t *testing.T) {
	for _, f := range []Format{JSONL, CSV} {
		c := testConfig()
		c.Records, c.Format = 1234, f
		out, st := generate(t, c)
		want := 1234
		if f == CSV {
			want++
		}
		if n := bytes.Count(out, []byte("\n")); n != want || st.Records != 1234 {
			t.Errorf("%v: %d lines, Stats.Records %d; want %d lines", f, n, st.Records, want)
		}
	}
}

// jsonRecord is what the tests read back from a generated line.
type jsonRecord struct {
	Time            string          `json:"time"`
	Kind            string          `json:"kind"`
	System          string          `json:"system"`
	Project         string          `json:"project"`
	EntityID        string          `json:"entity_id"`
	PeerSystem      string          `json:"peer_system"`
	PeerEntityID    string          `json:"peer_entity_id"`
	Outcome         string          `json:"outcome"`
	Email           string          `json:"email"`
	Username        string          `json:"username"`
	DisplayName     string          `json:"display_name"`
	UserID          string          `json:"user_id"`
	ServiceAccount  bool            `json:"service_account"`
	Count           *int            `json:"count"`
	IntegrationUpd  string          `json:"integration_updated"`
	Props           json.RawMessage `json:"props"`
	Users           []jsonRecord    `json:"users"`
	IntegrationStat string          `json:"integration_status"`
}

func readJSONL(t *testing.T, b []byte) []jsonRecord {
	t.Helper()
	var recs []jsonRecord
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r jsonRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v: %s", line, err, sc.Bytes())
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestJSONLValid(t *testing.T) {
	c := testConfig()
	c.Records = 20000
	out, _ := generate(t, c)
	from, to := c.AsOf.Add(-c.Span), c.AsOf
	var prev time.Time
	backwards := 0
	for i, r := range readJSONL(t, out) {
		ts, err := time.Parse(time.RFC3339, r.Time)
		if err != nil {
			t.Fatalf("record %d: time %q: %v", i+1, r.Time, err)
		}
		if ts.Before(from) || !ts.Before(to) {
			t.Fatalf("record %d: time %v outside [%v, %v)", i+1, ts, from, to)
		}
		if ts.Before(prev.Add(-12 * time.Hour)) {
			backwards++
		}
		prev = ts
		switch r.Kind {
		case "activity":
		case "sync":
			if r.System == "" || r.PeerSystem == "" || r.System == r.PeerSystem {
				t.Fatalf("record %d: sync between %q and %q", i+1, r.System, r.PeerSystem)
			}
		default:
			t.Fatalf("record %d: kind %q", i+1, r.Kind)
		}
		if r.Count != nil && *r.Count < 0 {
			t.Fatalf("record %d: negative count", i+1)
		}
		if r.IntegrationUpd != "" {
			u, err := time.Parse(time.RFC3339, r.IntegrationUpd)
			if err != nil || u.After(ts) {
				t.Fatalf("record %d: integration_updated %q after the record or invalid", i+1, r.IntegrationUpd)
			}
		}
		for _, u := range r.Users {
			if u.Email == "" && u.Username == "" && u.DisplayName == "" {
				t.Fatalf("record %d: users element names nobody", i+1)
			}
			if u.Time != "" {
				if _, err := time.Parse(time.RFC3339, u.Time); err != nil {
					t.Fatalf("record %d: element time %q: %v", i+1, u.Time, err)
				}
			}
		}
	}
	if backwards > 0 {
		t.Errorf("%d records go back in time by more than the jitter", backwards)
	}
}

func TestCSVColumns(t *testing.T) {
	c := testConfig()
	c.Format = CSV
	out, st := generate(t, c)
	cr := csv.NewReader(bytes.NewReader(out))
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(header, ",")+"\n", csvHeader; got != want {
		t.Fatalf("header = %q, want %q", got, want)
	}
	// The reader's default FieldsPerRecord (the header's length) makes a
	// row with another column count an error.
	rows := 0
	quoted := 0
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", rows+2, err)
		}
		rows++
		if _, err := time.Parse(time.RFC3339, row[0]); err != nil {
			t.Fatalf("row %d: time %q", rows+1, row[0])
		}
		if strings.Contains(row[21], ", ") {
			quoted++ // "Last, First" display names need quoting
		}
	}
	if int64(rows) != st.Records {
		t.Errorf("read %d rows, Stats.Records = %d", rows, st.Records)
	}
	if quoted == 0 {
		t.Error(`no "Last, First" display name: the quoting path is untested`)
	}
}

// isEmail is the spec's test: exactly one '@', non-empty local part and domain.
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1
}

func TestDistinctPeople(t *testing.T) {
	tests := []struct {
		name    string
		people  int
		records int64
	}{
		{"every person appears", 300, 3000},
		{"fewer records than people", 5000, 4000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			c.People, c.Records = tt.people, tt.records
			out, st := generate(t, c)
			emails := map[string]bool{}
			for _, r := range readJSONL(t, out) {
				for _, u := range append(r.Users, r) {
					e := strings.ToLower(u.Email)
					if isEmail(e) && !strings.HasPrefix(e, "svc-") {
						emails[e] = true
					}
				}
			}
			// Every fourth record names the next person in full, so
			// everyone appears once there are four records per person.
			wantMin := min(tt.people, int(tt.records/4))
			if len(emails) < wantMin || len(emails) > tt.people {
				t.Errorf("%d distinct emails, want between %d and %d", len(emails), wantMin, tt.people)
			}
			if st.People < len(emails) || st.People > tt.people {
				t.Errorf("Stats.People = %d with %d distinct emails and %d people", st.People, len(emails), tt.people)
			}
		})
	}
}

// TestRealism checks that the shapes the reports care about all occur, in
// roughly the proportions the generator aims at.
func TestRealism(t *testing.T) {
	c := testConfig()
	c.Records = 40000
	out, st := generate(t, c)
	var n struct {
		sync, failure, oneEnded, noIDs, svc, usersArr, emailCase, displayOnly, userOnly, anon, invalid, status int
	}
	perPerson := map[string]int{}
	for _, r := range readJSONL(t, out) {
		if r.Kind == "sync" {
			n.sync++
			switch strings.ToLower(r.Outcome) {
			case "failure", "failed", "error":
				n.failure++
			}
			switch {
			case r.EntityID == "" && r.PeerEntityID == "":
				n.noIDs++
			case r.EntityID == "" || r.PeerEntityID == "":
				n.oneEnded++
			}
			if r.IntegrationStat != "" {
				n.status++
			}
		}
		if r.ServiceAccount {
			n.svc++
		}
		if len(r.Users) > 0 {
			n.usersArr++
		}
		switch {
		case r.Email != "" && !isEmail(r.Email):
			n.invalid++
		case r.Email != "" && r.Email != strings.ToLower(r.Email):
			n.emailCase++
		case r.Email == "" && r.Username == "" && r.DisplayName != "":
			n.displayOnly++
		case r.Email == "" && r.Username != "" && r.DisplayName == "":
			n.userOnly++
		case r.Email == "" && r.Username == "" && r.DisplayName == "":
			n.anon++
		}
		if r.Email != "" {
			perPerson[strings.ToLower(r.Email)]++
		}
	}
	share := float64(n.sync) / float64(st.Records)
	if share < 0.37 || share > 0.43 {
		t.Errorf("sync share %.3f, want about %.2f", share, c.SyncShare)
	}
	if int64(n.sync) != st.SyncRecords {
		t.Errorf("Stats.SyncRecords = %d, counted %d", st.SyncRecords, n.sync)
	}
	for name, v := range map[string]int{
		"failures": n.failure, "one-ended syncs": n.oneEnded, "syncs without ids": n.noIDs,
		"service accounts": n.svc, "users arrays": n.usersArr, "email case variants": n.emailCase,
		"display-name-only": n.displayOnly, "username-only": n.userOnly, "anonymous": n.anon,
		"invalid emails": n.invalid, "integration statuses": n.status,
	} {
		if v == 0 {
			t.Errorf("no %s in %d records", name, st.Records)
		}
	}
	// Zipf-like: the busiest tenth of the people carry far more than a
	// tenth of the records.
	counts := make([]int, 0, len(perPerson))
	total := 0
	for _, v := range perPerson {
		counts = append(counts, v)
		total += v
	}
	top := 0
	for range len(counts) / 10 {
		best := 0
		for i, v := range counts {
			if v > counts[best] {
				best = i
			}
		}
		top += counts[best]
		counts[best] = -1
	}
	if share := float64(top) / float64(total); share < 0.25 {
		t.Errorf("top 10%% of people carry %.2f of the records, want a heavy head", share)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"no limit", func(c *Config) { c.Records, c.Bytes = 0, 0 }},
		{"negative bytes", func(c *Config) { c.Bytes = -1 }},
		{"no people", func(c *Config) { c.People = 0 }},
		{"no systems", func(c *Config) { c.Systems = 0 }},
		{"too many systems", func(c *Config) { c.Systems = maxSystems + 1 }},
		{"sync share above 1", func(c *Config) { c.SyncShare = 1.5 }},
		{"sync share NaN", func(c *Config) { c.SyncShare = zero / zero }},
		{"syncs with one system", func(c *Config) { c.Systems = 1 }},
		{"syncs without entities", func(c *Config) { c.Entities = 0 }},
		{"no as-of", func(c *Config) { c.AsOf = time.Time{} }},
		{"no span", func(c *Config) { c.Span = 0 }},
		{"span before 1970", func(c *Config) { c.Span = 100 * 365 * 24 * time.Hour }},
		{"bad format", func(c *Config) { c.Format = 9 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			tt.edit(&c)
			if _, err := Write(io.Discard, c); err == nil {
				t.Error("Write accepted an invalid config")
			}
		})
	}
	// The edge of what is allowed still works.
	c := testConfig()
	c.Systems, c.SyncShare, c.Projects, c.People, c.Records = 1, 0, 0, 1, 50
	if _, err := Write(io.Discard, c); err != nil {
		t.Errorf("one person, one system, no syncs: %v", err)
	}
	c = testConfig()
	c.Systems, c.Projects, c.Records = maxSystems, 200, 2000
	out, _ := generate(t, c)
	if !bytes.Contains(out, []byte(`"System 64"`)) {
		t.Error("64 systems: no record in the last one")
	}
}

var zero float64

func TestAppendTime(t *testing.T) {
	g := &generator{dayNum: -1}
	// Every day of four centuries around the 2000 leap-year rule, at a
	// time of day that moves, plus the edges of a day.
	var buf []byte
	start := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for d := int64(0); d < 146097+400; d++ {
		for _, sec := range []int64{0, (d * 7919) % 86400, 86399} {
			ts := start + d*86400 + sec
			buf = g.appendTime(buf[:0], ts)
			if want := time.Unix(ts, 0).UTC().Format(time.RFC3339); string(buf) != want {
				t.Fatalf("appendTime(%d) = %s, want %s", ts, buf, want)
			}
		}
	}
}

// TestTablesArePlain guards the encoders' fast path: no table string needs
// escaping in JSON or quoting in CSV, and every one is valid UTF-8 without
// surrounding space (the decoders would trim it).
func TestTablesArePlain(t *testing.T) {
	var all []string
	all = append(all, firstNames...)
	all = append(all, lastNames...)
	all = append(all, productWords...)
	all = append(all, jiraKeys...)
	all = append(all, serviceQueues...)
	all = append(all, elementInteractions...)
	all = append(all, propOS...)
	all = append(all, propVersion...)
	all = append(all, propCountry...)
	all = append(all, propLicense...)
	all = append(all, syncActions...)
	all = append(all, failSpelling...)
	for _, d := range domains {
		all = append(all, d.name, d.company, d.customer, d.plan)
	}
	for _, k := range append(systemKinds, genericKind) {
		all = append(all, k.name, k.slug)
		all = append(all, k.types...)
		for _, a := range k.actions {
			all = append(all, a.name, a.category, a.interaction)
		}
	}
	// Generated names: projects, integrations, service accounts.
	c := testConfig()
	c.Systems, c.Projects = maxSystems, 500
	g := newGenerator(&c)
	for _, s := range g.systems {
		all = append(all, s.name)
		all = append(all, s.projects...)
		all = append(all, s.keys...)
	}
	for _, p := range g.pairs {
		all = append(all, p.integration, p.svcEmail, p.svcUser)
	}
	for _, s := range all {
		if strings.ContainsAny(s, "\"\\,\r\n\t") || strings.TrimSpace(s) != s || !utf8.ValidString(s) {
			t.Errorf("table string %q needs escaping, quoting or trimming", s)
		}
		for _, c := range []byte(s) {
			if c < 0x20 {
				t.Errorf("table string %q has a control character", s)
			}
		}
	}
}

func TestCSVField(t *testing.T) {
	for _, s := range []string{"plain", `quo"te`, "new\nline", "Smith, John", "José Núñez", ""} {
		row := appendCSVField(nil, s)
		row = append(append(row, ",x"...), '\n')
		got, err := csv.NewReader(bytes.NewReader(row)).Read()
		if err != nil || len(got) != 2 || got[0] != s {
			t.Errorf("CSV %q: got %q, %v", s, got, err)
		}
	}
}

func TestVariants(t *testing.T) {
	p := &person{first: "José", last: "Núñez"}
	tests := []struct {
		in   string
		v    variant
		want string
	}{
		{"jose.nunez@acme.example", varCapital, "Jose.Nunez@Acme.Example"},
		{"jose.nunez@acme.example", varUpper, "JOSE.NUNEZ@ACME.EXAMPLE"},
		{"José Núñez", varLower, "josé núñez"},
		{"José Núñez", varDoubleSpace, "José  Núñez"},
		{"José Núñez", varLastFirst, "Núñez, José"},
		{"jnunez", varNone, "jnunez"},
	}
	for _, tt := range tests {
		if got := string(appendVariant(nil, tt.in, tt.v, p)); got != tt.want {
			t.Errorf("appendVariant(%q, %d) = %q, want %q", tt.in, tt.v, got, tt.want)
		}
	}
}
