package source

import (
	"math/rand/v2"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

// decodeCSV decodes data (lines 2.. of "t.csv") under header.
func decodeCSV(t *testing.T, opts DecodeOptions, header, data string) *collector {
	t.Helper()
	c := &Chunk{Input: &Input{Name: "t.csv", Format: FormatCSV}, Data: []byte(data), FirstLine: 2, Header: []byte(header)}
	return decodeChunk(t, FormatCSV, opts, c)
}

type csvCase struct {
	name   string
	header string
	row    string
	want   func(r *record.Record)
}

func runCSVCases(t *testing.T, opts DecodeOptions, tests []csvCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := decodeCSV(t, opts, tt.header, tt.row)
			if len(col.rejects) != 0 || len(col.recs) != 1 {
				t.Fatalf("got %d records, rejects %+v; want one record", len(col.recs), col.rejects)
			}
			exp := want(func(r *record.Record) {
				r.Source, r.Line = "t.csv", 2
				if tt.want != nil {
					tt.want(r)
				}
			})
			if diff := diffRecord(col.recs[0], exp); diff != "" {
				t.Errorf("%s / %s%s", tt.header, tt.row, diff)
			}
		})
	}
}

func TestCSVFields(t *testing.T) {
	runCSVCases(t, DecodeOptions{KeepProps: true}, []csvCase{
		{"every field",
			"time,kind,system,project,entity_type,entity_id,peer_system,peer_project,peer_entity_type,peer_entity_id," +
				"integration,integration_status,integration_updated,outcome,action,category,count,duration,session," +
				"email,username,display_name,first_name,last_name,company,user_id,interaction,service_account,customer,plan",
			"2026-03-03T10:15:00Z,sync,Jira Cloud,PROJ,Bug,PROJ-12,Azure DevOps,Web,Issue,4711,jira-ado,active," +
				"1767225600,error,comment,collab,3.0,1h,s1,John@Corp.com,jdoe,John Doe,John,Doe,Corp,u-1,mention,YES,acme,pro",
			func(r *record.Record) {
				r.Kind = record.KindSync
				r.System, r.Project, r.EntityType, r.EntityID = "Jira Cloud", "PROJ", "Bug", "PROJ-12"
				r.PeerSystem, r.PeerProject, r.PeerEntityType, r.PeerEntityID = "Azure DevOps", "Web", "Issue", "4711"
				r.Integration, r.IntegrationStatus, r.IntegrationUpdated = "jira-ado", record.StatusActive, 1767225600e9
				r.Outcome, r.Action, r.Category = record.OutcomeFailure, "comment", "collab"
				r.Count, r.Duration, r.HasDuration, r.Session = 3, 3600, true, "s1"
				r.User = record.User{Email: "John@Corp.com", Username: "jdoe", DisplayName: "John Doe",
					FirstName: "John", LastName: "Doe", Company: "Corp", UserID: "u-1", ServiceAccount: true}
				r.Interaction, r.Customer, r.Plan = "mention", "acme", "pro"
			}},
		{"epoch digits", "time", "1772532900000", nil},
		{"trimmed and empty", "time,system,project", " 2026-03-03 10:15:00 ,  Jira , ", func(r *record.Record) { r.System = "Jira" }},
		{"quoted fields", "time,system,project,entity_id", `"2026-03-03T10:15:00Z","Jira, Cloud","say ""hi""",""`,
			func(r *record.Record) { r.System, r.Project = "Jira, Cloud", `say "hi"` }},
		{"quoted line breaks kept", "time,system", "1772532900,\"a\r\nb\nc\"", func(r *record.Record) { r.System = "a\r\nb\nc" }},
		{"bare quote inside a field is literal", "time,display_name", `1772532900,Jo "JD" Doe`,
			func(r *record.Record) { r.DisplayName = `Jo "JD" Doe` }},
		{"aliases are literal headers", "@timestamp,user.email,user.name,displayName,mail", "1772532900,a@x,jd,J D,b@x",
			func(r *record.Record) { r.Email, r.Username, r.DisplayName = "a@x", "jd", "J D" }},
		{"alias order independent of columns", "mail,user_email,ts,timestamp", "c@x,b@x,1,1772532900",
			func(r *record.Record) { r.Email = "b@x" }},
		{"empty canonical lets alias through", "email,time,mail", ",1772532900,c@x", func(r *record.Record) { r.Email = "c@x" }},
		{"type as kind", "time,type", "1772532900,Sync", func(r *record.Record) { r.Kind = record.KindSync }},
		{"type as action", "time,type", "1772532900,login", func(r *record.Record) { r.Action = "login" }},
		{"props columns", "time,props.os,browser,props.,users", "1772532900,linux,firefox,x,[]",
			func(r *record.Record) {
				r.Props = props("os", "linux", "browser", "firefox", "props.", "x", "users", "[]")
			}},
		{"empty props skipped", "time,os", "1772532900,  ", nil},
		{"duplicate header: first column wins", "time,system,system,time", "1772532900,A,B,junk",
			func(r *record.Record) { r.System = "A" }},
		{"empty header names ignored", "time,,x", "1772532900,a,b", func(r *record.Record) { r.Props = props("x", "b") }},
		{"header trimmed, BOM and CRLF", "\xEF\xBB\xBF time ,\"system\"\r\n", "1772532900,A", func(r *record.Record) { r.System = "A" }},
		{"quoted header with comma", `time,"a,b"`, "1772532900,x", func(r *record.Record) { r.Props = props("a,b", "x") }},
	})
	runCSVCases(t, DecodeOptions{}, []csvCase{
		{"props dropped unless kept", "time,os,props.x", "1772532900,linux,y", nil},
	})
}

