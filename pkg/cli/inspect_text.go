package cli

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/usagerep/usagerep/pkg/inspect"
)

// Listing caps of the text report; --json lists everything.
const (
	maxMembersShown = 20
	maxFieldsShown  = 25
)

// errWriter keeps the first write error, so rendering code can print
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// writeInspectText writes the report for a person. args are the inputs as
// given, for the commands it suggests.
func writeInspectText(w io.Writer, r *inspect.Report, o termOut, args []string) error {
	ew := &errWriter{w: w}
	p := func(format string, a ...any) { fmt.Fprintf(ew, format, a...) }
	table := func(rows func(tw io.Writer)) { writeTable(ew, rows) }

	p("%s %s, %s\n", o.bold("Inputs:"), plural(len(r.Inputs), "input"), humanBytes(r.Bytes))
	table(func(tw io.Writer) {
		for _, in := range r.Inputs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", in.Name, humanBytes(in.Size), describeInput(in), recordCounts(in.Records, in.Rejected))
			for i, m := range in.Members {
				if i == maxMembersShown {
					fmt.Fprintf(tw, "    … and %d more members\t\t\t\n", len(in.Members)-i)
					break
				}
				fmt.Fprintf(tw, "    %s\t\t%s\t%s\n", m.Name, joinWhat(m.Format, m.Compression), recordCounts(m.Records, m.Rejected))
			}
		}
		for _, s := range r.Skipped {
			fmt.Fprintf(tw, "  skipped %s\t\t%s\t\n", s.Name, s.Reason)
		}
	})

	p("\n%s %s read, %s accepted, %s rejected (%s)\n", o.bold("Records:"), groupDigits(r.Records), groupDigits(r.Accepted),
		groupDigits(r.Rejected), percent(rateOf(r.Rejected, r.Records)))
	if len(r.Reasons) > 0 {
		table(func(tw io.Writer) {
			for _, rs := range r.Reasons {
				fmt.Fprintf(tw, "  %s\t%s\te.g. %s\n", rs.Reason, groupDigits(rs.Records), locations(rs.Examples))
			}
		})
	}
	if r.Time != nil {
		p("  time range: %s\n", o.span(r.Time.First, r.Time.Last))
	}
	if r.Accepted > 0 {
		p("  kinds: %s activity, %s sync; %s failed\n", groupDigits(r.Accepted-r.Syncs), groupDigits(r.Syncs), groupDigits(r.Failures))
	}

	valuesSection(p, table, o, "Systems", r.Systems, r.Accepted)
	valuesSection(p, table, o, "Projects", r.Projects, r.Accepted)
	valuesSection(p, table, o, "Actions", r.Actions, r.Accepted)

	u := r.Users
	switch {
	case r.Accepted == 0:
	case u.Observations == 0:
		p("\n%s none: no record names a user\n", o.bold("Users:"))
	case u.Resolved:
		p("\n%s %s, resolved over %s distinct observations\n", o.bold("Users:"), groupDigits(int64(u.Identities)), groupDigits(int64(u.Observations)))
	default:
		p("\n%s not resolved: more than %s distinct observations (see --max-observations); observations by the fields they carry:\n",
			o.bold("Users:"), groupDigits(int64(u.Observations)))
	}
	if r.Accepted > 0 {
		writeUsers(p, table, r)
	}

	if r.Accepted > 0 {
		p("\n%s share of the %s accepted records\n", o.bold("Fields:"), groupDigits(r.Accepted))
		table(func(tw io.Writer) {
			for _, f := range r.Fields {
				note := ""
				switch {
				case f.Constant != "":
					note = "constant " + f.Constant
				case f.From != "":
					note = "from " + f.From
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, percent(f.Rate), note)
			}
		})
		unknownSection(p, table, o, "Unmapped fields:", "source fields no canonical field reads, kept as properties", r.Unmapped)
		unknownSection(p, table, o, "Properties:", "members of props", r.Properties)
	}

	p("\n%s", o.bold("Mapping:"))
	switch {
	case r.Profile != "":
		p(" --profile %s", r.Profile)
	case len(r.Mapping.Fields) == 0 && len(r.Mapping.Constants) == 0:
		p(" none (canonical names and aliases only)")
	}
	p("\n")
	if r.Profile != "" || len(r.Mapping.Fields) > 0 || len(r.Mapping.Constants) > 0 {
		writeMappingYAML(ew, "  ", r.Mapping.Fields, r.Mapping.Constants)
	}

	writeAdvice(ew, r, o, args)
	return ew.err
}

