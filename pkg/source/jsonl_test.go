package source

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

const tm = `"time":"2026-03-03T10:15:00Z"`

// decodeJSONLine decodes one line as line 1 of "t.jsonl".
func decodeJSONLine(t *testing.T, opts DecodeOptions, line string) *collector {
	t.Helper()
	c := &Chunk{Input: &Input{Name: "t.jsonl", Format: FormatJSONL}, Data: []byte(line), FirstLine: 1}
	return decodeChunk(t, FormatJSONL, opts, c)
}

type jsonCase struct {
	name string
	line string
	want func(r *record.Record)
}

func runJSONCases(t *testing.T, opts DecodeOptions, tests []jsonCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := decodeJSONLine(t, opts, tt.line)
			if len(col.rejects) != 0 || len(col.recs) != 1 {
				t.Fatalf("got %d records, rejects %+v; want one record", len(col.recs), col.rejects)
			}
			if diff := diffRecord(col.recs[0], want(tt.want)); diff != "" {
				t.Errorf("%s%s", tt.line, diff)
			}
		})
	}
}

func TestJSONLFields(t *testing.T) {
	runJSONCases(t, DecodeOptions{}, []jsonCase{
		{"time only", `{` + tm + `}`, nil},
		{"every field", `{"time":"2026-03-03T11:15:00+01:00","kind":"sync","system":"Jira Cloud","project":"PROJ",` +
			`"entity_type":"Bug","entity_id":"PROJ-12","peer_system":"Azure DevOps","peer_project":"Web",` +
			`"peer_entity_type":"Issue","peer_entity_id":"4711","integration":"jira-ado","integration_status":"Inactive",` +
			`"integration_updated":"2026-01-01 00:00:00","outcome":"failed","action":"comment","category":"collab",` +
			`"count":7,"duration":12.5,"session":"s1","email":"John@Corp.com","username":"jdoe","display_name":"John Doe",` +
			`"first_name":"John","last_name":"Doe","company":"Corp","user_id":"u-1","interaction":"mention",` +
			`"service_account":true,"customer":"acme","plan":"enterprise"}`,
			func(r *record.Record) {
				r.Kind = record.KindSync
				r.System, r.Project, r.EntityType, r.EntityID = "Jira Cloud", "PROJ", "Bug", "PROJ-12"
				r.PeerSystem, r.PeerProject, r.PeerEntityType, r.PeerEntityID = "Azure DevOps", "Web", "Issue", "4711"
				r.Integration, r.IntegrationStatus = "jira-ado", record.StatusInactive
				r.IntegrationUpdated = 1767225600e9
				r.Outcome, r.Action, r.Category = record.OutcomeFailure, "comment", "collab"
				r.Count, r.Duration, r.HasDuration, r.Session = 7, 12.5, true, "s1"
				r.User = record.User{Email: "John@Corp.com", Username: "jdoe", DisplayName: "John Doe",
					FirstName: "John", LastName: "Doe", Company: "Corp", UserID: "u-1", ServiceAccount: true}
				r.Interaction, r.Customer, r.Plan = "mention", "acme", "enterprise"
			}},
		{"white space between tokens", " \t{ \"time\" : 1772532900 , \"system\" :\t\"A\" } ",
			func(r *record.Record) { r.System = "A" }},
		{"strings trimmed", `{` + tm + `,"system":"  Jira  ","project":"\t P \n"}`,
			func(r *record.Record) { r.System, r.Project = "Jira", "P" }},
		{"empty and blank strings are absent", `{` + tm + `,"system":"","project":"   ","action":null}`, nil},
		{"numbers and booleans as text", `{` + tm + `,"entity_id":123,"peer_entity_id":-1.5e3,"project":true,"session":false}`,
			func(r *record.Record) {
				r.EntityID, r.PeerEntityID, r.Project, r.Session = "123", "-1.5e3", "true", "false"
			}},
		{"escapes", `{` + tm + `,"system":"a\"b\\c\/d\u00e9\ud83d\ude00\n","project":"\ud800x","action":"tab\there"}`,
			func(r *record.Record) { r.System, r.Project, r.Action = "a\"b\\c/dé😀", "\uFFFDx", "tab\there" }},
		{"escaped key", `{"\u0074ime":"2026-03-03T10:15:00Z","sys\u0074em":"A"}`,
			func(r *record.Record) { r.System = "A" }},
		{"unicode text", `{` + tm + `,"display_name":"Jörg Müller 山田"}`,
			func(r *record.Record) { r.DisplayName = "Jörg Müller 山田" }},
		{"unknown values skipped", `{"payload":{"a":[1,{"b":"}]"},[]],"c":{}},"x":[],` + tm + `,"y":"\"","system":"A"}`,
			func(r *record.Record) { r.System = "A" }},
		{"duplicate key: first wins", `{` + tm + `,"system":"A","system":"B"}`,
			func(r *record.Record) { r.System = "A" }},
		{"epoch seconds", `{"time":1772532900}`, nil},
		{"epoch milliseconds", `{"time":1772532900000}`, nil},
		{"epoch string", `{"time":"1772532900"}`, nil},
		{"fractional epoch", `{"time":1772532900.5}`, func(r *record.Record) { r.Time += 5e8 }},
		{"space-separated time", `{"time":"2026-03-03 10:15:00"}`, nil},
		{"count 0", `{` + tm + `,"count":0}`, func(r *record.Record) { r.Count = 0 }},
		{"count string", `{` + tm + `,"count":"3"}`, func(r *record.Record) { r.Count = 3 }},
		{"count 3.0", `{` + tm + `,"count":3.0}`, func(r *record.Record) { r.Count = 3 }},
		{"count string 3.00", `{` + tm + `,"count":" 3.00 "}`, func(r *record.Record) { r.Count = 3 }},
		{"count exponent", `{` + tm + `,"count":1e2}`, func(r *record.Record) { r.Count = 100 }},
		{"count null is default", `{` + tm + `,"count":null}`, nil},
		{"duration seconds", `{` + tm + `,"duration":90}`, func(r *record.Record) { r.Duration, r.HasDuration = 90, true }},
		{"duration zero", `{` + tm + `,"duration":0}`, func(r *record.Record) { r.Duration, r.HasDuration = 0, true }},
		{"duration string seconds", `{` + tm + `,"duration":"1.5"}`, func(r *record.Record) { r.Duration, r.HasDuration = 1.5, true }},
		{"duration Go string", `{` + tm + `,"duration":"1m30s"}`, func(r *record.Record) { r.Duration, r.HasDuration = 90, true }},
		{"duration ms", `{` + tm + `,"duration":"250ms"}`, func(r *record.Record) { r.Duration, r.HasDuration = 0.25, true }},
		{"outcome success", `{` + tm + `,"outcome":"SUCCESS"}`, nil},
		{"outcome ok", `{` + tm + `,"outcome":"ok"}`, nil},
		{"outcome succeeded", `{` + tm + `,"outcome":"Succeeded"}`, nil},
		{"outcome failure", `{` + tm + `,"outcome":"Failure"}`, func(r *record.Record) { r.Outcome = record.OutcomeFailure }},
		{"outcome error", `{` + tm + `,"outcome":"ERROR"}`, func(r *record.Record) { r.Outcome = record.OutcomeFailure }},
		{"kind activity", `{` + tm + `,"kind":"Activity"}`, nil},
		{"kind SYNC", `{` + tm + `,"kind":"SYNC"}`, func(r *record.Record) { r.Kind = record.KindSync }},
		{"status active", `{` + tm + `,"integration_status":"ACTIVE"}`, func(r *record.Record) { r.IntegrationStatus = record.StatusActive }},
		{"service account string yes", `{` + tm + `,"service_account":"Yes"}`, func(r *record.Record) { r.ServiceAccount = true }},
		{"service account number 1", `{` + tm + `,"service_account":1}`, func(r *record.Record) { r.ServiceAccount = true }},
		{"service account string 0", `{` + tm + `,"service_account":"0"}`, nil},
		{"service account false", `{` + tm + `,"service_account":false}`, nil},
		{"service account no", `{` + tm + `,"service_account":"no"}`, nil},
		{"integration_updated epoch ms", `{` + tm + `,"integration_updated":1772532900000}`,
			func(r *record.Record) { r.IntegrationUpdated = t0 }},
		{"type sync is a kind", `{` + tm + `,"type":"sync"}`, func(r *record.Record) { r.Kind = record.KindSync }},
		{"type Activity is a kind", `{` + tm + `,"type":"Activity","kind":null}`, nil},
		{"type other is an action", `{` + tm + `,"type":"PushEvent"}`, func(r *record.Record) { r.Action = "PushEvent" }},
		{"kind beats type", `{"type":"sync",` + tm + `,"kind":"activity"}`, nil},
		{"action beats type", `{"type":"login",` + tm + `,"action":"comment"}`, func(r *record.Record) { r.Action = "comment" }},
		{"type sync with an action", `{"type":"sync",` + tm + `,"action":"comment"}`,
			func(r *record.Record) { r.Kind, r.Action = record.KindSync, "comment" }},
		{"type number is an action", `{` + tm + `,"type":7}`, func(r *record.Record) { r.Action = "7" }},
	})
}

