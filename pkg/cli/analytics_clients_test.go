package cli

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAnalyticsClients(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	code, stdout, stderr := run(t, "", analyticsArgs("clients", "--format", "csv", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics clients". Profile ids are derived; the rest is
	// checked column by column.
	head := []string{"Profile Id", "Email", "Username", "Display Name", "First name", "Last name", "Company", "Systems",
		"First seen", "Last seen", "Active days", "Sessions", "Events", "plan", "props.os", "props.version"}
	if len(recs) != 6 || !slices.Equal(recs[0], head) {
		t.Fatalf("CSV %v", recs)
	}
	want := [][]string{
		{"alice@x.com", "alice", "ADO; Jira", "2026-02-25T10:00:00Z", "2026-03-10T10:00:00Z", "2", "3", "5", "Pro", "Windows", "4.2"},
		{"bob@x.com", "", "GitHub", "2026-03-01T10:00:00Z", "2026-03-04T00:10:00Z", "3", "2", "5", "Free", "Linux", ""},
		{"carol@x.com", "", "Jira", "2026-02-01T11:00:00Z", "2026-03-12T11:00:00Z", "3", "3", "5", "Pro", "Windows", ""},
		{"erin@x.com", "", "ServiceNow", "2026-02-20T12:00:00Z", "2026-03-03T12:00:00Z", "1", "1", "1", "", "", ""},
		{"", "dave", "GitHub", "2026-03-09T08:00:00Z", "2026-03-14T08:00:00Z", "2", "2", "3", "", "Mac", ""},
	}
	for i, w := range want {
		r := recs[i+1]
		got := append([]string{r[1], r[2], r[7], r[8], r[9], r[10], r[11], r[12]}, r[13:]...)
		if !slices.Equal(got, w) {
			t.Errorf("row %d: %q, want %q", i+1, got, w)
		}
		if !strings.HasPrefix(r[0], "u-") {
			t.Errorf("row %d: profile id %q", i+1, r[0])
		}
	}

	// A page, by plan, as JSON.
	doc := runAnalyticsJSON(t, analyticsArgs("clients", "--limit", "2", "--offset", "3", "--segment-by", "plan", in)...)
	if got := rowsText(doc.Tables["clients"].Rows, "email", "username", "segment"); !slices.Equal(got, []string{"erin@x.com,,(none)", ",dave,(none)"}) {
		t.Errorf("page %v", got)
	}

	// The workbook's sheet is streamed; times are date cells in the zone.
	code, _, stderr = run(t, "", analyticsArgs("clients", "--tz", "Europe/Paris", "-o", "c.xlsx", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "c.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Clients")
	if err != nil {
		t.Fatal(err)
	}
	// In Paris, alice was first seen at 11:00.
	if len(rows) != 6 || rows[1][1] != "alice@x.com" || rows[1][8] != "2026-02-25 11:00:00" {
		t.Errorf("sheet rows %q", rows)
	}
}
