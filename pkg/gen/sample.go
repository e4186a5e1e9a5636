package gen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// SampleFile is one file of the bundled sample.
type SampleFile struct {
	Name string
	Data []byte // as written to disk: gzip'd when Name ends in .gz
}

// SampleAsOf is the as-of the sample's README figures are computed for
// (--as-of 2026-11-22: the end of that day in UTC).
var SampleAsOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// Sample builds the small hand-checked data set kept in testdata/sample:
// four systems, a few hundred records over the fourteen months before
// 2026-11-22, in gzip'd JSONL, plain JSONL and CSV, holding every identity
// edge case of spec 02-identity.md, the sync cases of spec
// 03-usage-reports-zip.md and three malformed lines. testdata/sample/README.md
// lists where each case is and the figures the reports must show.
//
// Records are written in time order within each file; malformed lines sit
// at fixed places. Changing anything here moves line numbers and figures:
// update the README with it.
func Sample() ([]SampleFile, error) {
	var b sampleBuilder
	files := []sampleSpec{
		{name: "github-events.jsonl", lines: b.githubEvents()},
		{name: "jira-ado-activity.jsonl.gz", lines: b.jiraADOActivity()},
		{name: "jira-ado-sync.jsonl.gz", lines: b.jiraADOSync()},
		{name: "jira-servicenow-sync.csv", csv: syncColumns, lines: b.jiraServiceNowSync()},
		{name: "servicenow-activity.csv", csv: activityColumns, lines: b.serviceNowActivity()},
	}
	if b.err != nil {
		return nil, b.err
	}
	out := make([]SampleFile, 0, len(files))
	for _, f := range files {
		data, err := f.encode()
		if err != nil {
			return nil, fmt.Errorf("sample %s: %w", f.name, err)
		}
		out = append(out, SampleFile{Name: f.name, Data: data})
	}
	return out, nil
}

