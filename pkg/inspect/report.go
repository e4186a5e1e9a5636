package inspect

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/source"
)

// Report is everything inspect says about its inputs.
type Report struct {
	Inputs  []Input   `json:"inputs"`
	Skipped []Skipped `json:"skipped,omitempty"`
	// Bytes is the on-disk size read.
	Bytes    int64 `json:"bytes"`
	Records  int64 `json:"records"` // read, good or rejected
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected"`
	// Reasons are the reject reasons, most frequent first.
	Reasons  []Reason  `json:"reject_reasons"`
	Time     *Range    `json:"time_range,omitempty"`
	Syncs    int64     `json:"sync_records"`
	Failures int64     `json:"failed_records"`
	Systems  Values    `json:"systems"`
	Projects Values    `json:"projects"`
	Actions  Values    `json:"actions"`
	Users    Users     `json:"users"`
	Fields   []Field   `json:"fields"`
	Unmapped []Unknown `json:"unmapped_fields"`
	// Properties are the members of records' props objects.
	Properties []Unknown `json:"properties"`
	// Profile and Mapping are the field mapping the records were read with.
	Profile string         `json:"profile,omitempty"`
	Mapping source.Mapping `json:"mapping"`
	Advice  Advice         `json:"advice"`
	Limits  Limits         `json:"limits"`
}

// Input is one input named on the command line (or found in a directory).
type Input struct {
	Name string `json:"name"`
	Size int64  `json:"size"` // bytes on disk; -1 when unknown (a pipe)
	// Bundle is tar or zip for a bundle; Format the record format of a
	// data file (jsonl or csv).
	Bundle      string   `json:"bundle,omitempty"`
	Format      string   `json:"format,omitempty"`
	Compression []string `json:"compression,omitempty"`
	Records     int64    `json:"records"`
	Rejected    int64    `json:"rejected"`
	Members     []Member `json:"members,omitempty"`
}

// Member is one data stream read inside a bundle.
type Member struct {
	Name        string   `json:"name"`
	Format      string   `json:"format,omitempty"`
	Compression []string `json:"compression,omitempty"`
	Records     int64    `json:"records"`
	Rejected    int64    `json:"rejected"`
}

// Skipped is a file or member that was not read.
type Skipped struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Reason is one reject reason.
type Reason struct {
	Reason   string     `json:"reason"`
	Records  int64      `json:"records"`
	Examples []Location `json:"examples"`
}