func TestJSONLAliases(t *testing.T) {
	const rest = `"2026-03-03T10:15:00Z"`
	runJSONCases(t, DecodeOptions{}, []jsonCase{
		{"timestamp", `{"timestamp":` + rest + `}`, nil},
		{"@timestamp", `{"@timestamp":` + rest + `}`, nil},
		{"ts", `{"ts":` + rest + `}`, nil},
		{"created_at", `{"created_at":` + rest + `}`, nil},
		{"time beats aliases in any order", `{"ts":1,"created_at":2,"time":` + rest + `,"timestamp":3}`, nil},
		{"timestamp beats ts", `{"ts":1,"timestamp":` + rest + `}`, nil},
		{"@timestamp beats ts", `{"@timestamp":` + rest + `,"ts":1}`, nil},
		{"losing alias is never parsed", `{"ts":"garbage",` + tm + `,"created_at":{"x":1}}`, nil},
		{"blank time lets an alias through", `{"time":" ","ts":` + rest + `}`, nil},
		{"user.email nested", `{` + tm + `,"user":{"email":"a@x"}}`, func(r *record.Record) { r.Email = "a@x" }},
		{"user.email literal key", `{` + tm + `,"user.email":"a@x"}`, func(r *record.Record) { r.Email = "a@x" }},
		{"user_email", `{` + tm + `,"user_email":"a@x"}`, func(r *record.Record) { r.Email = "a@x" }},
		{"mail", `{` + tm + `,"mail":"a@x"}`, func(r *record.Record) { r.Email = "a@x" }},
		{"email beats aliases", `{"mail":"c@x","user":{"email":"b@x"},"email":"a@x",` + tm + `}`,
			func(r *record.Record) { r.Email = "a@x" }},
		{"user.email beats mail", `{"mail":"c@x",` + tm + `,"user":{"email":"b@x"}}`,
			func(r *record.Record) { r.Email = "b@x" }},
		{"user_email beats mail", `{"mail":"c@x",` + tm + `,"user_email":"b@x"}`,
			func(r *record.Record) { r.Email = "b@x" }},
		{"empty email lets mail through", `{"email":"",` + tm + `,"mail":"c@x"}`,
			func(r *record.Record) { r.Email = "c@x" }},
		{"null email lets mail through", `{"email":null,` + tm + `,"mail":"c@x"}`,
			func(r *record.Record) { r.Email = "c@x" }},
		{"user.username", `{` + tm + `,"user":{"username":"jd"}}`, func(r *record.Record) { r.Username = "jd" }},
		{"user.name", `{` + tm + `,"user":{"name":"jd"}}`, func(r *record.Record) { r.Username = "jd" }},
		{"login", `{` + tm + `,"login":"jd"}`, func(r *record.Record) { r.Username = "jd" }},
		{"user_login", `{` + tm + `,"user_login":"jd"}`, func(r *record.Record) { r.Username = "jd" }},
		{"username order", `{"user_login":"d","login":"c","user":{"name":"b","username":"a"},` + tm + `}`,
			func(r *record.Record) { r.Username = "a" }},
		{"user.name beats login", `{"user_login":"d","login":"c","user":{"name":"b"},` + tm + `}`,
			func(r *record.Record) { r.Username = "b" }},
		{"login beats user_login", `{"user_login":"d","login":"c",` + tm + `}`,
			func(r *record.Record) { r.Username = "c" }},
		{"user.display_name", `{` + tm + `,"user":{"display_name":"J D"}}`, func(r *record.Record) { r.DisplayName = "J D" }},
		{"displayName", `{` + tm + `,"displayName":"J D"}`, func(r *record.Record) { r.DisplayName = "J D" }},
		{"name", `{` + tm + `,"name":"J D"}`, func(r *record.Record) { r.DisplayName = "J D" }},
		{"display name order", `{"name":"c","displayName":"b",` + tm + `}`, func(r *record.Record) { r.DisplayName = "b" }},
		{"all user aliases in one object", `{` + tm + `,"user":{"email":"e@x","username":"u","display_name":"D"}}`,
			func(r *record.Record) { r.Email, r.Username, r.DisplayName = "e@x", "u", "D" }},
		{"user as a string is no user", `{` + tm + `,"user":"jdoe"}`, nil},
		{"username with @ stays a username", `{` + tm + `,"login":"jd@corp.com"}`,
			func(r *record.Record) { r.Username = "jd@corp.com" }},
	})
}

