package userusage

import (
	"sync"
	"testing"
)

func TestActionParameter(t *testing.T) {
	tests := []struct {
		category, action, want string
	}{
		{"", "comment", "usage:num_comment"},
		{"", "PushEvent", "usage:num_push_event"},
		{"", "push_event", "usage:num_push_event"},
		{"", "push-event", "usage:num_push_event"},
		{"", "  Push  Event!! ", "usage:num_push_event"},
		{"Source Control", "IssueCommentEvent", "source_control:num_issue_comment_event"},
		{"GitHub", "HTTPServerStart", "git_hub:num_http_server_start"},
		{"", "scan2Upload", "usage:num_scan2_upload"},
		{"Accounts", "Login", "accounts:num_login"},
		{"ÉQUIPE", "Créer", "équipe:num_créer"},
		{"!!!", "view", "usage:num_view"}, // a category of no letter is none
		// The built-in parameters win.
		{"", "events", ""},
		{"Usage", "Events", ""},
		{"accounts", "systems", ""},
		{"", "!!!", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		got, ok := ActionParameter(tt.category, tt.action)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ActionParameter(%q, %q) = %q, %v; want %q", tt.category, tt.action, got, ok, tt.want)
		}
		if ok && !validName(got) {
			t.Errorf("%q is not a valid parameter name", got)
		}
	}
}

func TestParamType(t *testing.T) {
	for name, want := range map[string]Type{
		"usage:num_events": TypeInt, "accounts:num_systems": TypeInt, "accounts:is_service_account": TypeBool,
		"accounts:username": TypeString, "accounts:last_activity_time": TypeDatetime,
		"gmail:num_emails_sent": TypeInt, "accounts:num_login": TypeInt,
		"accounts:creation_time": 0, "usage:num_": 0, "usage:events": 0,
	} {
		if got := paramType(name); got != want {
			t.Errorf("paramType(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestStoreConcurrentQueries: a Store answers queries from several
// goroutines at once (go test -race checks it).
func TestStoreConcurrentQueries(t *testing.T) {
	s := pagingStore(t, 2)
	q := query(t, Request{UserKey: "all", Date: "2026-03-03", MaxResults: "100", Filters: "usage:num_events>1"})
	want := render(allPages(t, s, q))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var got []byte
			err := s.Pages(q, true, func(p *Page) error { got = append(AppendJSON(got, p), '\n'); return nil })
			if err != nil || string(got) != want {
				t.Errorf("concurrent queries differ (%v)", err)
			}
		})
	}
	wg.Wait()
}