// WriteSample writes the sample's files into dir, creating it if needed.
func WriteSample(dir string) error {
	files, err := Sample()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Time bands of the sample, relative to SampleAsOf: the 6-month window
// starts 2026-05-23, the 1-year window 2025-11-23. No record comes near
// those edges, so the figures do not hang on how the edges are drawn.
var (
	bandRecent = [2]string{"2026-05-27", "2026-11-20"} // in both windows
	bandYear   = [2]string{"2025-11-27", "2026-05-15"} // in the 1-year window only
	bandOld    = [2]string{"2025-09-02", "2025-11-14"} // in no window
)

// timeFmt is how a line spells its time; the decoders accept them all.
type timeFmt uint8

const (
	tfRFC3339   timeFmt = iota // 2026-06-10T09:15:00Z
	tfOffset                   // 2026-06-10T11:15:00+02:00
	tfFraction                 // 2026-06-10T09:15:00.512Z
	tfSpace                    // 2026-06-10 09:15:00 (UTC)
	tfEpoch                    // 1781082900 (a JSON number, or digits in CSV)
	tfEpochMsec                // 1781082900000
)

type sfield struct {
	k, v string
	raw  bool // a JSON literal (true, a number, an array)
}

type sline struct {
	t      time.Time
	tf     timeFmt
	fields []sfield
	// verbatim, when set, is written as is: a malformed line. It goes
	// after the record at index at of the time-sorted records.
	verbatim string
	at       int
}

type sampleSpec struct {
	name  string
	csv   []string // CSV columns; nil for JSONL
	lines []sline
}

func (s *sampleSpec) encode() ([]byte, error) {
	var recs, bad []sline
	for _, l := range s.lines {
		if l.verbatim != "" || l.t.IsZero() {
			bad = append(bad, l)
		} else {
			recs = append(recs, l)
		}
	}
	slices.SortStableFunc(recs, func(a, b sline) int { return a.t.Compare(b.t) })
	var buf bytes.Buffer
	if s.csv != nil {
		buf.WriteString(strings.Join(s.csv, ",") + "\n")
	}
	for i, l := range recs {
		if s.csv != nil {
			if err := l.appendCSV(&buf, s.csv); err != nil {
				return nil, err
			}
		} else {
			l.appendJSON(&buf)
		}
		for _, v := range bad {
			if v.at == i {
				buf.WriteString(v.verbatim + "\n")
			}
		}
	}
	if !strings.HasSuffix(s.name, ".gz") {
		return buf.Bytes(), nil
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Name = strings.TrimSuffix(s.name, ".gz")
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

// timeText spells the line's time; number is true for epoch times, which
// JSON writes as numbers.
func (l *sline) timeText() (text string, number bool) {
	t := l.t.UTC()
	switch l.tf {
	case tfOffset:
		return t.In(time.FixedZone("", 2*3600)).Format(time.RFC3339), false
	case tfFraction:
		return t.Format(time.RFC3339Nano), false
	case tfSpace:
		return t.Format(time.DateTime), false
	case tfEpoch:
		return strconv.FormatInt(t.Unix(), 10), true
	case tfEpochMsec:
		return strconv.FormatInt(t.UnixMilli(), 10), true
	}
	return t.Format(time.RFC3339), false
}

func (l *sline) appendJSON(buf *bytes.Buffer) {
	text, number := l.timeText()
	if number {
		buf.WriteString(`{"time":` + text)
	} else {
		buf.WriteString(`{"time":"` + text + `"`)
	}
	for _, f := range l.fields {
		buf.WriteString(`,"` + f.k + `":`)
		if f.raw {
			buf.WriteString(f.v)
		} else {
			buf.Write(appendQuoted(nil, f.v))
		}
	}
	buf.WriteString("}\n")
}

func (l *sline) appendCSV(buf *bytes.Buffer, cols []string) error {
	row := make([]string, len(cols))
	row[0], _ = l.timeText()
	for _, f := range l.fields {
		i := slices.Index(cols, f.k)
		if i < 0 {
			return fmt.Errorf("field %q has no CSV column", f.k)
		}
		row[i] = f.v
	}
	for i, v := range row {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(appendCSVField(nil, v))
	}
	buf.WriteByte('\n')
	return nil
}

var activityColumns = []string{
	"time", "system", "project", "action", "category", "count", "duration", "session",
	"email", "username", "display_name", "first_name", "last_name", "company", "user_id",
	"interaction", "customer", "plan",
}

var syncColumns = []string{
	"time", "kind", "system", "project", "entity_type", "entity_id",
	"peer_system", "peer_project", "peer_entity_type", "peer_entity_id",
	"integration", "integration_status", "integration_updated", "outcome", "action",
	"email", "username", "service_account", "interaction",
}

// sampleBuilder keeps the first error of the record constructors, so the
// tables below read as data.
type sampleBuilder struct{ err error }

// at parses "2026-06-10 09:15", with optional seconds and fraction (UTC).
func (b *sampleBuilder) at(s string) time.Time {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout = "2006-01-02 15:04:05.999"
	}
	t, err := time.Parse(layout, s)
	if err != nil && b.err == nil {
		b.err = err
	}
	return t
}

const (
	jira   = "Jira Cloud"
	ado    = "Azure DevOps"
	snow   = "ServiceNow"
	github = "GitHub"
)

func f(k, v string) sfield { return sfield{k: k, v: v} }

// u names a user; empty values are left out.
func u(email, username, display string) []sfield {
	var out []sfield
	for _, kv := range [...]sfield{f("email", email), f("username", username), f("display_name", display)} {
		if kv.v != "" {
			out = append(out, kv)
		}
	}
	return out
}

var svcFlag = sfield{k: "service_account", v: "true", raw: true}

// act is an activity record; category and interaction come from the
// system's action table.
func (b *sampleBuilder) act(when, sys, project, action string, who []sfield, extra ...sfield) sline {
	l := sline{t: b.at(when)}
	l.fields = append(l.fields, f("system", sys), f("project", project), f("action", action))
	known := false
	for _, k := range systemKinds {
		for _, a := range k.actions {
			if k.name == sys && a.name == action {
				l.fields = append(l.fields, f("category", a.category))
				who = append(slices.Clip(who), f("interaction", a.interaction))
				known = true
			}
		}
	}
	if !known && b.err == nil {
		b.err = fmt.Errorf("sample: %s has no action %q", sys, action)
	}
	l.fields = append(l.fields, who...)
	l.fields = append(l.fields, extra...)
	return l
}

// end is one end of a sync; an empty id is an end without an entity id.
type end struct{ sys, project, typ, id string }

func (b *sampleBuilder) sync(when string, from, to end, integration string, extra ...sfield) sline {
	l := sline{t: b.at(when)}
	l.fields = []sfield{f("kind", "sync"), f("system", from.sys), f("project", from.project)}
	add := func(k, v string) {
		if v != "" {
			l.fields = append(l.fields, f(k, v))
		}
	}
	add("entity_type", from.typ)
	add("entity_id", from.id)
	add("peer_system", to.sys)
	add("peer_project", to.project)
	add("peer_entity_type", to.typ)
	add("peer_entity_id", to.id)
	add("integration", integration)
	l.fields = append(l.fields, extra...)
	if !slices.ContainsFunc(extra, func(kv sfield) bool { return kv.k == "action" }) {
		l.fields = append(l.fields, f("action", "sync"))
	}
	return l
}

func withTime(l sline, tf timeFmt) sline {
	l.tf = tf
	return l
}

// usersJSON builds a users array; each element is a list of fields.
func usersJSON(elems ...[]sfield) sfield {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for j, kv := range e {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(`"` + kv.k + `":`)
			buf.Write(appendQuoted(nil, kv.v))
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(']')
	return sfield{k: "users", v: buf.String(), raw: true}
}

// bgPerson is one of the background people: ordinary users with one email
// and one username everywhere, active in some systems and time bands.
type bgPerson struct {
	first, last, email, username string
	systems                      string // letters: J(ira) A(DO) S(erviceNow) G(itHub)
	bands                        string // letters: R(ecent) Y(ear) O(ld)
}

var background = []bgPerson{
	{"Liam", "Turner", "liam.turner@acme.example", "lturner", "JAG", "RY"},
	{"Emma", "Walsh", "emma.walsh@acme.example", "ewalsh", "JA", "RY"},
	{"Noah", "Patel", "noah.patel@acme.example", "npatel", "JS", "RY"},
	{"Ava", "Martin", "ava.martin@acme.example", "amartin", "J", "RY"},
	{"Lucas", "Garcia", "lucas.garcia@globex.example", "lgarcia", "AG", "RY"},
	{"Mia", "Rossi", "mia.rossi@acme.example", "mrossi", "JSG", "RY"},
	{"Ethan", "Brooks", "ethan.brooks@acme.example", "ebrooks", "A", "RY"},
	{"Chloé", "Dubois", "chloe.dubois@acme.example", "cdubois", "JAS", "RY"},
	{"Oscar", "Nilsen", "oscar.nilsen@acme.example", "onilsen", "JG", "R"},
	{"Priya", "Nair", "priya.nair@globex.example", "pnair", "A", "R"},
	{"Hana", "Sato", "hana.sato@initech.example", "", "S", "R"},
	{"Owen", "Price", "owen.price@acme.example", "oprice", "JA", "Y"},
	{"Isla", "Grant", "isla.grant@acme.example", "igrant", "J", "Y"},
	{"Felix", "Wong", "", "fwong", "G", "Y"},
	{"Ruby", "Khan", "ruby.khan@acme.example", "rkhan", "JA", "O"},
	{"Leo", "Novak", "leo.novak@acme.example", "", "S", "O"},
}

// backgroundLines makes four activity records per background person,
// system letter and band: Jira and Azure DevOps see email, username and
// display name; ServiceNow email and display name; GitHub the username.
func (b *sampleBuilder) backgroundLines(system byte) []sline {
	var out []sline
	for pi, p := range background {
		if !strings.ContainsRune(p.systems, rune(system)) {
			continue
		}
		for _, band := range p.bands {
			var span [2]string
			switch band {
			case 'R':
				span = bandRecent
			case 'Y':
				span = bandYear
			default:
				span = bandOld
			}
			from, to := b.at(span[0]+" 00:00"), b.at(span[1]+" 00:00")
			days := int(to.Sub(from).Hours() / 24)
			for j := range 4 {
				// Spread over the band; each system a day apart.
				day := from.AddDate(0, 0, days*(2*j+1)/8+pi%5+strings.IndexByte("JASG", system))
				when := day.Format("2006-01-02") + fmt.Sprintf(" %02d:%02d", 8+(pi+3*j)%9, (pi*7+j*13)%60)
				out = append(out, b.backgroundRecord(system, p, pi, j, when))
			}
		}
	}
	return out
}

func (b *sampleBuilder) backgroundRecord(system byte, p bgPerson, pi, j int, when string) sline {
	display := p.first + " " + p.last
	dom := domains[0]
	for _, d := range domains {
		if strings.HasSuffix(p.email, "@"+d.name) {
			dom = d
		}
	}
	var extra []sfield
	if j == 0 && system == 'J' {
		extra = append(extra, f("first_name", p.first), f("last_name", p.last), f("company", dom.company))
	}
	switch (pi + j) % 4 {
	case 0:
		extra = append(extra, sfield{k: "count", v: strconv.Itoa(2 + pi%3), raw: true})
	case 1:
		extra = append(extra, f("session", fmt.Sprintf("s-%04x%04x", pi*977+j, j*31+7)))
	case 2:
		extra = append(extra, sfield{k: "duration", v: strconv.Itoa(30 + 45*pi + 7*j), raw: true})
	}
	if system == 'S' || j == 1 {
		extra = append(extra, f("customer", dom.customer), f("plan", dom.plan))
	}
	switch system {
	case 'J':
		acts := []string{"issue_update", "comment", "transition", "login"}
		projects := []string{"PAY", "WEB", "SUP"}
		return b.act(when, jira, projects[pi%len(projects)], acts[(pi+j)%len(acts)], u(p.email, p.username, display), extra...)
	case 'A':
		acts := []string{"work_item_update", "commit", "pull_request", "login"}
		projects := []string{"Payments Platform", "Web Portal"}
		return b.act(when, ado, projects[pi%len(projects)], acts[(pi+j)%len(acts)], u(p.email, p.username, display), extra...)
	case 'S':
		acts := []string{"incident_update", "comment", "approve", "knowledge_view"}
		return b.act(when, snow, "IT Service Desk", acts[(pi+j)%len(acts)], u(p.email, "", display), extra...)
	}
	acts := []string{"push", "pull_request", "issue_comment", "review"}
	return b.act(when, github, "acme/web-portal", acts[(pi+j)%len(acts)], u("", p.username, ""), extra...)
}

// props are the kind of extra properties a desktop client adds.
func props(os, version, country string) sfield {
	return sfield{k: "props", raw: true,
		v: `{"os":"` + os + `","version":"` + version + `","country":"` + country + `","license_type":"enterprise"}`}
}

func (b *sampleBuilder) githubEvents() []sline {
	ls := b.backgroundLines('G')
	ls = append(ls,
		// E2: username only, joins alice's class-1 identity (key asmith).
		b.act("2026-07-02 13:40", github, "acme/payments-api", "pull_request", u("", "asmith", "")),
		// E4: email only, a second class-2 identity bob@globex.example.
		b.act("2026-08-24 10:10", github, "acme/web-portal", "issue_comment", u("bob@globex.example", "", "")),
		// E7: username-only dave joins the class-3 identity of "Dave O".
		b.act("2026-07-13 15:25", github, "acme/web-portal", "push", u("", "dave", "")),
		b.act("2026-10-05 09:05", github, "acme/web-portal", "push", u("", "dave", "")),
		b.act("2026-11-02 16:45", github, "acme/web-portal", "review", u("", "Dave", "")),
		// E7: display name "Dave" only: its own class-3 identity (display
		// names never meet usernames).
		b.act("2026-08-20 11:30", github, "acme/web-portal", "issue_comment", u("", "", "Dave")),
		// E8: username-only erin, with case variants in two systems.
		b.act("2026-06-15 14:00", github, "acme/mobile-app", "push", u("", "erin", "")),
		b.act("2026-03-09 10:20", github, "acme/mobile-app", "push", u("", "Erin", "")),
		// E9: username kim.park is the local part of a class-1 email.
		withTime(b.act("2026-09-15 08:00", github, "acme/web-portal", "scan_upload", u("", "kim.park", "")), tfEpoch),
		// E13c: anonymous (a user id only), 1-year window only.
		b.act("2026-03-02 12:00", github, "acme/web-portal", "push", []sfield{f("user_id", "8812731")}),
		// A CI upload naming nobody at all: not an observation.
		b.act("2026-07-20 03:15", github, "acme/web-portal", "scan_upload", nil, props("Ubuntu 24.04", "4.2.1", "US")),
		// E16b: an invalid email (empty domain) dropped; username-only remains.
		b.act("2026-08-27 17:50", github, "acme/payments-api", "push", u("ghopper@", "ghopper", "")),
		// E19: the last second before as-of counts; as-of itself and later do not.
		b.act("2026-11-22 23:59:59", github, "acme/web-portal", "push", u("", "tara", "")),
		b.act("2026-11-23 00:00", github, "acme/web-portal", "push", u("", "quinn", "")),
		b.act("2026-12-01 09:00", github, "acme/web-portal", "push", u("", "zoe", "")),
		// Syncs GitHub <-> Jira Cloud, no integration status, no users.
		b.sync("2026-07-22 09:00", end{github, "acme/web-portal", "Issue", "acme/web-portal#12"}, end{jira, "WEB", "Story", "WEB-230"}, "github-jira"),
		b.sync("2026-08-05 09:00", end{github, "acme/web-portal", "Issue", "acme/web-portal#15"}, end{jira, "WEB", "Story", "WEB-231"}, "github-jira"),
		b.sync("2026-08-05 09:02", end{jira, "WEB", "Story", "WEB-231"}, end{github, "acme/web-portal", "Issue", "acme/web-portal#15"}, "github-jira"),
		// WEB-201 also syncs with Azure DevOps 5201: a second entity.
		b.sync("2026-09-10 14:30", end{jira, "WEB", "Task", "WEB-201"}, end{github, "acme/web-portal", "Issue", "acme/web-portal#20"}, "github-jira"),
	)
	// A record with an epoch-milliseconds time.
	ls[0].tf = tfEpochMsec
	ls = append(ls,
		sline{verbatim: `{"time":"2026-08-14T10:00:00Z","kind":"activity","system":"GitHub","project":"acme/web-portal","action":"push","username":"broken`, at: 30},
		sline{verbatim: "", at: 40}, // a blank line: neither record nor reject
	)
	return ls
}

func (b *sampleBuilder) jiraADOActivity() []sline {
	ls := b.backgroundLines('J')
	ls = append(ls, b.backgroundLines('A')...)
	ls = append(ls,
		// E1: jdoe@ + john.doe and john.doe@ + JDOE: one class-1 identity.
		b.act("2026-06-10 09:15", jira, "PAY", "comment", u("jdoe@acme.example", "john.doe", "John Doe")),
		b.act("2026-09-14 16:20", jira, "PAY", "issue_update", u("jdoe@acme.example", "john.doe", "John Doe")),
		b.act("2026-02-11 10:00", jira, "PAY", "comment", u("jdoe@acme.example", "john.doe", "John Doe")),
		withTime(b.act("2026-07-08 14:03:27.512", ado, "Payments Platform", "commit", u("john.doe@acme.example", "JDOE", "John Doe"),
			sfield{k: "duration", v: "1260", raw: true}), tfFraction),
		// E2: one email, username asmith in Jira and alice in ADO: duplicates.
		withTime(b.act("2026-06-03 09:20", jira, "WEB", "create", u("alice@acme.example", "asmith", "Alice Smith"),
			props("macOS 15", "4.2.1", "DE")), tfOffset),
		b.act("2026-10-01 11:45", jira, "WEB", "comment", u("alice@acme.example", "asmith", "Alice Smith")),
		b.act("2026-08-19 15:10", ado, "Web Portal", "pull_request", u("ALICE@acme.example", "alice", "Alice Smith")),
		// E3: class 1 whose username mikeb is the local part of a
		// ServiceNow email-only observation.
		b.act("2026-07-21 10:30", jira, "SUP", "transition", u("mbrown@acme.example", "mikeb", "Mike Brown")),
		b.act("2026-01-20 10:30", jira, "SUP", "comment", u("mbrown@acme.example", "mikeb", "Mike Brown")),
		// E5: class 1 with display name "Carol King".
		b.act("2026-06-17 13:00", jira, "WEB", "issue_update", u("carol@acme.example", "carol", "Carol King")),
		b.act("2026-10-22 13:00", jira, "WEB", "comment", u("carol@acme.example", "carol", "Carol King")),
		// E6: two class-1 users named "Sam Lee".
		b.act("2026-08-04 10:00", jira, "PAY", "comment", u("sam.lee@acme.example", "slee", "Sam Lee")),
		b.act("2026-09-02 10:00", ado, "Payments Platform", "work_item_update", u("samuel.lee@globex.example", "samlee", "Sam Lee")),
		// E8: username only, upper case.
		b.act("2026-10-06 08:30", ado, "Web Portal", "commit", u("", "ERIN", "")),
		// E9: class 1 kim.park@ + kpark.
		b.act("2026-07-15 12:00", jira, "WEB", "comment", u("kim.park@acme.example", "kpark", "Kim Park")),
		// E10: class 1 mei.chen@ + mchen.
		b.act("2026-06-24 09:00", jira, "SUP", "issue_update", u("mei.chen@acme.example", "mchen", "Mei Chen")),
		// E11: display name only; joins the class-2 identity olivia.w@.
		b.act("2026-09-23 15:00", jira, "SUP", "comment", u("", "", "OLIVIA WILDE")),
		// E12: Henry Ford's class-1 observations are 6 to 12 months old.
		b.act("2026-01-13 09:00", jira, "PAY", "issue_update", u("henry.ford@acme.example", "hford", "Henry Ford")),
		b.act("2026-03-17 09:00", jira, "PAY", "comment", u("henry.ford@acme.example", "hford", "Henry Ford")),
		// E13a: anonymous: a user id names nobody.
		b.act("2026-08-26 11:00", jira, "PAY", "view", []sfield{f("user_id", "557058:0a1b2c3d")}),
		// E18a: a username that contains @ is a username, never an email.
		b.act("2026-10-13 10:00", ado, "Web Portal", "work_item_update", u("", "nina.k@globex.example", "")),
		// Older than a year: in no window.
		b.act("2025-10-07 10:00", jira, "LEG", "issue_update", u("victor.hale@acme.example", "vhale", "Victor Hale")),
	)
	return ls
}

func (b *sampleBuilder) jiraADOSync() []sline {
	pay := func(id, typ string) end { return end{jira, "PAY", typ, id} }
	payADO := func(id, typ string) end { return end{ado, "Payments Platform", typ, id} }
	web := func(id, typ string) end { return end{jira, "WEB", typ, id} }
	webADO := func(id, typ string) end { return end{ado, "Web Portal", typ, id} }
	mob := func(id string) end { return end{jira, "MOB", "Epic", id} }
	mobADO := func(id string) end { return end{ado, "Mobile App", "Feature", id} }
	bot := u("integration-bot@acme.example", "integration-bot", "")
	botSvc := append(slices.Clip(bot), svcFlag)
	status := func(s string) sfield { return f("integration_status", s) }
	updated := func(s string) sfield { return f("integration_updated", s) }
	outcome := func(s string) sfield { return f("outcome", s) }
	const prod, webInt, mobile, legacy = "jira-ado-prod", "jira-ado-web", "jira-ado-mobile", "jira-ado-legacy"
	with := func(l sline, extra ...sfield) sline {
		l.fields = append(l.fields, extra...)
		return l
	}
	ls := []sline{
		// PAY <-> Payments Platform, in the last 6 months.
		with(b.sync("2026-06-02 10:00", pay("PAY-101", "Bug"), payADO("4101", "Bug"), prod, status("active"), updated("2026-03-10T09:00:00Z")), botSvc...),
		with(b.sync("2026-06-02 10:05", payADO("4101", "Bug"), pay("PAY-101", "Bug"), prod, outcome("ok")), bot...),
		with(b.sync("2026-06-16 11:00", pay("PAY-102", "Story"), payADO("4102", "User Story"), prod, outcome("failure")), bot...),
		with(b.sync("2026-06-16 11:30", pay("PAY-102", "Story"), payADO("4102", "User Story"), prod, outcome("success")), bot...),
		with(b.sync("2026-07-01 09:00", pay("PAY-103", "Bug"), payADO("4103", "Bug"), prod), botSvc...),
		with(b.sync("2026-07-29 16:00", payADO("4104", "User Story"), pay("PAY-104", "Story"), prod, outcome("Succeeded")), bot...),
		// E17a: a users array next to the record's own user.
		with(b.sync("2026-08-12 10:00", pay("PAY-105", "Bug"), payADO("4105", "Bug"), prod), append(slices.Clip(botSvc), usersJSON(
			[]sfield{f("email", "alice@acme.example"), f("username", "asmith"), f("interaction", "mapped_field")},
			[]sfield{f("username", "JDOE"), f("system", ado), f("interaction", "comment")},
			[]sfield{f("display_name", "Paul Young"), f("interaction", "mention"), f("time", "2026-02-17T10:00:00Z")},
		))...),
		// E17b: a users array and no user of its own.
		with(b.sync("2026-08-26 14:00", payADO("4106", "User Story"), pay("PAY-106", "Story"), prod), usersJSON(
			[]sfield{f("email", "emma.walsh@acme.example"), f("username", "ewalsh"), f("interaction", "creator"), f("project", "Web Portal")},
			[]sfield{f("email", "chloe.dubois@acme.example"), f("username", "cdubois"), f("interaction", "mapped_field")},
		)),
		with(b.sync("2026-09-09 09:00", pay("PAY-107", "Bug"), payADO("4107", "Bug"), prod), botSvc...),
		with(b.sync("2026-09-30 09:00", pay("PAY-108", "Story"), payADO("4108", "User Story"), prod, status("active"), updated("2026-09-01T08:30:00Z")), bot...),
		// One end only: the ADO item does not exist yet.
		with(b.sync("2026-10-14 09:00", pay("PAY-120", "Bug"), payADO("", "Bug"), prod), bot...),
		// Failed and never succeeded: not synced.
		with(b.sync("2026-10-21 09:00", pay("PAY-130", "Bug"), payADO("4130", "Bug"), prod, outcome("error")), bot...),
		// No entity id on either end: each record counts once.
		with(b.sync("2026-11-04 09:00", end{jira, "PAY", "", ""}, end{ado, "Payments Platform", "", ""}, prod, f("action", "field_mapping_sync")), bot...),
		with(b.sync("2026-11-18 09:00", end{jira, "PAY", "", ""}, end{ado, "Payments Platform", "", ""}, prod, f("action", "field_mapping_sync")), bot...),
		with(b.sync("2026-11-20 10:05", pay("PAY-101", "Bug"), payADO("4101", "Bug"), prod), bot...),
		// After as-of: in no report, its status included.
		with(b.sync("2026-11-25 09:00", pay("PAY-101", "Bug"), payADO("4101", "Bug"), prod, status("inactive"), updated("2026-11-24T09:00:00Z")), bot...),
		// PAY, 6 to 12 months ago.
		with(b.sync("2025-12-03 09:00", pay("PAY-090", "Bug"), payADO("4090", "Bug"), prod), bot...),
		with(b.sync("2026-01-14 09:00", payADO("4091", "User Story"), pay("PAY-091", "Story"), prod), bot...),
		with(b.sync("2026-02-18 09:00", pay("PAY-092", "Bug"), payADO("4092", "Bug"), prod), bot...),
		with(b.sync("2026-03-25 09:00", pay("PAY-101", "Bug"), payADO("4101", "Bug"), prod), bot...),
		with(b.sync("2026-04-22 09:00", end{jira, "PAY", "", ""}, end{ado, "Payments Platform", "", ""}, prod, f("action", "field_mapping_sync")), bot...),
		with(b.sync("2026-05-13 09:00", pay("PAY-093", "Bug"), payADO("4093", "Bug"), prod, outcome("failed")), bot...),
		// PAY, more than a year ago.
		with(b.sync("2025-09-16 09:00", pay("PAY-050", "Bug"), payADO("4050", "Bug"), prod), bot...),
		// WEB <-> Web Portal: no integration status anywhere.
		with(b.sync("2026-06-09 09:00", web("WEB-201", "Task"), webADO("5201", "Task"), webInt), bot...),
		with(b.sync("2026-07-14 09:00", web("WEB-202", "Task"), webADO("5202", "Task"), webInt), bot...),
		with(b.sync("2026-08-18 09:00", webADO("5203", "Task"), web("WEB-203", "Task"), webInt), bot...),
		with(b.sync("2026-09-22 09:00", webADO("5220", "Bug"), web("", "Bug"), webInt), bot...),
		with(b.sync("2026-11-20 15:40", web("WEB-204", "Task"), webADO("5204", "Task"), webInt), bot...),
		with(b.sync("2026-02-25 09:00", web("WEB-190", "Task"), webADO("5190", "Task"), webInt), bot...),
		// MOB <-> Mobile App: 6 to 12 months ago only, last status inactive.
		with(b.sync("2025-12-10 09:00", mob("MOB-11"), mobADO("6011"), mobile, status("active")), bot...),
		with(b.sync("2026-01-21 09:00", mob("MOB-12"), mobADO("6012"), mobile), bot...),
		with(b.sync("2026-03-04 09:00", mobADO("6013"), mob("MOB-13"), mobile), bot...),
		with(b.sync("2026-04-08 09:00", mob("MOB-14"), mobADO("6014"), mobile, status("inactive"), updated("2026-04-01T12:00:00Z")), bot...),
		// LEG <-> Legacy CRM: more than a year ago.
		with(b.sync("2025-10-01 09:00", end{jira, "LEG", "Improvement", "LEG-1"}, end{ado, "Legacy CRM", "Issue", "7001"}, legacy), bot...),
		with(b.sync("2025-10-29 09:00", end{jira, "LEG", "Improvement", "LEG-2"}, end{ado, "Legacy CRM", "Issue", "7002"}, legacy), bot...),
	}
	for i := range ls {
		ls[i].fields = append(ls[i].fields, f("interaction", "mapped_field"))
	}
	return ls
}

func (b *sampleBuilder) jiraServiceNowSync() []sline {
	inc := func(id string) end { return end{snow, "IT Service Desk", "Incident", id} }
	chg := func(id string) end { return end{snow, "Change Management", "Change Request", id} }
	bug := func(id string) end { return end{jira, "SUP", "Bug", id} }
	story := func(id string) end { return end{jira, "SUP", "Story", id} }
	const bridge = "snow-bridge"
	svc := []sfield{f("email", "svc-snow@acme.example"), f("username", "svc-snow"), f("interaction", "mapped_field")}
	with := func(l sline, extra ...sfield) sline {
		l.fields = append(l.fields, extra...)
		l.fields = append(l.fields, svc...)
		return l
	}
	ls := []sline{
		with(b.sync("2026-06-05 10:00", inc("INC0010001"), bug("SUP-1"), bridge), f("integration_status", "active"), f("integration_updated", "2026-05-30T16:00:00Z")),
		with(b.sync("2026-06-05 10:01", bug("SUP-1"), inc("INC0010001"), bridge)),
		with(b.sync("2026-06-26 10:00", inc("INC0010002"), bug("SUP-2"), bridge)),
		with(b.sync("2026-07-09 10:00", chg("CHG0030001"), story("SUP-7"), bridge), f("integration_status", "active")),
		with(b.sync("2026-07-17 10:00", inc("INC0010003"), bug("SUP-3"), bridge)),
		with(b.sync("2026-08-07 10:00", inc("INC0010004"), bug("SUP-4"), bridge), f("outcome", "failed")),
		with(b.sync("2026-08-07 10:20", inc("INC0010004"), bug("SUP-4"), bridge), f("outcome", "success")),
		with(b.sync("2026-09-04 10:00", inc("INC0010005"), bug("SUP-5"), bridge)),
		with(b.sync("2026-10-02 10:00", inc("INC0010010"), bug(""), bridge)),
		with(b.sync("2026-10-16 10:00", inc("INC0010011"), bug("SUP-11"), bridge), f("outcome", "error")),
		// A sync that names no peer system: a data-quality problem.
		with(b.sync("2026-10-30 10:00", inc("INC0010020"), end{}, bridge)),
		with(b.sync("2026-11-06 10:00", chg("CHG0030002"), story("SUP-8"), bridge), f("integration_status", "inactive")),
		with(b.sync("2026-11-13 10:00", inc("INC0010006"), bug("SUP-6"), bridge), f("integration_status", "active")),
		// 6 to 12 months ago.
		with(b.sync("2025-12-17 10:00", inc("INC0009001"), bug("SUP-901"), bridge)),
		with(b.sync("2026-02-04 10:00", inc("INC0009002"), bug("SUP-902"), bridge)),
		with(b.sync("2026-04-15 10:00", bug("SUP-903"), inc("INC0009003"), bridge)),
		// More than a year ago.
		with(b.sync("2025-10-21 10:00", inc("INC0008001"), bug("SUP-801"), bridge)),
		// A row with one field too many.
		{verbatim: "2026-09-18T11:00:00Z,sync,ServiceNow,IT Service Desk,Incident,INC0010012,Jira Cloud,SUP,Bug,SUP-12,snow-bridge,,,,sync,svc-snow@acme.example,svc-snow,,mapped_field,EXTRA", at: 11},
	}
	return ls
}

func (b *sampleBuilder) serviceNowActivity() []sline {
	ls := b.backgroundLines('S')
	ls = append(ls,
		// E3: email only; its local part mikeb is a class-1 username.
		b.act("2026-08-11 09:30", snow, "IT Service Desk", "comment", u("mikeb@globex.example", "", "")),
		// E4: email only with a case variant: one class-2 identity.
		b.act("2026-06-22 10:05", snow, "IT Service Desk", "incident_update", u("bob@initech.example", "", "")),
		b.act("2026-09-28 10:05", snow, "IT Service Desk", "comment", u("BOB@initech.example", "", "")),
		// E5: display name only, extra inner space; joins Carol King.
		b.act("2026-07-27 14:00", snow, "IT Service Desk", "approve", u("", "", "carol  king")),
		// E6: display name shared by two class-1 users: ambiguous.
		b.act("2026-08-18 10:00", snow, "IT Service Desk", "comment", u("", "", "Sam Lee")),
		b.act("2026-10-20 10:00", snow, "IT Service Desk", "incident_update", u("", "", "SAM LEE")),
		// E7: username and display name, no email: class 3.
		b.act("2026-06-29 15:00", snow, "Change Management", "approve", u("", "dave", "Dave O")),
		b.act("2026-09-08 15:00", snow, "Change Management", "comment", u("", "", "dave o")),
		// E10: username and display name of a class-1 user.
		b.act("2026-07-06 11:00", snow, "IT Service Desk", "comment", u("", "mchen", "Mei Chen")),
		// E11: email and display name, no username: class 2.
		b.act("2026-06-12 09:00", snow, "IT Service Desk", "create", u("olivia.w@globex.example", "", "Olivia Wilde")),
		b.act("2026-10-27 09:00", snow, "IT Service Desk", "comment", u("olivia.w@globex.example", "", "Olivia Wilde")),
		// E12: display name only; Henry Ford's class-1 records are older.
		b.act("2026-08-31 16:00", snow, "IT Service Desk", "incident_update", u("", "", "Henry Ford")),
		// E13b: anonymous: first name and company only.
		b.act("2026-09-16 12:00", snow, "Facilities", "create", []sfield{f("first_name", "Guest"), f("company", "Initech")}),
		// E16a: not an email; the display name remains.
		b.act("2026-07-30 10:00", snow, "IT Service Desk", "comment", u("frank.miller(at)acme.example", "", "Frank Miller")),
		// E18b: email nina.k@ (class 2); the display name needs CSV quoting.
		b.act("2026-10-09 13:00", snow, "IT Service Desk", "incident_update", u("Nina.K@globex.example", "", "Kowalski, Nina")),
		// A malformed time.
		sline{verbatim: "last Tuesday,ServiceNow,IT Service Desk,comment,collaboration,,,,ghost.user@acme.example,,Ghost User,,,,,comment,,", at: 20},
	)
	// ServiceNow exports write "YYYY-MM-DD HH:MM:SS"; a few rows carry
	// other spellings.
	for i := range ls {
		ls[i].tf = tfSpace
	}
	ls[1].tf = tfRFC3339
	ls[2].tf = tfEpoch
	ls[3].tf = tfOffset
	return ls
}