func TestJSONLMapping(t *testing.T) {
	m := Mapping{
		Fields: map[string]string{
			"time":     "meta.when",
			"username": "actor.login",
			"user_id":  "actor.id",
			"project":  "repo.name",
			"action":   "type",
		},
		Constants: map[string]string{"system": "GitHub", "count": "2", "outcome": "failed"},
	}
	runJSONCases(t, DecodeOptions{Mapping: m}, []jsonCase{
		{"mapped paths", `{"meta":{"when":"2026-03-03T10:15:00Z"},"actor":{"login":"octo","id":42},"repo":{"name":"o/r"},"type":"PushEvent"}`,
			func(r *record.Record) {
				r.Username, r.UserID, r.Project, r.Action = "octo", "42", "o/r", "PushEvent"
				r.System, r.Count, r.Outcome = "GitHub", 2, record.OutcomeFailure
			}},
		{"mapped fields ignore their names and aliases",
			`{"meta":{"when":1772532900},"time":"junk","username":"x","login":"y","project":"p","action":"a","actor":{}}`,
			func(r *record.Record) { r.System, r.Count, r.Outcome = "GitHub", 2, record.OutcomeFailure }},
		{"constants override data", `{"meta":{"when":1772532900},"system":"Jira","count":-5,"outcome":"bogus"}`,
			func(r *record.Record) { r.System, r.Count, r.Outcome = "GitHub", 2, record.OutcomeFailure }},
		{"mapped type is read verbatim, and only as action", `{"meta":{"when":1772532900},"type":"sync"}`,
			func(r *record.Record) {
				r.Action, r.System, r.Count, r.Outcome = "sync", "GitHub", 2, record.OutcomeFailure
			}},
		{"unmapped fields keep their aliases", `{"meta":{"when":1772532900},"mail":"m@x"}`,
			func(r *record.Record) {
				r.Email, r.System, r.Count, r.Outcome = "m@x", "GitHub", 2, record.OutcomeFailure
			}},
	})

	t.Run("a mapped path is no alias of other fields", func(t *testing.T) {
		m := Mapping{Fields: map[string]string{"username": "name", "email": "login"}}
		runJSONCases(t, DecodeOptions{Mapping: m}, []jsonCase{
			{"name is the username only", `{` + tm + `,"name":"jdoe","login":"j@x","displayName":"J D"}`,
				func(r *record.Record) { r.Username, r.Email, r.DisplayName = "jdoe", "j@x", "J D" }},
		})
	})

	t.Run("two fields from one path", func(t *testing.T) {
		m := Mapping{Fields: map[string]string{"username": "who", "display_name": "who", "kind": "k"}}
		runJSONCases(t, DecodeOptions{Mapping: m}, []jsonCase{
			{"both", `{` + tm + `,"who":"ann","kind":"sync","type":"sync"}`,
				func(r *record.Record) { r.Username, r.DisplayName = "ann", "ann" }},
			{"type still feeds action", `{` + tm + `,"type":"Push"}`, func(r *record.Record) { r.Action = "Push" }},
		})
	})

	// Regression: a path inside props was never read, as the props object
	// was taken for properties only.
	t.Run("a mapped path inside props", func(t *testing.T) {
		m := Mapping{Fields: map[string]string{"username": "props.login", "project": "props.repo.name"}}
		for _, keep := range []bool{false, true} {
			want := func(r *record.Record) {
				r.Username, r.Project = "octo", "o/r"
				if keep {
					r.Props = props("os", "linux", "repo.id", "7")
				}
			}
			runJSONCases(t, DecodeOptions{Mapping: m, KeepProps: keep}, []jsonCase{
				{"props members feed fields", `{` + tm + `,"props":{"os":"linux","login":"octo","repo":{"name":"o/r","id":7}}}`, want},
			})
		}
	})

	t.Run("constant time", func(t *testing.T) {
		m := Mapping{Constants: map[string]string{"time": "2026-03-03T10:15:00Z", "kind": "sync"}}
		runJSONCases(t, DecodeOptions{Mapping: m}, []jsonCase{
			{"no time in data", `{"system":"A"}`, func(r *record.Record) { r.System, r.Kind = "A", record.KindSync }},
			{"time in data ignored", `{"time":"junk","kind":"bogus"}`, func(r *record.Record) { r.Kind = record.KindSync }},
		})
	})
}