func TestCSVMapping(t *testing.T) {
	m := Mapping{
		Fields:    map[string]string{"time": "Event Time", "username": "Login", "project": "repo.name"},
		Constants: map[string]string{"system": "GitHub"},
	}
	runCSVCases(t, DecodeOptions{Mapping: m, KeepProps: true}, []csvCase{
		{"mapped headers", "Event Time,Login,repo.name,system,time,login",
			"2026-03-03 10:15:00,octo,o/r,Jira,junk,other",
			func(r *record.Record) {
				r.Username, r.Project, r.System = "octo", "o/r", "GitHub"
				// The mapped fields' own names are unknown columns now.
				r.Props = props("time", "junk", "login", "other")
			}},
	})
}

func TestCSVRejects(t *testing.T) {
	tests := []struct {
		name, header, data string
		line               int64
		reason, detail     string
		raw                string
	}{
		{"too few columns", "time,system,project", "1772532900,A\n", 2, "wrong column count", "got 2, want 3", "1772532900,A"},
		{"too many columns", "time,system", "1772532900,A,B,C\r\n", 2, "wrong column count", "got 4, want 2", "1772532900,A,B,C"},
		{"unclosed quote", "time,system", "1772532900,\"A\n1772532900,B\n", 2, "unbalanced quote", "quoted field not closed", "1772532900,\"A\n1772532900,B\n"},
		{"text after quote", "time,system", "1772532900,\"A\"B\r\n", 2, "unbalanced quote", "text after a closing quote", "1772532900,\"A\"B"},
		{"missing time", "time,system", ",A", 2, "missing time", "", ",A"},
		{"no time column", "system", "A", 2, "missing time", "", "A"},
		{"bad time", "time", "03/03/2026", 2, "invalid time", "03/03/2026", "03/03/2026"},
		{"bad count", "time,count", "1772532900,-2", 2, "invalid count", "-2", "1772532900,-2"},
		{"bad duration", "time,duration", "1772532900,forever", 2, "invalid duration", "forever", "1772532900,forever"},
		{"bad outcome", "time,outcome", "1772532900,meh", 2, "invalid outcome", "meh", "1772532900,meh"},
		{"bad kind", "time,kind", "1772532900,batch", 2, "invalid kind", "batch", "1772532900,batch"},
		{"bad status", "time,integration_status", "1772532900,on", 2, "invalid integration_status", "on", "1772532900,on"},
		{"bad service_account", "time,service_account", "1772532900,maybe", 2, "invalid service_account", "maybe", "1772532900,maybe"},
		{"invalid UTF-8", "time,system", "1772532900,\xff", 2, "invalid UTF-8", "", "1772532900,\xff"},
		{"time out of range", "time", "1600-01-01 00:00:00", 2, "invalid time", "1600-01-01 00:00:00 (outside the years 1678-2261)", "1600-01-01 00:00:00"},
		// NUL is valid UTF-8, but a record holding one is corrupt.
		{"NUL byte", "time,system", "1772532900,a\x00b", 2, "NUL byte", "at byte 13 of the record (a UTF-16 file?)", "1772532900,a\x00b"},
		{"zero-filled tail", "time,system", "\x00\x00\x00", 2, "NUL byte", "at byte 1 of the record (a UTF-16 file?)", "\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := decodeCSV(t, DecodeOptions{}, tt.header, tt.data)
			if len(col.recs) != 0 || len(col.rejects) != 1 {
				t.Fatalf("got %d records, %+v; want one reject", len(col.recs), col.rejects)
			}
			r := col.rejects[0]
			if r.Source != "t.csv" || r.Line != tt.line || r.Reason != tt.reason || r.Detail != tt.detail || string(r.Raw) != tt.raw {
				t.Errorf("reject = %q %d %q %q %q; want %d %q %q %q", r.Source, r.Line, r.Reason, r.Detail, r.Raw,
					tt.line, tt.reason, tt.detail, tt.raw)
			}
		})
	}
}

