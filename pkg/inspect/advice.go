package inspect

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/usagerep/usagerep/pkg/source"
)

// Advice is what inspect suggests about reading the input.
type Advice struct {
	// Canonical is true when the records read well as they are mapped now.
	Canonical bool     `json:"canonical"`
	Problems  []string `json:"problems"`
	// Profile is a built-in profile the sample fits, and why.
	Profile       string `json:"profile,omitempty"`
	ProfileReason string `json:"profile_reason,omitempty"`
	// Fields and Constants are a mapping guessed from the sample, when no
	// profile fits: a start for usagerep.yaml, to be checked by a person.
	Fields    map[string]string `json:"fields,omitempty"`
	Constants map[string]string `json:"constants,omitempty"`
	// Separator names the separator a CSV source seems to use instead of
	// commas ("';'", "tab", "'|'"), when one does: no mapping can help.
	Separator string `json:"separator,omitempty"`
	// AsOf is the newest record's date when that is more than staleAfter
	// before as-of: the --as-of reports need, as theirs defaults to now.
	AsOf string `json:"as_of,omitempty"`
}

// staleAfter is how old the newest record must be for the advice to give
// an --as-of: the default range of analytics, the shortest report's.
const staleAfter = 30 * 24 * time.Hour

// SystemPlaceholder stands for the system's name in a guessed mapping.
const SystemPlaceholder = "YOUR-SYSTEM"

// advise reads r, built from in, whose sources' samples merged are sample.
func advise(r *Report, in BuildInput, sample *Sample, paths map[string][]string) Advice {
	m, profile := in.Mapping, in.Profile
	a := Advice{Problems: []string{}, AsOf: staleAsOf(r.Time, in.AsOf, in.Location)}
	cov := func(field string) bool { return covered(sample, paths, m.Constants, field) }

	if r.Records == 0 {
		a.Problems = append(a.Problems, "no records were read")
	}
	if r.Records > 0 && r.Rejected*2 >= r.Records && len(r.Reasons) > 0 {
		a.Problems = append(a.Problems, fmt.Sprintf("%s of %s records were rejected, most for %q", group(r.Rejected), group(r.Records), r.Reasons[0].Reason))
	}
	switch {
	case r.Accepted > 0 && r.Users.WithoutUser*2 >= r.Accepted:
		a.Problems = append(a.Problems, fmt.Sprintf("%s of %s records name no user (no email, username or display name)", group(r.Users.WithoutUser), group(r.Accepted)))
	case r.Accepted == 0 && sample != nil && sample.Rows > 0 && !cov("email") && !cov("username") && !cov("display_name"):
		a.Problems = append(a.Problems, "the sampled records have no email, username or display name")
	}
	if r.Accepted > 0 && r.Systems.Missing == r.Accepted && m.Constants["system"] == "" {
		a.Problems = append(a.Problems, "no record names its system")
	}
	problems, sep := separatorProblems(in.Samples)
	a.Problems, a.Separator = append(a.Problems, problems...), sep
	a.Canonical = len(a.Problems) == 0

	// A header read as one column maps nothing real: no profile or guess.
	if sample == nil || sample.Rows == 0 || sep != "" {
		return a
	}
	if name, keys := fitProfile(sample); name != "" && name != profile && (!a.Canonical || (profile == "" && len(m.Fields) == 0)) {
		a.Profile = name
		a.ProfileReason = fmt.Sprintf("keys %s look like %s", strings.Join(keys, ", "), source.ProfileDescription(name))
		return a
	}
	if a.Canonical {
		return a
	}
	a.Fields, a.Constants = guessMapping(sample, paths, m, cov)
	return a
}

// staleAsOf is the date, in loc, of the newest record when that is more
// than staleAfter before asOf (none when asOf is zero).
func staleAsOf(span *Range, asOf time.Time, loc *time.Location) string {
	if span == nil || asOf.IsZero() || asOf.Sub(span.Last) <= staleAfter {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return span.Last.In(loc).Format(time.DateOnly)
}

// separatorProblems finds CSV sources whose header is one column holding
// another separator: a ';'- or tab-separated export (as European Excel and
// some tools write them), which RFC 4180 CSV reads as one field a line.
func separatorProblems(samples map[string]*Sample) (problems []string, separator string) {
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		s := samples[name]
		if s.Format != source.FormatCSV || len(s.Keys) != 1 {
			continue
		}
		header := s.Keys[0].Path
		for _, sep := range []struct{ char, name, mlr string }{{";", "';'", "semicolon"}, {"\t", "tab", "tab"}, {"|", "'|'", "pipe"}} {
			if strings.Contains(header, sep.char) {
				if len(header) > 60 {
					header = header[:57] + "..."
				}
				separator = sep.name
				problems = append(problems, fmt.Sprintf("%s: the CSV header is one column, %q: the file looks %s-separated, and usagerep reads comma-separated CSV (RFC 4180); convert it first, e.g. mlr --icsv --ifs %s --ocsv cat in.csv > out.csv",
					name, header, sep.name, sep.mlr))
				break
			}
		}
	}
	return problems, separator
}