func TestJSONLProps(t *testing.T) {
	keep := DecodeOptions{KeepProps: true}
	runJSONCases(t, keep, []jsonCase{
		{"unknown fields", `{"os":"linux",` + tm + `,"version":3,"beta":true,"nested":{"a":[1, 2]},"list":[],"gone":null,"blank":" "}`,
			func(r *record.Record) {
				r.Props = props("os", "linux", "version", "3", "beta", "true", "nested", `{"a":[1, 2]}`, "list", "[]")
			}},
		{"props members", `{` + tm + `,"props":{"country":"DE","n":1.5,"o":{"x":[1]},"s":" a\tb ","z":null}}`,
			func(r *record.Record) {
				r.Props = props("country", "DE", "n", "1.5", "o", `{"x":[1]}`, "s", "a\tb")
			}},
		{"escaped names and values", `{` + tm + `,"\u006fs":"l\u0069nux"}`,
			func(r *record.Record) { r.Props = props("os", "linux") }},
		{"unknown members under known prefixes are dotted", `{` + tm + `,"user":{"email":"a@x","id":7,"team":{"n":1}}}`,
			func(r *record.Record) {
				r.Email = "a@x"
				r.Props = props("user.id", "7", "user.team", `{"n":1}`)
			}},
		{"known prefix with a scalar", `{` + tm + `,"user":"ann"}`,
			func(r *record.Record) { r.Props = props("user", "ann") }},
		{"losing aliases are no props", `{` + tm + `,"ts":1,"mail":"a@x"}`,
			func(r *record.Record) { r.Email = "a@x" }},
		{"users elements keep no props", `{` + tm + `,"users":[{"email":"a@x","os":"mac"}]}`,
			func(r *record.Record) {
				r.Users = []record.UserElem{{User: record.User{Email: "a@x"}, Time: record.NoTime}}
			}},
	})
	runJSONCases(t, DecodeOptions{}, []jsonCase{
		{"props dropped unless kept", `{"os":"linux",` + tm + `,"props":{"country":"DE"}}`, nil},
	})
	m := Mapping{Fields: map[string]string{"props": "attributes"}}
	runJSONCases(t, DecodeOptions{Mapping: m, KeepProps: true}, []jsonCase{
		{"mapped props", `{` + tm + `,"attributes":{"os":"linux"},"props":{"a":"b"}}`,
			func(r *record.Record) { r.Props = props("os", "linux", "props", `{"a":"b"}`) }},
	})
}

