package userusage

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRequestErrors(t *testing.T) {
	tests := []struct {
		name    string
		r       Request
		param   string
		wantErr string
	}{
		{"no user", Request{Date: "2026-03-03"}, "userKey", "a user key is required"},
		{"no date", Request{UserKey: "all"}, "date", "a date is required"},
		{"both forms", Request{UserKey: "all", Date: "2026-03-03", From: "2026-03-01"}, "date", "not both"},
		{"half a range", Request{UserKey: "all", From: "2026-03-01"}, "date", "needs both"},
		{"bad date", Request{UserKey: "all", Date: "2026-3-3"}, "date", `invalid date "2026-3-3" (want YYYY-MM-DD`},
		{"no such day", Request{UserKey: "all", Date: "2026-02-30"}, "date", `invalid date "2026-02-30"`},
		{"range as a date", Request{UserKey: "all", Date: "2026-03-01..2026-03-03"}, "date", `"2026-03-01..2026-03-03" is a range: give its first date as from (2026-03-01) and its last as to (2026-03-03)`},
		{"half a range as a date", Request{UserKey: "all", Date: "2026-03-01/March"}, "date", `invalid date "2026-03-01/March"`},
		{"bad from", Request{UserKey: "all", From: "March", To: "2026-03-01"}, "from", `invalid date "March"`},
		{"reversed", Request{UserKey: "all", From: "2026-03-02", To: "2026-03-01"}, "to", "the last date 2026-03-01 is before the first 2026-03-02"},
		{"bad parameter", Request{UserKey: "all", Date: "2026-03-03", Parameters: "accounts:num_systems,num_events"}, "parameters", `invalid parameter "num_events" (want app:name`},
		{"bad filter", Request{UserKey: "all", Date: "2026-03-03", Filters: "usage:num_events=>1"}, "filters", `invalid filter "usage:num_events=>1"`},
		{"max 0", Request{UserKey: "all", Date: "2026-03-03", MaxResults: "0"}, "maxResults", `invalid value "0": values must be within the range [1, 1000]`},
		{"max 1001", Request{UserKey: "all", Date: "2026-03-03", MaxResults: "1001"}, "maxResults", "[1, 1000]"},
		{"max text", Request{UserKey: "all", Date: "2026-03-03", MaxResults: "ten"}, "maxResults", `invalid value "ten"`},
		{"bad token", Request{UserKey: "all", Date: "2026-03-03", PageToken: "not a token"}, "pageToken", "invalid page token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequest(tt.r)
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if qe.Param != tt.param || qe.Status != 400 || !strings.Contains(qe.Message, tt.wantErr) {
				t.Errorf("error %+v, want param %s, status 400 and a message containing %q", qe, tt.param, tt.wantErr)
			}
		})
	}
}

func TestParseRequest(t *testing.T) {
	q := query(t, Request{UserKey: " ALL ", Date: "2026-03-03", Parameters: " usage:num_events, accounts:num_systems,usage:num_events,, ", MaxResults: " 7 ", CustomerID: "C1"})
	if q.UserKey != "all" || q.From != day(t, "2026-03-03") || q.To != q.From || q.MaxResults != 7 || q.CustomerID != "C1" {
		t.Errorf("query %+v", q)
	}
	if want := []string{"accounts:num_systems", "usage:num_events"}; !slices.Equal(q.Parameters, want) {
		t.Errorf("parameters %v, want %v", q.Parameters, want)
	}
	if q := query(t, Request{UserKey: "a@x.com", From: "2026-02-27", To: "2026-03-02"}); q.MaxResults != 1000 || len(q.Dates()) != 4 || q.Dates()[3].String() != "2026-03-02" {
		t.Errorf("range query %+v, dates %v", q, q.Dates())
	}
}

// TestCheckDates: the API's rules and messages, against as-of.
func TestCheckDates(t *testing.T) {
	asOf := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC) // the end of 2026-03-04
	tests := []struct {
		r       Request
		wantErr string
	}{
		{Request{UserKey: "all", Date: "2026-03-04"}, ""},
		{Request{UserKey: "all", Date: "2026-03-05"}, "date: Data for dates later than 2026-03-04 is not yet available. Please check back later"},
		{Request{UserKey: "all", From: "2026-03-01", To: "2026-03-05"}, "Data for dates later than 2026-03-04"},
		{Request{UserKey: "all", Date: "2024-12-09"}, ""}, // exactly 450 days before
		{Request{UserKey: "all", Date: "2024-12-08"}, "date: Data for dates earlier than 2024-12-09 is not available"},
		{Request{UserKey: "all", From: "2024-12-08", To: "2026-03-01"}, "earlier than 2024-12-09"},
	}
	for _, tt := range tests {
		err := query(t, tt.r).CheckDates(asOf, time.UTC)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", tt.r, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%+v: error %v, want %q", tt.r, err, tt.wantErr)
		}
	}
	// As-of in the middle of a day: that day is the last.
	mid := time.Date(2026, 3, 4, 18, 0, 0, 0, time.UTC)
	if err := query(t, Request{UserKey: "all", Date: "2026-03-04"}).CheckDates(mid, time.UTC); err != nil {
		t.Errorf("the as-of day itself: %v", err)
	}
	// In Tokyo, 2026-03-05T00:00Z is already 09:00 on the 5th.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if err := query(t, Request{UserKey: "all", Date: "2026-03-05"}).CheckDates(asOf, tokyo); err != nil {
		t.Errorf("2026-03-05 in Tokyo: %v", err)
	}
}

