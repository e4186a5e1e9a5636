package analytics

import (
	"slices"
	"testing"
	"time"
)

func TestClients(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	c, err := BuildClients(ds, ClientsOptions{Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics clients": the five active users in identity
	// order (emails first, then dave by username); frank has no day in
	// the range.
	var emails []string
	for _, u := range c.Users {
		emails = append(emails, u.Email+"/"+u.Username)
	}
	if want := []string{"alice@x.com/alice", "bob@x.com/", "carol@x.com/", "erin@x.com/", "/dave"}; !slices.Equal(emails, want) {
		t.Fatalf("users %q, want %q", emails, want)
	}
	if want := []string{"plan", "props.os", "props.version"}; !slices.Equal(c.Fields, want) {
		t.Errorf("fields %q, want %q", c.Fields, want)
	}
	tab := c.Report()[0]
	row := make([]Value, len(tab.Columns))
	tab.Row(0, row)
	// alice: Pro, Windows, version 4.2 (her 03-10 record), systems ADO and
	// Jira, first seen 02-25 10:00, last 03-10 10:00; 2 days, 3 sessions,
	// 5 events.
	if row[7].Text != "ADO; Jira" || row[10].Int != 2 || row[11].Int != 3 || row[12].Int != 5 {
		t.Errorf("alice: systems %q, days %d, sessions %d, events %d", row[7].Text, row[10].Int, row[11].Int, row[12].Int)
	}
	if !row[8].Time.Equal(time.Date(2026, 2, 25, 10, 0, 0, 0, time.UTC)) || !row[9].Time.Equal(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("alice: first %v, last %v", row[8].Time, row[9].Time)
	}
	if got := []string{row[13].Text, row[14].Text, row[15].Text}; !slices.Equal(got, []string{"Pro", "Windows", "4.2"}) {
		t.Errorf("alice's properties %q", got)
	}
	clear(row)
	tab.Row(3, row) // erin: no properties
	if !row[13].Empty || !row[14].Empty || !row[15].Empty {
		t.Errorf("erin's properties %+v, want none", row[13:])
	}
	// Paged: rows 2 and 3.
	c, err = BuildClients(ds, ClientsOptions{Segment: SegmentOptions{By: fieldOS}, Offset: 1, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 5 || len(c.Users) != 2 || c.Users[0].Email != "bob@x.com" || !slices.Equal(c.Segments, []string{"Linux", "Windows"}) {
		t.Errorf("page: %d of %d, first %s, segments %q", len(c.Users), c.Total, c.Users[0].Email, c.Segments)
	}
}