func TestJSONLUsers(t *testing.T) {
	runJSONCases(t, DecodeOptions{}, []jsonCase{
		{"elements", `{` + tm + `,"system":"Jira","email":"rec@x","users":[` +
			`{"email":"a@x","username":"ann","display_name":"Ann A","first_name":"Ann","last_name":"A","company":"C","user_id":"1","service_account":"yes"},` +
			`{"login":"bob","user":{"email":"b@x"},"name":"Bob","system":"ADO","project":"Web","interaction":"mention","time":"2026-03-04T00:00:00Z"},` +
			`{}]}`,
			func(r *record.Record) {
				r.System, r.Email = "Jira", "rec@x"
				r.Users = []record.UserElem{
					{User: record.User{Email: "a@x", Username: "ann", DisplayName: "Ann A", FirstName: "Ann", LastName: "A",
						Company: "C", UserID: "1", ServiceAccount: true}, Time: record.NoTime},
					{User: record.User{Email: "b@x", Username: "bob", DisplayName: "Bob"}, System: "ADO", Project: "Web",
						Interaction: "mention", Time: 1772582400e9},
					{Time: record.NoTime},
				}
			}},
		{"element aliases keep their order", `{` + tm + `,"users":[{"mail":"c@x","email":"a@x","ts":1,"timestamp":1772532900}]}`,
			func(r *record.Record) {
				r.Users = []record.UserElem{{User: record.User{Email: "a@x"}, Time: t0}}
			}},
		{"record fields are not element fields", `{` + tm + `,"users":[{"count":-1,"action":"x","email":"a@x"}]}`,
			func(r *record.Record) {
				r.Users = []record.UserElem{{User: record.User{Email: "a@x"}, Time: record.NoTime}}
			}},
		{"empty array", `{` + tm + `,"users":[]}`, nil},
		{"null", `{` + tm + `,"users":null}`, nil},
	})
	t.Run("mapping applies to elements", func(t *testing.T) {
		m := Mapping{Fields: map[string]string{"email": "addr.primary"}}
		runJSONCases(t, DecodeOptions{Mapping: m}, []jsonCase{
			{"mapped", `{` + tm + `,"users":[{"addr":{"primary":"p@x"},"email":"no@x"}]}`,
				func(r *record.Record) {
					r.Users = []record.UserElem{{User: record.User{Email: "p@x"}, Time: record.NoTime}}
				}},
		})
	})
}

