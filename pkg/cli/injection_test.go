package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestFormulaInjection puts every payload of testdata/injection into every
// text field of an input and exports it: in every workbook, no cell has a
// formula, and each payload (trimmed, as input is) is a text cell.
func TestFormulaInjection(t *testing.T) {
	data, err := os.ReadFile("../../testdata/injection/payloads.json")
	if err != nil {
		t.Fatal(err)
	}
	var payloads []string
	if err := json.Unmarshal(data, &payloads); err != nil {
		t.Fatal(err)
	}
	dir := isolate(t)
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, p := range payloads {
		for _, rec := range []map[string]any{
			{"time": "2026-10-01T10:00:00Z", "system": p, "project": p, "username": p, "display_name": p,
				"email": p, "interaction": p, "action": p},
			{"time": "2026-10-01T11:00:00Z", "kind": "sync", "system": p, "project": p, "entity_type": p, "entity_id": p,
				"peer_system": "Peer " + p, "peer_project": p, "peer_entity_type": p, "peer_entity_id": p, "integration": p},
		} {
			if err := enc.Encode(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile("payloads.jsonl", in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "export", "-q", "--as-of", "2026-11-22", "payloads.jsonl")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, f := range readZip(t, filepath.Join(dir, "Usage Reports.zip")) {
		text := map[string]bool{} // the values of text cells
		for _, sheet := range f.GetSheetList() {
			for r, row := range rowsOf(t, f, sheet) {
				for c := range row {
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					formula, err := f.GetCellFormula(sheet, ref)
					if err != nil || formula != "" {
						t.Errorf("%s: %s!%s has the formula %q (%v)", name, sheet, ref, formula, err)
					}
					typ, err := f.GetCellType(sheet, ref)
					if err != nil {
						t.Fatal(err)
					}
					if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
						text[row[c]] = true
					}
				}
			}
		}
		for _, p := range payloads {
			if p = strings.TrimSpace(p); !text[p] {
				t.Errorf("%s: no text cell holds %q", name, p)
			}
		}
	}
}
