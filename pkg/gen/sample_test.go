package gen

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sampleDir is the committed sample, relative to this package.
const sampleDir = "../../testdata/sample"

// sampleText returns the sample files as text: decompressed, by name.
func sampleText(t *testing.T, files []SampleFile) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range files {
		data := f.Data
		if strings.HasSuffix(f.Name, ".gz") {
			data = gunzip(t, data)
		}
		out[f.Name] = data
	}
	return out
}

func TestSampleDeterministic(t *testing.T) {
	a, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s: two builds differ", a[i].Name)
		}
	}
}

// TestSampleMatchesTestdata keeps the committed files equal to Sample().
// Compressed files are compared decompressed, so a change of compressor
// version does not matter.
func TestSampleMatchesTestdata(t *testing.T) {
	files, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	want := sampleText(t, files)
	var onDisk []SampleFile
	entries, err := os.ReadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(sampleDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		onDisk = append(onDisk, SampleFile{Name: e.Name(), Data: data})
	}
	got := sampleText(t, onDisk)
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s is missing from %s", name, sampleDir)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs from gen.Sample()", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s in %s is not part of gen.Sample()", name, sampleDir)
		}
	}
	if t.Failed() {
		t.Log("regenerate with: go run ./cmd/usagerep-gen -sample testdata/sample (then check README.md)")
	}
}

// sampleLines returns each file's lines (1-based: index 0 is line 1).
func sampleLines(t *testing.T) map[string][]string {
	t.Helper()
	files, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for name, data := range sampleText(t, files) {
		out[name] = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	return out
}

var refPattern = regexp.MustCompile("`([a-z-]+\\.(?:jsonl|csv)(?:\\.gz)?):([0-9]+)`")

// TestSampleReadmeReferences checks README.md against the data: every
// file:line reference exists, and in the tables with a "key" column at
// least one key token appears on each line the row refers to.
func TestSampleReadmeReferences(t *testing.T) {
	lines := sampleLines(t)
	readme, err := os.ReadFile(filepath.Join(sampleDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	keyCol, checked := -1, 0
	for n, line := range strings.Split(string(readme), "\n") {
		for _, m := range refPattern.FindAllStringSubmatch(line, -1) {
			file, num := m[1], m[2]
			i, _ := strconv.Atoi(num)
			if ls, ok := lines[file]; !ok || i < 1 || i > len(ls) {
				t.Errorf("README.md:%d: %s:%s does not exist", n+1, file, num)
			}
		}
		if !strings.HasPrefix(line, "|") {
			keyCol = -1
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if keyCol < 0 {
			// A header row: note where the key column is, if any.
			keyCol = slices.IndexFunc(cells, func(c string) bool { return strings.TrimSpace(c) == "key" })
			if keyCol < 0 {
				keyCol = len(cells) + 1 // a table without keys: check nothing
			}
			continue
		}
		if keyCol >= len(cells) {
			continue
		}
		keys := regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cells[keyCol], -1)
		refs := refPattern.FindAllStringSubmatch(line, -1)
		if len(keys) == 0 && len(refs) > 0 {
			t.Errorf("README.md:%d: a row with references has no key", n+1)
		}
		for _, m := range refs {
			i, _ := strconv.Atoi(m[2])
			if i < 1 || i > len(lines[m[1]]) {
				continue
			}
			text := lines[m[1]][i-1]
			if !slices.ContainsFunc(keys, func(k []string) bool { return strings.Contains(text, k[1]) }) {
				t.Errorf("README.md:%d: %s:%d has none of the keys %s: %s", n+1, m[1], i, cells[keyCol], text)
			}
			checked++
		}
	}
	if checked < 50 {
		t.Errorf("only %d references checked; is the README's table layout broken?", checked)
	}
}

// TestSampleMalformed checks that exactly the documented lines are
// malformed, so the rejects summary shows them and nothing else.
func TestSampleMalformed(t *testing.T) {
	want := []string{
		"github-events.jsonl:32 invalid JSON",
		"jira-servicenow-sync.csv:14 wrong column count",
		"servicenow-activity.csv:23 bad time",
	}
	files, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	blank := 0
	for name, data := range sampleText(t, files) {
		if strings.Contains(name, ".csv") {
			r := csv.NewReader(bytes.NewReader(data))
			r.FieldsPerRecord = -1
			header, err := r.Read()
			if err != nil {
				t.Fatal(err)
			}
			for {
				row, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				line, _ := r.FieldPos(0)
				switch {
				case len(row) != len(header):
					got = append(got, fmt.Sprintf("%s:%d wrong column count", name, line))
				case !goodTime(row[0]):
					got = append(got, fmt.Sprintf("%s:%d bad time", name, line))
				}
			}
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			var rec map[string]any
			switch {
			case len(sc.Bytes()) == 0:
				blank++
			case json.Unmarshal(sc.Bytes(), &rec) != nil:
				got = append(got, fmt.Sprintf("%s:%d invalid JSON", name, line))
			case !goodTime(rec["time"]):
				got = append(got, fmt.Sprintf("%s:%d bad time", name, line))
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("malformed lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if blank != 1 {
		t.Errorf("%d blank lines, want 1 (github-events.jsonl:43)", blank)
	}
}

// goodTime accepts the time spellings of spec 01-input.md that the sample
// uses.
func goodTime(v any) bool {
	switch v := v.(type) {
	case float64:
		return v > 0
	case string:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		if _, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return true
		}
		_, err := time.Parse(time.DateTime, v)
		return err == nil
	}
	return false
}

func TestWriteSample(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sample")
	if err := WriteSample(dir); err != nil {
		t.Fatal(err)
	}
	files, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil || !bytes.Equal(data, f.Data) {
			t.Errorf("%s: written file differs (%v)", f.Name, err)
		}
	}
}
