package userusage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Type is a parameter's value type, as the API's typed value fields.
type Type uint8

const (
	TypeInt      Type = iota + 1 // intValue
	TypeBool                     // boolValue
	TypeString                   // stringValue
	TypeDatetime                 // datetimeValue
)

func (t Type) String() string {
	switch t {
	case TypeInt:
		return "int"
	case TypeBool:
		return "bool"
	case TypeString:
		return "string"
	case TypeDatetime:
		return "datetime"
	}
	return "unknown"
}

// The built-in parameters of a user on a date, in the order reports list
// them; action parameters (<app>:num_<action>) follow, sorted by name.
const (
	ParamFirstName         = "accounts:first_name"
	ParamLastName          = "accounts:last_name"
	ParamDisplayName       = "accounts:display_name"
	ParamUsername          = "accounts:username"
	ParamIsServiceAccount  = "accounts:is_service_account"
	ParamFirstActivityTime = "accounts:first_activity_time"
	ParamLastActivityTime  = "accounts:last_activity_time"
	ParamNumSystems        = "accounts:num_systems"
	ParamNumProjects       = "accounts:num_projects"
	ParamNumEvents         = "usage:num_events"
)

// builtin index values, the position in builtins.
const (
	bFirstName = iota
	bLastName
	bDisplayName
	bUsername
	bIsServiceAccount
	bFirstActivity
	bLastActivity
	bNumSystems
	bNumProjects
	bNumEvents
	numBuiltins
)

var builtins = [numBuiltins]struct {
	name string
	typ  Type
}{
	{ParamFirstName, TypeString},
	{ParamLastName, TypeString},
	{ParamDisplayName, TypeString},
	{ParamUsername, TypeString},
	{ParamIsServiceAccount, TypeBool},
	{ParamFirstActivityTime, TypeDatetime},
	{ParamLastActivityTime, TypeDatetime},
	{ParamNumSystems, TypeInt},
	{ParamNumProjects, TypeInt},
	{ParamNumEvents, TypeInt},
}

// builtinIndex is the position of a built-in parameter, or -1.
func builtinIndex(name string) int {
	for i, b := range builtins {
		if b.name == name {
			return i
		}
	}
	return -1
}

// BuiltinParameters lists the built-in parameter names in report order.
func BuiltinParameters() []string {
	out := make([]string, numBuiltins)
	for i, b := range builtins {
		out[i] = b.name
	}
	return out
}

// DefaultApp is the application of a record without a category.
const DefaultApp = "usage"

// ActionParameter is the parameter name that counts action in category:
// "<app>:num_<action>", both lower snake case, the app "usage" when the
// category is empty. ok is false when the action has no letter or digit,
// or when the name is a built-in one (the built-in wins).
func ActionParameter(category, action string) (name string, ok bool) {
	act := snake(nil, action)
	if len(act) == 0 {
		return "", false
	}
	b := snake(make([]byte, 0, len(category)+len(act)+6), category)
	if len(b) == 0 {
		b = append(b, DefaultApp...)
	}
	b = append(b, ":num_"...)
	b = append(b, act...)
	name = string(b)
	if builtinIndex(name) >= 0 {
		return "", false
	}
	return name, true
}

// snake appends s in lower snake case: letters lower-cased, every run of
// other characters one underscore, a word break before an upper-case
// letter that starts a word ("PushEvent", "HTTPServer"), no underscore at
// either end.
func snake(dst []byte, s string) []byte {
	start := len(dst)
	pendingSep := false
	var prev rune // the previous letter or digit, 0 after a separator
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			pendingSep = len(dst) > start
			prev = 0
			continue
		}
		if unicode.IsUpper(r) && prev != 0 {
			next, _ := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && unicode.IsLower(next)) {
				pendingSep = true
			}
		}
		if pendingSep {
			dst = append(dst, '_')
			pendingSep = false
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		prev = r
	}
	return dst
}

// validName says whether s has the form app:name. A name holds no white
// space, no comma and no operator character, so that it can stand in a
// filter.
func validName(s string) bool {
	app, name, ok := strings.Cut(s, ":")
	if !ok || app == "" || name == "" || strings.Contains(name, ":") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",<>=!", r)
	})
}

// paramType is the type of a parameter that a filter names: a built-in's
// own, int for any other <app>:num_<action>; 0 for anything else.
func paramType(name string) Type {
	if i := builtinIndex(name); i >= 0 {
		return builtins[i].typ
	}
	if _, n, _ := strings.Cut(name, ":"); strings.HasPrefix(n, "num_") && len(n) > len("num_") {
		return TypeInt
	}
	return 0
}