func TestCSVLines(t *testing.T) {
	data := "1772532900,A,x\r\n" + // 2
		"\r\n" + // 3: blank
		"  \t\n" + // 4: blank
		"1772532900,\"B\n\nB\",\"y\r\n\"\n" + // 5-8: quoted line breaks
		"1772532900,C\n" + // 9: too few columns
		",,\n" + // 10: a record with no time, not a blank line
		"1772532900,D,z" // 11: no final line end
	type loc struct {
		line int64
		what string
	}
	check := func(t *testing.T, col *collector, offset int64) {
		t.Helper()
		var got []loc
		for _, r := range col.recs {
			got = append(got, loc{r.Line, r.System})
		}
		for _, r := range col.rejects {
			got = append(got, loc{r.Line, r.Reason})
		}
		exp := []loc{{2, "A"}, {5, "B\n\nB"}, {11, "D"}, {9, "wrong column count"}, {10, "missing time"}}
		if len(got) != len(exp) {
			t.Fatalf("got %v, want %v", got, exp)
		}
		for i := range exp {
			exp[i].line += offset
			if got[i] != exp[i] {
				t.Errorf("item %d = %d %q, want %d %q", i, got[i].line, got[i].what, exp[i].line, exp[i].what)
			}
		}
	}
	t.Run("header given", func(t *testing.T) {
		c := &Chunk{Input: &Input{Name: "t.csv"}, Data: []byte(data), FirstLine: 2, Header: []byte("time,system,project")}
		check(t, decodeChunk(t, FormatCSV, DecodeOptions{}, c), 0)
	})
	t.Run("later chunk", func(t *testing.T) {
		c := &Chunk{Input: &Input{Name: "t.csv"}, Data: []byte(data), FirstLine: 102, Header: []byte("time,system,project")}
		check(t, decodeChunk(t, FormatCSV, DecodeOptions{}, c), 100)
	})
	t.Run("header in data", func(t *testing.T) {
		c := &Chunk{Input: &Input{Name: "t.csv"}, Data: []byte("\xEF\xBB\xBF \r\n\ntime,\"sys\ntem\",project\r\n" + data), FirstLine: 1}
		col := decodeChunk(t, FormatCSV, DecodeOptions{KeepProps: true}, c)
		for i, r := range col.recs {
			if len(r.Props) != 1 || r.Props[0].Key != "sys\ntem" {
				t.Fatalf("props %+v, want one named sys\\ntem", r.Props)
			}
			col.recs[i].System = r.Props[0].Value
		}
		check(t, col, 3) // two blank lines, and a header on two lines
	})
}

func TestCSVEmpty(t *testing.T) {
	for _, data := range []string{"", "\xEF\xBB\xBF", "\n \r\n", "time,system\n"} {
		c := &Chunk{Input: &Input{Name: "t.csv"}, Data: []byte(data), FirstLine: 1}
		if col := decodeChunk(t, FormatCSV, DecodeOptions{}, c); len(col.recs)+len(col.rejects) != 0 {
			t.Errorf("%q: got %+v, %+v; want nothing", data, col.recs, col.rejects)
		}
	}
}

// TestCSVHeaderCache decodes chunks of two inputs, interleaved, with one
// decoder: each chunk must be read under its own input's header.
func TestCSVHeaderCache(t *testing.T) {
	d, err := NewDecoder(FormatCSV, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := &Input{Name: "a.csv"}
	b := &Input{Name: "b.csv"}
	chunks := []*Chunk{
		{Input: a, Header: []byte("time,system"), Data: []byte("1772532900,A1\n"), FirstLine: 2},
		{Input: b, Header: []byte("system,time"), Data: []byte("B1,1772532900\n"), FirstLine: 2},
		{Input: a, Header: []byte("time,system"), Data: []byte("1772532900,A2\n"), FirstLine: 3},
		{Input: b, Header: []byte("system,time"), Data: []byte("B2,1772532900\n"), FirstLine: 3},
		// Same input, new header bytes: parsed anew, never served stale.
		{Input: b, Header: []byte("project,time"), Data: []byte("P,1772532900\n"), FirstLine: 4},
	}
	col := &collector{}
	for _, c := range chunks {
		if _, _, err := d.Decode(c, col, col.reject); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, r := range col.recs {
		got = append(got, r.Source+":"+r.System+r.Project)
	}
	exp := []string{"a.csv:A1", "b.csv:B1", "a.csv:A2", "b.csv:B2", "b.csv:P"}
	if len(col.rejects) != 0 || len(got) != len(exp) {
		t.Fatalf("got %q, rejects %+v; want %q", got, col.rejects, exp)
	}
	for i := range exp {
		if got[i] != exp[i] {
			t.Errorf("record %d = %q, want %q", i, got[i], exp[i])
		}
	}
}

func TestUnquotedEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("ab,\n\"\r\x00\xff\x2b\x2d\x0b\x0c")
	for range 20000 {
		data := make([]byte, r.IntN(40))
		for i := range data {
			data[i] = alphabet[r.IntN(len(alphabet))]
		}
		start := r.IntN(len(data) + 1)
		want := start
		for want < len(data) && data[want] != ',' && data[want] != '\n' {
			want++
		}
		if got := unquotedEnd(data, start); got != want {
			t.Fatalf("unquotedEnd(%q, %d) = %d, want %d", data, start, got, want)
		}
	}
}