// covered reports whether field has a value in at least half of the
// sampled records through the mapping's paths, or is a constant.
func covered(sample *Sample, paths map[string][]string, consts map[string]string, field string) bool {
	if strings.TrimSpace(consts[field]) != "" {
		return true
	}
	if sample == nil {
		return false
	}
	for _, p := range paths[field] {
		if k := sample.Key(p); k != nil && k.Rows > 0 && k.Rows*2 >= sample.Rows {
			return true
		}
	}
	return false
}

// fitProfile returns the built-in profile whose paths the sample has: its
// time path in nine records of ten, and three of four of its paths at all.
// keys are the top-level keys it matched on.
func fitProfile(sample *Sample) (name string, keys []string) {
	best := 0.0
	for _, n := range source.ProfileNames() {
		p, _ := source.Profile(n)
		tk := sample.Key(p.Fields["time"])
		if tk == nil || tk.Rows*10 < sample.Rows*9 {
			continue
		}
		var matched []string
		ps := slices.Sorted(maps.Values(p.Fields))
		ps = slices.Compact(ps)
		for _, path := range ps {
			if k := sample.Key(path); k != nil && k.Rows > 0 {
				top, _, _ := strings.Cut(path, ".")
				if !slices.Contains(matched, top) {
					matched = append(matched, top)
				}
			}
		}
		hits := 0
		for _, path := range ps {
			if k := sample.Key(path); k != nil && k.Rows > 0 {
				hits++
			}
		}
		if score := float64(hits) / float64(len(ps)); score >= 0.75 && score > best {
			best, name = score, n
			slices.Sort(matched)
			keys = matched
		}
	}
	return name, keys
}

// guessMapping picks, for each field that the sample does not cover, the
// source key that looks most like it, by name and by value.
func guessMapping(sample *Sample, paths map[string][]string, m source.Mapping, cov func(string) bool) (fields, consts map[string]string) {
	used := map[string]bool{}
	for _, ps := range paths {
		for _, p := range ps {
			if k := sample.Key(p); k != nil && k.Rows > 0 {
				used[p] = true // already feeds a field
			}
		}
	}
	fields = map[string]string{}
	// One user field is enough to name a user: once the mapping has one,
	// another is guessed only when its key's name says what it is.
	anyUser := cov("email") || cov("username") || cov("display_name")
	for _, g := range guessers {
		if cov(g.field) {
			continue
		}
		best := pick(sample, g, used)
		if best == "" || (isUserField(g.field) && anyUser && !g.strong(best)) {
			continue
		}
		fields[g.field], used[best] = best, true
	}
	if !cov("system") {
		consts = map[string]string{"system": SystemPlaceholder}
	}
	if len(fields) == 0 {
		fields = nil
	}
	return fields, consts
}

func isUserField(f string) bool { return f == "email" || f == "username" || f == "display_name" }

// guesser scores source keys as candidates for one field: score <= 0
// rules a key out.
type guesser struct {
	field string
	score func(k *KeyStat, t []string) int
	// strong says a key's name alone makes it the field.
	strongNames []string
}

func (g guesser) strong(path string) bool {
	return hasAny(tokens(path), g.strongNames...)
}