// Range is the span of the records' times.
type Range struct {
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Values are the distinct values of one field.
type Values struct {
	Distinct int `json:"distinct"`
	// More says that Distinct is a floor: values past Limits.Distinct
	// were counted in OtherRecords only.
	More         bool    `json:"more"`
	OtherRecords int64   `json:"other_records,omitempty"`
	Missing      int64   `json:"records_without"`
	Top          []Count `json:"top"`
}

// Count is one value and its records.
type Count struct {
	Value   string `json:"value"`
	Records int64  `json:"records"`
}

// Users says who the records name.
type Users struct {
	// Resolved is true when the identities were resolved
	// (identity.Resolve) over every distinct observation; false when
	// there were more than Limits.Observations of them.
	Resolved     bool `json:"resolved"`
	Observations int  `json:"distinct_observations"`
	// MoreObservations says Observations is a floor.
	MoreObservations bool         `json:"more_observations"`
	Identities       int          `json:"identities"`
	ByClass          []ClassCount `json:"by_class"`
	Ambiguous        int          `json:"ambiguous"`
	ServiceAccounts  int          `json:"service_accounts"`
	// InvalidEmails counts email values that are not emails (dropped).
	InvalidEmails int64 `json:"invalid_emails"`
	// WithoutUser counts records that name nobody: no email, username or
	// display name in their fields or users[].
	WithoutUser int64 `json:"records_without_user"`
	// RecordsWithUsers counts records with a users[] array.
	RecordsWithUsers int64 `json:"records_with_users_array"`
}

// ClassCount is one identity class: the users resolved in it, and the
// observations whose fields put them in it.
type ClassCount struct {
	Class        string `json:"class"`
	Users        int    `json:"users"`
	Observations int64  `json:"observation_records"`
}

// Field is a canonical field and how often records had it.
type Field struct {
	Name    string  `json:"name"`
	Records int64   `json:"records"`
	Rate    float64 `json:"rate"`
	// From is the source key it was read from in the sample, when that is
	// not its own name.
	From string `json:"from,omitempty"`
	// Constant is its value when the mapping sets it for every record.
	Constant string `json:"constant,omitempty"`
}

// Unknown is a source field that feeds no canonical field (kept as a
// property), or a member of props.
type Unknown struct {
	Name     string   `json:"name"`
	Records  int64    `json:"records"`
	Rate     float64  `json:"rate"`
	Examples []string `json:"examples,omitempty"`
	// Keys are the keys inside it, when it is an object (from the sample).
	Keys []string `json:"keys,omitempty"`
}

// File is a top-level input as planned: its path and size on disk.
type File struct {
	Name string
	Size int64
}

// Build is what Build needs.
type BuildInput struct {
	Files   []File
	Stats   source.Stats
	Forced  source.Format // the --input-format, FormatAuto for none
	Counter *Counter      // the workers' Counters, merged
	Samples map[string]*Sample
	Rejects *RejectLog
	Profile string
	Mapping source.Mapping
	// ServiceAccounts are the service-account patterns for Resolve.
	ServiceAccounts []string
	// Top is how many values of each kind are listed.
	Top int
	// AsOf is the reports' "now" and Location their zone, for the advice's
	// --as-of (none when AsOf is zero).
	AsOf     time.Time
	Location *time.Location
}

// Build assembles the report.
func Build(in BuildInput) *Report {
	c := in.Counter
	r := &Report{
		Bytes:   in.Stats.Bytes,
		Profile: in.Profile,
		Mapping: in.Mapping,
		Limits:  c.limits,
		Reasons: []Reason{},
	}
	r.Inputs = buildInputs(in.Files, in.Stats, in.Forced)
	for _, s := range in.Stats.Skipped {
		r.Skipped = append(r.Skipped, Skipped(s))
	}
	r.Records, r.Rejected = in.Stats.Totals()
	r.Accepted = c.records
	r.Reasons = buildReasons(in.Stats, in.Rejects)
	if span := in.Stats.Span; span.Any {
		r.Time = &Range{First: time.Unix(0, span.Oldest).UTC(), Last: time.Unix(0, span.Newest).UTC()}
	}
	r.Syncs, r.Failures = c.syncs, c.failures
	top := cmp.Or(in.Top, 10)
	r.Systems = values(c.systems, top)
	r.Projects = values(c.projects, top)
	r.Actions = values(c.actions, top)
	r.Users = buildUsers(c, in.ServiceAccounts)

	sample := mergeSamples(in.Samples)
	paths, _ := source.FieldPaths(in.Mapping) // the mapping was checked before the scan
	r.Fields = buildFields(c, sample, paths, in.Mapping.Constants)
	r.Unmapped, r.Properties = buildUnknown(c, sample)
	r.Advice = advise(r, in, sample, paths)
	return r
}

func rate(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return math.Round(float64(n)/float64(of)*10000) / 10000
}

func buildInputs(files []File, st source.Stats, forced source.Format) []Input {
	out := make([]Input, 0, len(files))
	srcs := st.Sources
	for _, f := range files {
		d := source.Describe(f.Name, forced)
		in := Input{Name: f.Name, Size: f.Size, Bundle: d.Bundle, Compression: d.Compression}
		if d.Bundle == "" {
			in.Format = formatName(d.Format)
		}
		// Sources come in input order: this file's, then the next one's.
		for len(srcs) > 0 && (srcs[0].Name == f.Name || strings.HasPrefix(srcs[0].Name, f.Name+":")) {
			s := srcs[0]
			srcs = srcs[1:]
			in.Records += s.Records
			in.Rejected += s.Rejected
			if s.Name == f.Name {
				continue
			}
			md := source.Describe(s.Name, forced)
			in.Members = append(in.Members, Member{
				Name: strings.TrimPrefix(s.Name, f.Name+":"), Format: formatName(md.Format),
				Compression: md.Compression, Records: s.Records, Rejected: s.Rejected,
			})
		}
		out = append(out, in)
	}
	return out
}

func formatName(f source.Format) string {
	if f == source.FormatAuto {
		return ""
	}
	return f.String()
}

func buildReasons(st source.Stats, log *RejectLog) []Reason {
	by := map[string]int64{}
	for _, s := range st.Sources {
		for reason, n := range s.Reasons {
			by[reason] += n
		}
	}
	out := make([]Reason, 0, len(by))
	for reason, n := range by {
		ex := []Location{}
		if log != nil {
			ex = append(ex, log.Examples(reason)...)
		}
		out = append(out, Reason{Reason: reason, Records: n, Examples: ex})
	}
	slices.SortFunc(out, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), strings.Compare(a.Reason, b.Reason))
	})
	return out
}

