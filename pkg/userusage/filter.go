package userusage

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Op is a relational operator of a filter condition.
type Op uint8

const (
	OpEq Op = iota + 1 // ==
	OpNe               // <> (also !=)
	OpLt               // <
	OpLe               // <=
	OpGt               // >
	OpGe               // >=
)

func (o Op) String() string {
	switch o {
	case OpEq:
		return "=="
	case OpNe:
		return "<>"
	case OpLt:
		return "<"
	case OpLe:
		return "<="
	case OpGt:
		return ">"
	case OpGe:
		return ">="
	}
	return "?"
}

// Condition is one filter condition: parameter Name compared by Op with a
// value of the parameter's Type.
type Condition struct {
	Name string
	Op   Op
	Type Type
	Text string // the value as given (after URL decoding), trimmed
	Int  int64
	Bool bool
	Time int64 // datetime as Unix ms
}

func (c Condition) String() string { return c.Name + c.Op.String() + c.Text }

// maxFilters bounds the conditions of one query, as the query string is
// bounded in length anyway.
const maxFilters = 100

// ParseFilters reads a comma-separated list of conditions, joined by AND,
// each app:name OP value with OP one of == <> != < <= > >=, optionally
// URL-encoded (%3C%3E, %3C=, %3E=, ...). Each condition is URL-decoded
// after the list is split, so %2C in a value is a comma of the value. An
// error names the condition at fault.
func ParseFilters(s string) ([]Condition, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxFilters {
		return nil, fmt.Errorf("too many filter conditions (%d, at most %d)", len(parts), maxFilters)
	}
	out := make([]Condition, 0, len(parts))
	for _, part := range parts {
		if strings.TrimSpace(part) == "" {
			continue
		}
		c, err := parseCondition(part)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseCondition(raw string) (Condition, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid filter %q: %s", strings.TrimSpace(raw), fmt.Sprintf(format, args...))
	}
	s, err := url.PathUnescape(raw)
	if err != nil {
		return Condition{}, bad("bad URL encoding (a %% must start %%XX)")
	}
	s = strings.TrimSpace(s)
	at := strings.IndexAny(s, "=<>!")
	if at < 0 {
		return Condition{}, bad("no operator (want app:name OP value, OP one of ==, <>, !=, <, <=, >, >=)")
	}
	c := Condition{Name: strings.TrimSpace(s[:at])}
	rest := s[at:]
	switch {
	case strings.HasPrefix(rest, "=="):
		c.Op, rest = OpEq, rest[2:]
	case strings.HasPrefix(rest, "<>"), strings.HasPrefix(rest, "!="):
		c.Op, rest = OpNe, rest[2:]
	case strings.HasPrefix(rest, "<="):
		c.Op, rest = OpLe, rest[2:]
	case strings.HasPrefix(rest, ">="):
		c.Op, rest = OpGe, rest[2:]
	case strings.HasPrefix(rest, "<"):
		c.Op, rest = OpLt, rest[1:]
	case strings.HasPrefix(rest, ">"):
		c.Op, rest = OpGt, rest[1:]
	default:
		return Condition{}, bad("unknown operator %q (want ==, <>, !=, <, <=, > or >=)", opPrefix(rest))
	}
	if c.Name == "" {
		return Condition{}, bad("no parameter name before the operator")
	}
	if !validName(c.Name) {
		return Condition{}, bad("parameter %q is not app:name", c.Name)
	}
	c.Text = strings.TrimSpace(rest)
	if c.Text == "" {
		return Condition{}, bad("no value after %s", c.Op)
	}
	if strings.ContainsAny(c.Text[:1], "=<>!") {
		return Condition{}, bad("unknown operator %q (want ==, <>, !=, <, <=, > or >=)", c.Op.String()+opPrefix(c.Text))
	}
	c.Type = paramType(c.Name)
	switch c.Type {
	case 0:
		return Condition{}, bad("unknown parameter %q (filters take the built-in parameters or <app>:num_<action>)", c.Name)
	case TypeInt:
		n, err := strconv.ParseInt(c.Text, 10, 64)
		if err != nil {
			return Condition{}, bad("%s is an int parameter; %q is not a whole number", c.Name, c.Text)
		}
		c.Int = n
	case TypeDatetime:
		t, err := time.Parse(time.RFC3339Nano, c.Text)
		if err != nil {
			return Condition{}, bad("%s is a datetime parameter; %q is not an RFC 3339 time (e.g. 2026-03-03T10:26:35.000Z)", c.Name, c.Text)
		}
		if y := t.UTC().Year(); y < minYear || y > maxYear {
			return Condition{}, bad("%s: %q is outside the years %d-%d", c.Name, c.Text, minYear, maxYear)
		}
		c.Time = t.UnixMilli()
	case TypeBool:
		switch strings.ToLower(c.Text) {
		case "true":
			c.Bool = true
		case "false":
		default:
			return Condition{}, bad("%s is a bool parameter; %q is not true or false", c.Name, c.Text)
		}
	}
	if (c.Type == TypeBool || c.Type == TypeString) && c.Op != OpEq && c.Op != OpNe {
		return Condition{}, bad("%s is a %s parameter: only == and <> compare it", c.Name, c.Type)
	}
	return c, nil
}

// opPrefix is the run of operator characters at the start of s.
func opPrefix(s string) string {
	n := 0
	for n < len(s) && strings.IndexByte("=<>!", s[n]) >= 0 {
		n++
	}
	return s[:n]
}

// match reports whether p satisfies c. p must be the parameter c names.
func (c *Condition) match(p *Parameter) bool {
	var cmp int
	switch c.Type {
	case TypeInt:
		if p.Type != TypeInt {
			return false
		}
		cmp = compare(p.Int, c.Int)
	case TypeDatetime:
		if p.Type != TypeDatetime {
			return false
		}
		cmp = compare(p.Time.UnixMilli(), c.Time)
	case TypeBool:
		if p.Type != TypeBool {
			return false
		}
		if p.Bool != c.Bool {
			cmp = 1
		}
	case TypeString:
		if p.Type != TypeString {
			return false
		}
		cmp = strings.Compare(p.String, c.Text)
	default:
		return false
	}
	switch c.Op {
	case OpEq:
		return cmp == 0
	case OpNe:
		return cmp != 0
	case OpLt:
		return cmp < 0
	case OpLe:
		return cmp <= 0
	case OpGt:
		return cmp > 0
	case OpGe:
		return cmp >= 0
	}
	return false
}

func compare(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
