package xlsx

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/usage"
)

// TestInjectionCorpus renders the shared payload corpus
// (testdata/injection/payloads.json) into every text column of the tables
// and reads the workbook back: each payload is a text cell holding exactly
// the payload, and no cell anywhere has a formula.
func TestInjectionCorpus(t *testing.T) {
	data, err := os.ReadFile("../../../testdata/injection/payloads.json")
	if err != nil {
		t.Fatal(err)
	}
	var payloads []string
	if err := json.Unmarshal(data, &payloads); err != nil {
		t.Fatal(err)
	}
	rep, wb := sampleReport()
	wb.Users, wb.UserCounts, wb.EntityTypes, wb.ProjectPairs, wb.SystemPairs = nil, nil, nil, nil, nil
	for _, p := range payloads {
		wb.Users = append(wb.Users, usage.UserRow{
			Email: p, Username: p, DisplayName: p, Interactions: []string{p},
			ObservedIn:   []usage.SystemSeen{{System: "S", First: wb.Period.From, Last: wb.Period.To}},
			IdentifiedBy: identity.ClassEmail, ProfileID: p,
		})
		wb.UserCounts = append(wb.UserCounts, usage.SystemUserCount{System: p, Count: 1})
		wb.EntityTypes = append(wb.EntityTypes, usage.EntityTypeRow{SystemPair: p, EndSystem: p, EntityType: p, Status: p})
		wb.ProjectPairs = append(wb.ProjectPairs, usage.ProjectPairRow{System1: p, System2: p, Project1: p, Project2: p, Status: p})
		wb.SystemPairs = append(wb.SystemPairs, usage.SystemPairRow{System1: p, System2: p})
	}
	f := open(t, render(t, rep, wb))

	// Each table lists its rows in its own order: find every payload in
	// every text column by value.
	columns := map[string][]int{
		SheetDetailedUser: {1, 2, 3, 4, 11},
		SheetUserCount:    {1},
		SheetEntityTypes:  {1, 2, 3, 4},
		SheetProjects:     {1, 2, 3, 4, 5},
		SheetSyncedData:   {1, 2},
	}
	for sheet, cols := range columns {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range cols {
			found := map[string]bool{}
			for r := 2; r <= len(rows); r++ {
				ref, _ := excelize.CoordinatesToCellName(col, r)
				ci := inspect(t, f, sheet, ref)
				if ci.kind == "text" {
					found[ci.value] = true
				}
			}
			for _, p := range payloads {
				if !found[p] {
					t.Errorf("%s column %d: no text cell holds %q", sheet, col, p)
				}
			}
		}
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if ci := inspect(t, f, sheet, ref); ci.formula != "" {
					t.Errorf("%s!%s has the formula %q", sheet, ref, ci.formula)
				}
			}
		}
	}
}