func TestJSONLRejects(t *testing.T) {
	tests := []struct {
		name, line     string
		reason, detail string
	}{
		{"truncated", `{"time":`, "invalid JSON", "unexpected end of line"},
		{"bare word", `hello`, "invalid JSON", `unexpected 'h' at column 1`},
		{"trailing comma", `{` + tm + `,}`, "invalid JSON", `unexpected '}' at column 32`},
		{"trailing garbage", `{` + tm + `} x`, "invalid JSON", `unexpected 'x' at column 33`},
		{"two objects", `{` + tm + `}{}`, "invalid JSON", `unexpected '{' at column 32`},
		{"single quotes", `{'time':1}`, "invalid JSON", `unexpected '\'' at column 2`},
		{"bad escape", `{` + tm + `,"a":"\x"}`, "invalid JSON", `unexpected 'x' at column 38`},
		{"short unicode escape", `{` + tm + `,"a":"\u12"}`, "invalid JSON", `unexpected 'u' at column 38`},
		{"control character", "{\"a\":\"x\ty\"," + tm + "}", "invalid JSON", `unexpected '\t' at column 8`},
		{"bad number", `{"time":01}`, "invalid JSON", `unexpected '1' at column 10`},
		{"bad fraction", `{"time":1.}`, "invalid JSON", `unexpected '}' at column 11`},
		{"bad literal", `{"time":nul}`, "invalid JSON", `unexpected 'n' at column 9`},
		{"broken skipped value", `{` + tm + `,"x":{"a":[1,,2]}}`, "invalid JSON", `unexpected ',' at column 44`},
		{"unclosed skipped value", `{` + tm + `,"x":{"a":[1,2}}`, "invalid JSON", `unexpected '}' at column 45`},
		{"missing colon in skipped object", `{` + tm + `,"x":{"a" 1}}`, "invalid JSON", `unexpected '1' at column 41`},
		{"too deep", `{` + tm + `,"x":` + strings.Repeat("[", 1002) + strings.Repeat("]", 1002) + `}`, "invalid JSON", `unexpected '[' at column 1037`},
		{"truncated props member", `{"props":{"":`, "invalid JSON", "unexpected end of line"}, // found by fuzzing
		{"syntax beats values", `{"users":[1],"count":-1,"time":`, "invalid JSON", "unexpected end of line"},
		{"array", `[1,2]`, "not an object", ""},
		{"array and garbage", `[1,2] x`, "invalid JSON", `unexpected 'x' at column 7`},
		{"string", `"x"`, "not an object", ""},
		{"number", ` 42 `, "not an object", ""},
		{"null", `null`, "not an object", ""},
		{"invalid UTF-8", "{" + tm + ",\"a\":\"\xff\"}", "invalid UTF-8", ""},
		{"no time", `{"system":"A"}`, "missing time", ""},
		{"empty time", `{"time":""}`, "missing time", ""},
		{"null time", `{"time":null}`, "missing time", ""},
		{"empty object", `{}`, "missing time", ""},
		{"bad time", `{"time":"yesterday"}`, "invalid time", "yesterday"},
		{"bad time number", `{"time":1e400}`, "invalid time", "1e400"},
		{"bool time", `{"time":true}`, "invalid time", "true"},
		{"time out of range", `{"time":"2300-01-01T00:00:00Z"}`, "invalid time", "2300-01-01T00:00:00Z (outside the years 1678-2261)"},
		{"epoch out of range", `{"time":-1e15}`, "invalid time", "-1e15 (outside the years 1678-2261)"},
		{"object time", `{"time":{"at":1}}`, "wrong type", "time"},
		{"bad integration_updated", `{` + tm + `,"integration_updated":"soon"}`, "invalid time", "integration_updated: soon"},
		{"negative count", `{` + tm + `,"count":-1}`, "invalid count", "-1"},
		{"fractional count", `{` + tm + `,"count":1.5}`, "invalid count", "1.5"},
		{"word count", `{` + tm + `,"count":"many"}`, "invalid count", "many"},
		{"bool count", `{` + tm + `,"count":true}`, "invalid count", "true"},
		{"hex count", `{` + tm + `,"count":"0x10"}`, "invalid count", "0x10"},
		{"huge count", `{` + tm + `,"count":1e30}`, "invalid count", "1e30"},
		{"negative duration", `{` + tm + `,"duration":-5}`, "invalid duration", "-5"},
		{"negative Go duration", `{` + tm + `,"duration":"-1s"}`, "invalid duration", "-1s"},
		{"word duration", `{` + tm + `,"duration":"long"}`, "invalid duration", "long"},
		{"NaN duration", `{` + tm + `,"duration":"NaN"}`, "invalid duration", "NaN"},
		{"bad outcome", `{` + tm + `,"outcome":"maybe"}`, "invalid outcome", "maybe"},
		{"bad kind", `{` + tm + `,"kind":"batch"}`, "invalid kind", "batch"},
		{"bad status", `{` + tm + `,"integration_status":"paused"}`, "invalid integration_status", "paused"},
		{"bad service_account", `{` + tm + `,"service_account":"maybe"}`, "invalid service_account", "maybe"},
		{"object email", `{` + tm + `,"email":{"a":1}}`, "wrong type", "email"},
		{"array system", `{` + tm + `,"system":["a"]}`, "wrong type", "system"},
		{"object type", `{` + tm + `,"type":{}}`, "wrong type", "type"},
		{"string props", `{` + tm + `,"props":"x"}`, "wrong type", "props"},
		{"object users", `{` + tm + `,"users":{"email":"a@x"}}`, "invalid users", "users is not an array"},
		{"string users", `{` + tm + `,"users":"a@x"}`, "invalid users", "users is not an array"},
		{"users element not an object", `{` + tm + `,"users":[{"email":"a@x"},"b@x"]}`, "invalid users", "users[1]: not an object"},
		{"users element null", `{` + tm + `,"users":[null]}`, "invalid users", "users[0]: not an object"},
		{"users element bad time", `{` + tm + `,"users":[{"time":"noon"}]}`, "invalid users", "users[0]: invalid time: noon"},
		{"users element wrong type", `{` + tm + `,"users":[{"email":["a"]}]}`, "invalid users", "users[0]: wrong type: email"},
		{"users element bad service_account", `{` + tm + `,"users":[{},{"service_account":"x"}]}`, "invalid users", "users[1]: invalid service_account: x"},
		{"first problem wins", `{` + tm + `,"count":-1,"outcome":"x"}`, "invalid outcome", "x"},
		{"time checked first", `{"count":-1}`, "missing time", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := decodeJSONLine(t, DecodeOptions{KeepProps: true}, tt.line)
			if len(col.recs) != 0 || len(col.rejects) != 1 {
				t.Fatalf("got records %+v, %d rejects; want one reject", col.recs, len(col.rejects))
			}
			r := col.rejects[0]
			exp := Reject{Source: "t.jsonl", Line: 1, Reason: tt.reason, Detail: tt.detail, Raw: []byte(tt.line)}
			if r.Source != exp.Source || r.Line != exp.Line || r.Reason != exp.Reason || r.Detail != exp.Detail || string(r.Raw) != string(exp.Raw) {
				t.Errorf("reject = %+q\nwant     %+q", r, exp)
			}
		})
	}
}