func writeUsers(p func(string, ...any), table func(func(io.Writer)), r *inspect.Report) {
	u := r.Users
	if u.Observations > 0 {
		table(func(tw io.Writer) {
			fmt.Fprintf(tw, "  class\tusers\tobservation records\n")
			for _, c := range u.ByClass {
				users := groupDigits(int64(c.Users))
				if !u.Resolved {
					users = "-"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Class, users, groupDigits(c.Observations))
			}
		})
	}
	if u.Resolved && (u.Ambiguous > 0 || u.ServiceAccounts > 0) {
		p("  %s ambiguous (display names matching several users), %s service accounts\n", groupDigits(int64(u.Ambiguous)), groupDigits(int64(u.ServiceAccounts)))
	}
	p("  records without a user: %s (%s)\n", groupDigits(u.WithoutUser), percent(rateOf(u.WithoutUser, r.Accepted)))
	if u.InvalidEmails > 0 {
		p("  emails that are not emails (dropped): %s\n", groupDigits(u.InvalidEmails))
	}
}

// writeTable aligns the tab-separated rows written by rows, without the
// trailing blanks of empty last cells.
func writeTable(w io.Writer, rows func(tw io.Writer)) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 2, 8, 2, ' ', 0)
	rows(tw)
	tw.Flush()
	for line := range strings.Lines(buf.String()) {
		io.WriteString(w, strings.TrimRight(line, " \n")+"\n")
	}
}