func TestPageTokenRoundTrip(t *testing.T) {
	for _, c := range []cursor{
		{date: 20515, email: "a@x.com", profileID: "u-0123456789abcdef"},
		{date: -100000, email: "", profileID: "ü", dup: 3},
		{date: 0, email: strings.Repeat("x", 300), profileID: "p"},
	} {
		hash := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
		tok := encodeToken(hash, c)
		if strings.ContainsAny(tok, "+/=") {
			t.Errorf("token %q is not base64url without padding", tok)
		}
		got, h, err := decodeToken(tok)
		if err != nil || got != c || h != hash {
			t.Errorf("%+v: decoded %+v %v %v", c, got, h, err)
		}
	}
	// Every truncation and a trailing byte are rejected.
	raw, _ := base64.RawURLEncoding.DecodeString(encodeToken([8]byte{}, cursor{date: 20515, email: "a@x.com", profileID: "p"}))
	for n := range len(raw) {
		if _, _, err := decodeToken(base64.RawURLEncoding.EncodeToString(raw[:n])); err == nil {
			t.Errorf("token cut to %d bytes decodes", n)
		}
	}
	if _, _, err := decodeToken(base64.RawURLEncoding.EncodeToString(append(raw, 0))); err == nil {
		t.Error("token with a trailing byte decodes")
	}
	bad := slices.Clone(raw)
	bad[0] = 2
	if _, _, err := decodeToken(base64.RawURLEncoding.EncodeToString(bad)); err == nil {
		t.Error("token of version 2 decodes")
	}
}

// TestPageTokenOtherQuery: a token is good only for the query that gave it.
func TestPageTokenOtherQuery(t *testing.T) {
	base := Request{UserKey: "all", Date: "2026-03-03", Parameters: "usage:num_events", Filters: "usage:num_events>1,accounts:num_systems>=1", MaxResults: "2", CustomerID: "C"}
	tok := encodeToken(query(t, base).hash, cursor{date: day(t, "2026-03-03"), email: "a@x.com", profileID: "p"})

	same := base
	same.PageToken = tok
	same.Filters = "accounts:num_systems>=1 , usage:num_events%3E1" // the same conditions
	same.Parameters = "usage:num_events,usage:num_events"
	if _, err := ParseRequest(same); err != nil {
		t.Errorf("the same query: %v", err)
	}
	for name, change := range map[string]func(*Request){
		"user":       func(r *Request) { r.UserKey = "a@x.com" },
		"date":       func(r *Request) { r.Date = "2026-03-02" },
		"range":      func(r *Request) { r.Date, r.From, r.To = "", "2026-03-03", "2026-03-04" },
		"parameters": func(r *Request) { r.Parameters = "" },
		"filters":    func(r *Request) { r.Filters = "usage:num_events>2" },
		"max":        func(r *Request) { r.MaxResults = "3" },
		"customer":   func(r *Request) { r.CustomerID = "D" },
	} {
		r := base
		r.PageToken = tok
		change(&r)
		_, err := ParseRequest(r)
		if err == nil || !strings.Contains(err.Error(), "pageToken: the page token belongs to another query") {
			t.Errorf("%s changed: error %v", name, err)
		}
	}
}

// FuzzDecodePageToken: any text decodes or fails, never panics, and what
// decodes encodes back to the same text.
func FuzzDecodePageToken(f *testing.F) {
	f.Add(encodeToken([8]byte{9}, cursor{date: 20515, email: "a@x.com", profileID: "u-1"}))
	f.Add(encodeToken([8]byte{}, cursor{}))
	f.Add("")
	f.Add("AQ")
	f.Add("!!!!")
	f.Fuzz(func(t *testing.T, s string) {
		c, hash, err := decodeToken(s)
		if err != nil {
			return
		}
		if again := encodeToken(hash, c); again != s {
			t.Fatalf("%q decodes to %+v, which encodes as %q", s, c, again)
		}
		// A query rejects it, or takes it, without panicking.
		_, _ = ParseRequest(Request{UserKey: "all", Date: "2026-03-03", PageToken: s})
	})
}