func TestJSONLLines(t *testing.T) {
	data := "\xEF\xBB\xBF{\"time\":1772532900,\"system\":\"A\"}\r\n" + // 1: BOM, CRLF
		"\r\n" + // 2: blank
		"   \t \n" + // 3: blank
		"{bad\r\n" + // 4: reject
		"\n" + // 5: blank
		"{\"time\":1772532900,\"system\":\"B\"}\n" + // 6
		"[]\n" + // 7: reject
		"{\"time\":1772532900,\"system\":\"C\"}" // 8: no final line end
	for _, first := range []int64{1, 1001} {
		in := &Input{Name: "dir/a.jsonl.gz", Format: FormatJSONL}
		c := &Chunk{Input: in, Data: []byte(data), FirstLine: first}
		col := decodeChunk(t, FormatJSONL, DecodeOptions{}, c)
		type loc struct {
			line int64
			what string
		}
		var got []loc
		for _, r := range col.recs {
			if r.Source != in.Name {
				t.Errorf("record source %q, want %q", r.Source, in.Name)
			}
			got = append(got, loc{r.Line, r.System})
		}
		for _, r := range col.rejects {
			if r.Source != in.Name {
				t.Errorf("reject source %q, want %q", r.Source, in.Name)
			}
			got = append(got, loc{r.Line, r.Reason + " " + string(r.Raw)})
		}
		// Records first, then rejects; line numbers relative to FirstLine.
		exp := []loc{{0, "A"}, {5, "B"}, {7, "C"}, {3, "invalid JSON {bad"}, {6, "not an object []"}}
		if first != 1 {
			// Past the first line a BOM is just a character, not valid JSON.
			exp = []loc{exp[1], exp[2], {0, "invalid JSON \xEF\xBB\xBF{\"time\":1772532900,\"system\":\"A\"}"}, exp[3], exp[4]}
		}
		for i := range exp {
			exp[i].line += first
		}
		if len(got) != len(exp) {
			t.Fatalf("FirstLine %d: got %v, want %v", first, got, exp)
		}
		for i := range exp {
			if got[i] != exp[i] {
				t.Errorf("FirstLine %d: item %d = %d %q, want %d %q", first, i, got[i].line, got[i].what, exp[i].line, exp[i].what)
			}
		}
	}
}

func TestSpecialMask(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		x := r.Uint64()
		if r.IntN(2) == 0 { // mostly printable, as in real strings
			x = x&0x3f3f3f3f3f3f3f3f | 0x4040404040404040
			x ^= uint64(r.IntN(256)) << (8 * r.IntN(8))
		}
		first := 8 // the first special byte; 8 for none
		for i := range 8 {
			if c := byte(x >> (8 * i)); !strPlain[c] {
				first = i
				break
			}
		}
		m := specialMask(x)
		if got := bits.TrailingZeros64(m) / 8; (m == 0) != (first == 8) || m != 0 && got != first {
			t.Fatalf("specialMask(%#016x) = %#016x: first special byte %d, want %d", x, m, got, first)
		}
	}
}

