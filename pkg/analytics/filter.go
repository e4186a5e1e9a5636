package analytics

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

// Op is a filter's comparison.
type Op uint8

const (
	OpEq Op = iota + 1
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn
	OpMatch // ~, a regular expression found anywhere in the value
)

var opNames = [...]string{OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=", OpIn: "in", OpMatch: "~"}

func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "?"
}

// Filter is one global filter: `field OP value`. Filters keep or drop each
// mention of a user (a record's own user, or one users[] element) before
// anything is counted.
type Filter struct {
	Field  Field
	Op     Op
	Values []string // one value, or the list of "in"

	// Prepared forms of Values, for the per-record test.
	num  []float64 // each value as a number, when numK says it is one
	numK []bool
	tnum []int64 // each value as Unix ns, for time fields
	re   *regexp.Regexp
	set  map[string]struct{} // "in" with many values
}

// ParseFilter reads `field OP value`. field is a canonical field (see
// Fields) or props.NAME; OP is ==, !=, <, <=, >, >=, in or ~. A value may
// be written bare (trimmed) or as a double-quoted Go string; the list of
// "in" is comma-separated, optionally in brackets or parentheses, each
// item bare or quoted. Times compare as instants: a value of a time field
// is an RFC 3339 time, "YYYY-MM-DD HH:MM:SS" or a bare day, both in loc.
func ParseFilter(s string, loc *time.Location) (*Filter, error) {
	if loc == nil {
		loc = time.UTC
	}
	f, err := parseFilter(s, loc)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", s, err)
	}
	return f, nil
}

func parseFilter(s string, loc *time.Location) (*Filter, error) {
	rest := strings.TrimSpace(s)
	end := strings.IndexFunc(rest, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '=' || r == '!' || r == '<' || r == '>' || r == '~'
	})
	if end < 0 {
		return nil, errors.New("want FIELD OP VALUE, e.g. 'props.os == Windows'")
	}
	name := rest[:end]
	if name == "" {
		return nil, errors.New("no field before the operator")
	}
	field, err := ParseField(name)
	if err != nil {
		return nil, err
	}
	rest = strings.TrimLeft(rest[end:], " \t")
	var op Op
	for _, c := range []struct {
		text string
		op   Op
	}{{"==", OpEq}, {"!=", OpNe}, {"<=", OpLe}, {">=", OpGe}, {"<", OpLt}, {">", OpGt}, {"~", OpMatch}} {
		if strings.HasPrefix(rest, c.text) {
			op, rest = c.op, rest[len(c.text):]
			break
		}
	}
	if op == 0 {
		word, after, _ := strings.Cut(rest, " ")
		switch {
		case word == "in" || strings.HasPrefix(rest, "in(") || strings.HasPrefix(rest, "in["):
			op, rest = OpIn, strings.TrimPrefix(rest, "in")
			if word == "in" {
				rest = after
			}
		case strings.HasPrefix(rest, "="):
			return nil, errors.New("unknown operator = (use ==)")
		default:
			return nil, errors.New("want an operator: ==, !=, <, <=, >, >=, in or ~")
		}
	}
	rest = strings.TrimSpace(rest)
	f := &Filter{Field: field, Op: op}
	if op == OpIn {
		f.Values, err = parseList(rest)
	} else {
		var v string
		v, err = parseValue(rest)
		f.Values = []string{v}
	}
	if err != nil {
		return nil, err
	}
	if err := f.prepare(loc); err != nil {
		return nil, err
	}
	return f, nil
}

// parseValue reads one value: a quoted Go string, or bare text.
func parseValue(s string) (string, error) {
	if strings.HasPrefix(s, `"`) {
		v, err := strconv.Unquote(s)
		if err != nil {
			return "", fmt.Errorf("bad quoted value %s", s)
		}
		return v, nil
	}
	if s == "" {
		return "", errors.New(`no value (write "" for the empty value)`)
	}
	return s, nil
}

// parseList reads the values of "in": a, b, "c,d" or [a, b] or (a, b).
func parseList(s string) ([]string, error) {
	if len(s) >= 2 && (s[0] == '[' && s[len(s)-1] == ']' || s[0] == '(' && s[len(s)-1] == ')') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return nil, errors.New("in: no values")
	}
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		var item string
		if strings.HasPrefix(s, `"`) {
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, fmt.Errorf("in: bad quoted value %s", s)
			}
			item, _ = strconv.Unquote(q)
			s = strings.TrimLeft(s[len(q):], " \t")
			if s != "" && s[0] != ',' {
				return nil, fmt.Errorf("in: text after a quoted value: %s", s)
			}
		} else {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				i = len(s)
			}
			item = strings.TrimSpace(s[:i])
			s = s[i:]
			if item == "" {
				return nil, errors.New("in: an empty item (quote it: \"\")")
			}
		}
		out = append(out, item)
		if s == "" {
			return out, nil
		}
		s = s[1:] // the comma
	}
}