func values(d *distinct, top int) Values {
	v := Values{Distinct: len(d.m), More: d.over, OtherRecords: d.other, Missing: d.missing, Top: []Count{}}
	for i, e := range d.sorted() {
		if i == top {
			break
		}
		v.Top = append(v.Top, Count{Value: e.key, Records: e.n})
	}
	return v
}

func buildUsers(c *Counter, patterns []string) Users {
	o := c.obs
	u := Users{
		Observations:     len(o.set),
		MoreObservations: o.over,
		InvalidEmails:    o.invalid,
		WithoutUser:      c.withoutWho,
		RecordsWithUsers: c.withUsers,
	}
	classes := []identity.Class{identity.ClassUsernameOrEmail, identity.ClassEmail, identity.ClassDisplayName, identity.ClassUsername}
	users := map[identity.Class]int{}
	if !o.over {
		u.Resolved = true
		res := identity.Resolve(o.list(), identity.Options{ServiceAccountPatterns: patterns})
		u.Identities = len(res.Identities)
		for _, id := range res.Identities {
			users[id.Class]++
			if id.Ambiguous {
				u.Ambiguous++
			}
			if id.ServiceAccount {
				u.ServiceAccounts++
			}
		}
	}
	for _, cl := range classes {
		u.ByClass = append(u.ByClass, ClassCount{Class: cl.Name(), Users: users[cl], Observations: o.byClass[cl]})
	}
	return u
}

func buildFields(c *Counter, sample *Sample, paths map[string][]string, consts map[string]string) []Field {
	out := []Field{}
	for i, fi := range source.Fields() {
		n := c.present[i]
		if fi.Name == "users" {
			n = c.withUsers
		}
		f := Field{Name: fi.Name, Records: n, Rate: rate(n, c.records)}
		if v, ok := consts[fi.Name]; ok {
			f.Constant = strings.TrimSpace(v)
			f.Records, f.Rate = c.records, rate(c.records, c.records)
		}
		if f.Records == 0 {
			continue
		}
		if f.Constant == "" && sample != nil {
			for _, p := range paths[fi.Name] {
				if sample.Key(p) != nil {
					if p != fi.Name {
						f.From = p
					}
					break
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// buildUnknown splits the records' properties into unmapped source
// fields and members of props, which the sample tells apart.
func buildUnknown(c *Counter, sample *Sample) (unmapped, props []Unknown) {
	unmapped, props = []Unknown{}, []Unknown{}
	for _, e := range c.props.sorted() {
		u := Unknown{Name: e.key, Records: e.n, Rate: rate(e.n, c.records)}
		inProps := false
		if sample != nil {
			k := sample.Key(e.key)
			if k == nil {
				if k = sample.Key("props." + e.key); k != nil {
					inProps = true
				}
			}
			if k != nil {
				u.Examples = k.Examples
			} else {
				u.Keys = sample.keysUnder(e.key, 20)
			}
		}
		if inProps {
			props = append(props, u)
		} else {
			unmapped = append(unmapped, u)
		}
	}
	return unmapped, props
}

// mergeSamples joins the samples of all sources, in name order, into one.
func mergeSamples(samples map[string]*Sample) *Sample {
	if len(samples) == 0 {
		return nil
	}
	names := make([]string, 0, len(samples))
	for n := range samples {
		names = append(names, n)
	}
	slices.Sort(names)
	out := &Sample{}
	index := map[string]int{}
	for _, n := range names {
		s := samples[n]
		out.Rows += s.Rows
		out.Broken += s.Broken
		if out.Format == source.FormatAuto {
			out.Format = s.Format
		}
		for _, k := range s.Keys {
			i, ok := index[k.Path]
			if !ok {
				index[k.Path] = len(out.Keys)
				k.Examples = slices.Clone(k.Examples)
				out.Keys = append(out.Keys, k)
				continue
			}
			m := &out.Keys[i]
			m.Rows += k.Rows
			m.Times += k.Times
			m.Emails += k.Emails
			for _, ex := range k.Examples {
				if len(m.Examples) < 2 && !slices.Contains(m.Examples, ex) {
					m.Examples = append(m.Examples, ex)
				}
			}
		}
	}
	return out
}

// keysUnder lists up to n keys nested in the object at path.
func (s *Sample) keysUnder(path string, n int) []string {
	var out []string
	for _, k := range s.Keys {
		if rest, ok := strings.CutPrefix(k.Path, path+"."); ok && len(out) < n {
			out = append(out, rest)
		}
	}
	return out
}