// The decoder guesses each key from the order the last record had (see
// jsonlDecoder.member); whatever it learnt, each line decodes as it does
// alone. The lines shuffle known, unknown, escaped and spaced keys, nested
// props and users[], and some are broken.
func TestJSONLLearntKeyOrderChangesNothing(t *testing.T) {
	members := []string{
		tm, `"system":"Jira"`, `"project":"P"`, `"email":"a@x"`, `"username":"ann"`,
		`"display_name":"Ann A"`, `"interaction":"view"`, `"duration":1.5`, `"kind":"sync"`,
		`"peer_system":"ADO"`, `"entity_id":"E-1"`, `"unknown":{"system":"no"}`, `"x":[1,"a"]`,
		`"sys\u0074em":"Esc"`, `"project" : "Spaced"`, `"props":{"os":"Linux","login":"pl"}`,
		`"users":[{"email":"b@x","system":"GitHub"},{"username":"bob","time":1772532900}]`,
		`"user":{"email":"nested@x"}`, `"user.email":"dotted@x"`, `"systemx":"not system"`,
		`"system":"Jira","system":"dup"`,
	}
	broken := []string{`"system":`, `"system" "A"`, `"system":"A"x`, `"sys`, `"system":"A",}`}
	m := Mapping{Fields: map[string]string{"username": "props.login", "email": "user.email"}}
	rng := rand.New(rand.NewPCG(7, 7))
	var lines []string
	for range 400 {
		perm := rng.Perm(len(members))
		var parts []string
		for _, i := range perm[:1+rng.IntN(len(perm))] {
			parts = append(parts, members[i])
		}
		if rng.IntN(10) == 0 {
			parts = append(parts, broken[rng.IntN(len(broken))])
		}
		lines = append(lines, "{"+strings.Join(parts, ",")+"}")
	}
	for _, opts := range []DecodeOptions{{}, {KeepProps: true}, {Mapping: m}} {
		all := []byte(strings.Join(lines, "\n"))
		col := decodeChunk(t, FormatJSONL, opts, &Chunk{Input: &Input{Name: "t.jsonl", Format: FormatJSONL}, Data: all, FirstLine: 1})
		var recs, rejects int
		for i, ln := range lines {
			alone := decodeJSONLine(t, opts, ln)
			switch {
			case len(alone.recs) == 1:
				if recs >= len(col.recs) {
					t.Fatalf("line %d: decoded alone, but not in the chunk", i+1)
				}
				alone.recs[0].Line = col.recs[recs].Line
				if diff := diffRecord(col.recs[recs], alone.recs[0]); diff != "" {
					t.Fatalf("%+v, line %d %s:%s", opts, i+1, ln, diff)
				}
				recs++
			default:
				if rejects >= len(col.rejects) || col.rejects[rejects].Line != int64(i+1) ||
					col.rejects[rejects].Reason != alone.rejects[0].Reason || col.rejects[rejects].Detail != alone.rejects[0].Detail {
					t.Fatalf("%+v, line %d %s: rejected alone (%+v), not so in the chunk", opts, i+1, ln, alone.rejects)
				}
				rejects++
			}
		}
		if recs != len(col.recs) || rejects != len(col.rejects) || rejects == 0 || recs == 0 {
			t.Fatalf("%+v: chunk gave %d records and %d rejects, alone %d and %d", opts, len(col.recs), len(col.rejects), recs, rejects)
		}
	}
}

// spelledAt agrees with a plain prefix test for keys shorter and longer
// than its 16-byte comparison, near the end of the data and not.
func TestKeySlotSpelledAt(t *testing.T) {
	for _, key := range []string{"a", "time", "display_name", "display_names", "peer_entity_type", "a_rather_long_key_name", "esc\"aped"} {
		tab := newKeyTable(1)
		tab.add(key, &jsonNode{})
		s := &tab.slots[tab.lookup([]byte(key))]
		for _, text := range []string{`"` + key + `":1`, `"` + key + `": 1`, `"` + key + `" :1`, `"` + key + `x":1`, `"` + key, `"` + key + `":` + strings.Repeat(" ", 20)} {
			for cut := len(text); cut >= 0; cut-- {
				b := []byte("  " + text[:cut])
				want := s.quoted != "" && strings.HasPrefix(string(b[2:]), s.quoted)
				if got := s.spelledAt(b, 2); got != want {
					t.Errorf("key %q, data %q: spelledAt = %v, want %v", key, b, got, want)
				}
			}
		}
	}
}