// prepare compiles the regular expression and reads numeric and time
// values once, so the per-record test parses nothing.
func (f *Filter) prepare(loc *time.Location) error {
	if f.Op == OpMatch && f.Field.kind == kindTime {
		return fmt.Errorf("~ does not apply to the time field %s", f.Field.Name)
	}
	switch f.Op {
	case OpMatch:
		re, err := regexp.Compile(f.Values[0])
		if err != nil {
			return fmt.Errorf("~: %v", err)
		}
		f.re = re
		return nil
	case OpIn:
		if len(f.Values) > 8 {
			f.set = make(map[string]struct{}, len(f.Values))
			for _, v := range f.Values {
				f.set[v] = struct{}{}
			}
		}
	}
	f.num = make([]float64, len(f.Values))
	f.numK = make([]bool, len(f.Values))
	for i, v := range f.Values {
		switch f.Field.kind {
		case kindTime:
			t, err := parseInstant(v, loc)
			if err != nil {
				return err
			}
			f.tnum = append(f.tnum, t)
		case kindBool:
			b, ok := parseBool(v)
			if !ok {
				return fmt.Errorf("%s is true or false, not %q", f.Field.Name, v)
			}
			f.Values[i] = strconv.FormatBool(b)
		default:
			f.num[i], f.numK[i] = parseNumber(v)
		}
	}
	if f.Field.kind == kindNumber && f.Op >= OpLt && f.Op <= OpGe && !f.numK[0] {
		return fmt.Errorf("%s compares with a number, not %q", f.Field.Name, f.Values[0])
	}
	return nil
}

// parseInstant reads a time value of a filter, in loc when it has no zone.
func parseInstant(s string, loc *time.Location) (int64, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixNano(), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UnixNano(), nil
		}
	}
	if t, err := record.ParseTime([]byte(s)); err == nil {
		return t, nil
	}
	return 0, fmt.Errorf("%q is not a time (want e.g. 2026-03-01 or 2026-03-01T10:00:00Z)", s)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}

// parseNumber reads a decimal number ([+-]digits[.digits][e[+-]digits])
// without allocating: its syntax is checked first, as ParseFloat's error
// would cost allocations on every text that is no number.
func parseNumber(s string) (float64, bool) {
	if len(s) > 64 {
		return 0, false
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
		if i == exp {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// String writes the filter so that ParseFilter reads it back the same.
func (f *Filter) String() string {
	var b strings.Builder
	b.WriteString(f.Field.Name)
	b.WriteByte(' ')
	b.WriteString(f.Op.String())
	b.WriteByte(' ')
	if f.Op == OpIn {
		b.WriteByte('[')
		for i, v := range f.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(']')
	} else {
		b.WriteString(strconv.Quote(f.Values[0]))
	}
	return b.String()
}

// Match reports whether the mention passes the filter. It does not
// allocate.
func (f *Filter) Match(m *Mention) bool {
	switch f.Field.kind {
	case kindTime:
		t, ok := f.Field.instant(m)
		if !ok {
			return f.Op == OpNe
		}
		if f.Op == OpIn {
			return slices.Contains(f.tnum, t)
		}
		return compareOp(f.Op, cmpInt(t, f.tnum[0]))
	case kindNumber:
		v, ok := f.Field.number(m)
		switch {
		case !ok:
			return f.Op == OpNe
		case f.Op == OpMatch:
			m.scratch = appendNumber(m.scratch[:0], v)
			return f.re.MatchString(view(m.scratch))
		case f.Op == OpIn:
			for i, n := range f.num {
				if f.numK[i] && n == v {
					return true
				}
			}
			return false
		case !f.numK[0]:
			return f.Op == OpNe // no number equals a value that is none
		}
		return compareOp(f.Op, cmpFloat(v, f.num[0]))
	}
	s, present := f.Field.text(m)
	switch f.Op {
	case OpEq:
		return s == f.Values[0]
	case OpNe:
		return s != f.Values[0]
	case OpIn:
		if f.set != nil {
			_, ok := f.set[s]
			return ok
		}
		return slices.Contains(f.Values, s)
	case OpMatch:
		return f.re.MatchString(s)
	}
	if !present {
		return false // an absent value is in no order
	}
	// Ordered: as numbers when both sides are numbers, else as text.
	if f.numK[0] {
		if v, ok := parseNumber(s); ok {
			return compareOp(f.Op, cmpFloat(v, f.num[0]))
		}
	}
	return compareOp(f.Op, strings.Compare(s, f.Values[0]))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareOp(op Op, c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	}
	return false
}

// MatchAll reports whether m passes every filter.
func MatchAll(fs []*Filter, m *Mention) bool {
	for _, f := range fs {
		if !f.Match(m) {
			return false
		}
	}
	return true
}