// locations writes example locations compactly: "a.jsonl line 5, 9
// (detail)", each source named once.
func locations(ls []inspect.Location) string {
	var parts []string
	for i, l := range ls {
		s := fmt.Sprint(l.Line)
		if i == 0 || ls[i-1].Source != l.Source {
			s = l.Source + " line " + s
		}
		if l.Detail != "" {
			s += " (" + l.Detail + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func writeAdvice(w io.Writer, r *inspect.Report, o termOut, args []string) {
	a := r.Advice
	fmt.Fprintf(w, "\n%s", o.bold("Advice:"))
	if a.Canonical && a.Profile == "" {
		fmt.Fprintf(w, " the records read well as they are; export can use them.\n")
		writeAsOfAdvice(w, a.AsOf)
		return
	}
	fmt.Fprintln(w)
	for _, pr := range a.Problems {
		fmt.Fprintf(w, "  %s %s\n", o.yellow("!"), pr)
	}
	inputs := commandInputs(args)
	switch {
	case a.Profile != "":
		fmt.Fprintf(w, "  The %s. Read them with the built-in mapping:\n", a.ProfileReason)
		fmt.Fprintf(w, "    usagerep inspect --profile %s %s\n", a.Profile, inputs)
		asOf := ""
		if a.AsOf != "" {
			asOf = "--as-of " + a.AsOf + " "
		}
		fmt.Fprintf(w, "    usagerep export --profile %s %s%s\n", a.Profile, asOf, inputs)
	case len(a.Fields) > 0 || len(a.Constants) > 0:
		fmt.Fprintf(w, "  A mapping guessed from the first records; check it, put it in usagerep.yaml\n")
		fmt.Fprintf(w, "  (usagerep config init writes one), and inspect again:\n")
		writeMappingYAML(w, "    ", a.Fields, a.Constants)
		var flags []string
		for _, k := range slices.Sorted(maps.Keys(a.Fields)) {
			flags = append(flags, "--map "+shellQuote(k+"="+a.Fields[k]))
		}
		for _, k := range slices.Sorted(maps.Keys(a.Constants)) {
			flags = append(flags, "--const "+shellQuote(k+"="+a.Constants[k]))
		}
		fmt.Fprintf(w, "  or, for one run:\n    usagerep inspect %s %s\n", strings.Join(flags, " "), inputs)
		writeAsOfAdvice(w, a.AsOf)
	case a.Separator != "": // the problem says what to do
	default:
		fmt.Fprintf(w, "  No mapping could be guessed: map the fields with --map FIELD=PATH (usagerep schema lists them).\n")
	}
}

// commandInputs writes a command's inputs for a command line to suggest:
// quoted for a shell, or "<input>..." for more than three.
func commandInputs(args []string) string {
	if len(args) == 0 || len(args) > 3 {
		return "<input>..."
	}
	q := make([]string, len(args))
	for i, s := range args {
		q[i] = shellQuote(s)
	}
	return strings.Join(q, " ")
}

// writeAsOfAdvice says which --as-of reports need, when the data is old.
func writeAsOfAdvice(w io.Writer, asOf string) {
	if asOf != "" {
		fmt.Fprintf(w, "  The newest record is from %s, long before now: give reports --as-of %s.\n", asOf, asOf)
	}
}

// writeMappingYAML writes fields and constants as a usagerep.yaml excerpt.
func writeMappingYAML(w io.Writer, indent string, fields, consts map[string]string) {
	if len(fields) > 0 {
		fmt.Fprintf(w, "%sfields:\n", indent)
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			fmt.Fprintf(w, "%s  %s: %s\n", indent, k, yamlScalar(fields[k]))
		}
	}
	if len(consts) > 0 {
		fmt.Fprintf(w, "%sconstants:\n", indent)
		for _, k := range slices.Sorted(maps.Keys(consts)) {
			note := ""
			if consts[k] == inspect.SystemPlaceholder {
				note = "   # the name of the system these logs come from"
			}
			fmt.Fprintf(w, "%s  %s: %s%s\n", indent, k, yamlScalar(consts[k]), note)
		}
	}
}

// yamlScalar quotes s when YAML would read it as something else than
// this string (a block-context plain scalar).
func yamlScalar(s string) string {
	plain := s != "" && strings.TrimSpace(s) == s && !strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`") &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !strings.HasSuffix(s, ":") &&
		!slices.Contains([]string{"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}, strings.ToLower(s))
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		plain = false
	}
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func valuesSection(p func(string, ...any), table func(func(io.Writer)), o termOut, title string, v inspect.Values, accepted int64) {
	if accepted == 0 {
		return
	}
	n := groupDigits(int64(v.Distinct))
	if v.More {
		n = "more than " + n
	}
	p("\n%s %s distinct", o.bold(title+":"), n)
	if v.Missing > 0 {
		p("; %s records have none (%s)", groupDigits(v.Missing), percent(rateOf(v.Missing, accepted)))
	}
	p("\n")
	table(func(tw io.Writer) {
		for _, c := range v.Top {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Value, groupDigits(c.Records), percent(rateOf(c.Records, accepted)))
		}
		if rest := v.Distinct - len(v.Top); rest > 0 || v.More {
			more := groupDigits(int64(rest))
			if v.More {
				more = "more than " + more
			}
			fmt.Fprintf(tw, "  … and %s more\t\t\n", more)
		}
	})
}

func unknownSection(p func(string, ...any), table func(func(io.Writer)), o termOut, title, what string, us []inspect.Unknown) {
	if len(us) == 0 {
		return
	}
	p("\n%s %s, %s\n", o.bold(title), groupDigits(int64(len(us))), what)
	table(func(tw io.Writer) {
		for i, u := range us {
			if i == maxFieldsShown {
				fmt.Fprintf(tw, "  … and %d more (--json lists them all)\t\t\n", len(us)-i)
				break
			}
			ex := ""
			switch {
			case len(u.Examples) > 1 && len(u.Examples[0])+len(u.Examples[1]) <= 60:
				ex = "e.g. " + u.Examples[0] + ", " + u.Examples[1]
			case len(u.Examples) > 0:
				ex = "e.g. " + u.Examples[0]
			case len(u.Keys) > 5:
				ex = "object: " + strings.Join(u.Keys[:5], ", ") + ", …"
			case len(u.Keys) > 0:
				ex = "object: " + strings.Join(u.Keys, ", ")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Name, percent(u.Rate), ex)
		}
	})
}

func describeInput(in inspect.Input) string {
	if in.Bundle != "" {
		return joinWhat(in.Bundle+" bundle", in.Compression) + ", " + plural(len(in.Members), "member")
	}
	return joinWhat(in.Format, in.Compression)
}

func joinWhat(what string, comps []string) string {
	parts := []string{}
	if what != "" {
		parts = append(parts, what)
	}
	parts = append(parts, comps...)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func recordCounts(records, rejected int64) string {
	s := plural64(records, "record")
	if rejected > 0 {
		s += ", " + groupDigits(rejected) + " rejected"
	}
	return s
}

func plural64(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return groupDigits(n) + " " + noun + "s"
}

func rateOf(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}