func pick(sample *Sample, g guesser, used map[string]bool) string {
	best, bestScore := "", 0
	for i := range sample.Keys {
		k := &sample.Keys[i]
		if used[k.Path] || k.Rows == 0 || k.Rows*2 < sample.Rows || k.Kind == "object" || k.Kind == "array" {
			continue
		}
		s := g.score(k, tokens(k.Path))
		if s <= 0 {
			continue
		}
		s = s*4 - strings.Count(k.Path, ".") // nested keys lose ties
		if s > bestScore {
			best, bestScore = k.Path, s
		}
	}
	return best
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

var timeWords = []string{"time", "timestamp", "date", "datetime", "when", "ts", "at", "created", "occurred"}

var guessers = []guesser{
	{field: "time", score: func(k *KeyStat, t []string) int {
		texty := k.Kind == "string" && k.Rows > 0 && k.Times*10 >= k.Rows*8
		numbery := k.Kind == "number" && hasAny(t, timeWords...)
		if !texty && !numbery {
			return 0
		}
		return 1 + 2*b2i(hasAny(t, timeWords...)) + b2i(hasAny(t, "created", "author", "event", "start", "occurred")) -
			2*b2i(hasAny(t, "updated", "modified", "later", "end", "committer", "deleted", "expires", "finished", "last"))
	}},
	{field: "email", strongNames: []string{"email", "mail"}, score: func(k *KeyStat, t []string) int {
		if k.Kind != "string" || k.Emails*10 < k.Rows*8 {
			return 0
		}
		return 1 + 2*b2i(hasAny(t, "email", "mail")) + b2i(hasAny(t, "author", "actor", "user", "owner", "creator", "reporter")) -
			b2i(hasAny(t, "committer", "assignee", "reviewer"))
	}},
	{field: "username", strongNames: []string{"login", "username", "handle"}, score: func(k *KeyStat, t []string) int {
		if k.Kind != "string" || k.Emails*2 > k.Rows || k.Times > 0 {
			return 0
		}
		if hasAny(t, "id", "ip", "agent", "type", "count", "url", "email", "mail", "chars", "avatar", "gravatar") {
			return 0
		}
		if hasAny(t, "name") && !hasAny(t, "user") {
			return 0 // author_name is a display name
		}
		score := 3*b2i(hasAny(t, "login", "username", "handle")) +
			2*b2i(len(t) == 1 && hasAny(t, "user", "actor", "author", "account", "owner", "creator")) +
			b2i(hasAny(t, "user", "actor", "author", "account", "owner", "creator"))
		return score
	}},
	{field: "display_name", strongNames: []string{"display", "fullname"}, score: func(k *KeyStat, t []string) int {
		if k.Kind != "string" || k.Emails*2 > k.Rows || k.Times > 0 {
			return 0
		}
		if !hasAny(t, "name", "display", "fullname") {
			return 0
		}
		if hasAny(t, "project", "repo", "repository", "page", "file", "city", "country", "region", "host", "app",
			"channel", "org", "organization", "team", "branch", "event", "type", "space", "workspace", "company",
			"first", "last", "given", "family", "surname", "system", "product", "group") {
			return 0
		}
		return 1 + 2*b2i(hasAny(t, "display", "full", "fullname")) + b2i(hasAny(t, "author", "actor", "user", "owner", "creator")) -
			b2i(hasAny(t, "committer"))
	}},
	{field: "project", score: func(k *KeyStat, t []string) int {
		if k.Kind != "string" || hasAny(t, "id", "url", "count", "key") {
			return 0
		}
		return 3*b2i(hasAny(t, "project", "repo", "repository")) + 2*b2i(hasAny(t, "space", "workspace", "channel")) +
			b2i(hasAny(t, "board"))
	}},
	{field: "action", score: func(k *KeyStat, t []string) int {
		if k.Kind != "string" || hasAny(t, "id", "count", "ref", "time", "date", "at", "url") {
			return 0
		}
		if !hasAny(t, "event", "action", "type", "operation", "activity", "verb", "method") {
			return 0
		}
		return 1 + 2*b2i(len(t) == 1) + b2i(hasAny(t, "event", "action"))
	}},
	{field: "service_account", score: func(k *KeyStat, t []string) int {
		if k.Kind != "bool" {
			return 0
		}
		return b2i(hasAny(t, "robot", "bot", "service", "svc", "automated"))
	}},
}

func hasAny(t []string, words ...string) bool {
	for _, w := range words {
		if slices.Contains(t, w) {
			return true
		}
	}
	return false
}

// tokens splits a key into lower-case words: "actor.display_login" is
// actor, display, login; "isRobot" is is, robot.
func tokens(path string) []string {
	var out []string
	var cur []rune
	prevLower := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range path {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			prevLower = false
			continue
		}
		if unicode.IsUpper(r) && prevLower {
			flush()
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		cur = append(cur, unicode.ToLower(r))
	}
	flush()
	return out
}

// group writes 1234567 as 1,234,567.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + group(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
