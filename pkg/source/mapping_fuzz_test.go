package source

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/usagerep/usagerep/pkg/record"
)

// FuzzMapping maps one field to a fuzzed path and checks that a bad
// mapping is refused with an error (never a panic), that a good one reads
// the value back from exactly that path, nested in JSON or as a CSV header,
// and that decoding any data through it keeps the decoders' accounting.
func FuzzMapping(f *testing.F) {
	for _, s := range [][3]string{
		{"username", "actor.login", "octo"},
		{"username", "props.login", "octo"},
		{"project", "props.repo.name", "o/r"},
		{"time", "created_at", "2026-03-03T10:15:00Z"},
		{"time", "meta.when", "1772532900"},
		{"email", "user.email", "A@X.com"},
		{"display_name", "name", " Ann  Lee "},
		{"username", "time", "ann"},
		{"username", "users.login", "ann"},
		{"system", "type", "Jira"},
		{"username", `we"ird,key.x`, `va"l,ue`},
		{"username", "a. b", "x"},
		{"colour", "x", "red"},
		{"username", "", "x"},
		{"username", "a..b", "x"},
		{"props", "meta", "x"},
		{"users", "people", "x"},
		{"count", "n", "3"},
	} {
		f.Add(s[0], s[1], s[2], []byte(nil))
	}
	for _, name := range badCorpus(f) {
		f.Add("username", "username", "x", readBad(f, name))
	}
	f.Fuzz(func(t *testing.T, field, path, value string, data []byte) {
		m := Mapping{Fields: map[string]string{field: path}}
		if field != "time" {
			m.Constants = map[string]string{"time": "1772532900"}
		}
		fid, known := lookupField(field)
		path = strings.TrimSpace(path)
		wantErr := !known || checkPath(path) != nil
		jd, err := NewDecoder(FormatJSONL, DecodeOptions{Mapping: m, KeepProps: true})
		if (err != nil) != wantErr {
			t.Fatalf("NewDecoder(%q=%q): error %v, want an error: %v", field, path, err, wantErr)
		}
		if err != nil {
			return
		}
		cd, err := NewDecoder(FormatCSV, DecodeOptions{Mapping: m, KeepProps: true})
		if err != nil {
			t.Fatalf("CSV decoder: %v, but the JSONL one was built", err)
		}
		checkAccounting(t, jd, cd, data)

		if !utf8.ValidString(path) || !utf8.ValidString(value) || strings.HasPrefix(path, byteOrderMark) {
			return
		}
		want := strings.TrimSpace(value)
		if want == "" || (fid != fTime && recordString(&record.Record{}, fid) == nil) {
			return // only text fields (and time) read back as they are
		}
		if fid == fTime {
			ns, err := record.ParseTime([]byte(want))
			if err != nil {
				return
			}
			want = strconv.FormatInt(ns, 10)
		}
		js := nestedJSON(path, value)
		if got, ok := decodeOne(t, jd, js, fid); !ok || got != want {
			t.Fatalf("%s=%q from JSON %s: got %q (ok %v), want %q", field, path, js, got, ok, want)
		}
		if strings.IndexByte(value, 0) >= 0 {
			return // a CSV record with a NUL is rejected
		}
		cs := csvOf(t, path, value)
		if got, ok := decodeOne(t, cd, cs, fid); !ok || got != want {
			t.Fatalf("%s=%q from CSV %q: got %q (ok %v), want %q", field, path, cs, got, ok, want)
		}
	})
}

// checkAccounting decodes data both ways: every non-blank JSON line is one
// record or one reject, and no CSV record or reject lies outside the data.
func checkAccounting(t *testing.T, jd, cd Decoder, data []byte) {
	t.Helper()
	nonBlank := 0
	for _, ln := range fuzzLines(bytes.TrimPrefix(data, utf8BOM)) {
		if !isBlank(ln) {
			nonBlank++
		}
	}
	col := &collector{}
	good, bad, err := jd.Decode(&Chunk{Input: &Input{Name: "f"}, Data: data, FirstLine: 1}, col, col.reject)
	if err != nil || good+bad != int64(nonBlank) {
		t.Fatalf("JSONL: %d good + %d bad for %d non-blank lines, err %v", good, bad, nonBlank, err)
	}
	col = &collector{}
	if _, _, err := cd.Decode(&Chunk{Input: &Input{Name: "f"}, Data: data, FirstLine: 1}, col, col.reject); err != nil {
		t.Fatal(err)
	}
	for _, r := range col.rejects {
		if r.Line < 2 || !bytes.Contains(data, r.Raw) {
			t.Fatalf("CSV reject %+v outside the data", r)
		}
	}
}

// nestedJSON puts value at the dotted path: {"a":{"b":value}}.
func nestedJSON(path, value string) []byte {
	segs := strings.Split(path, ".")
	var b bytes.Buffer
	for _, s := range segs {
		k, _ := json.Marshal(s)
		b.WriteByte('{')
		b.Write(k)
		b.WriteByte(':')
	}
	v, _ := json.Marshal(value)
	b.Write(v)
	b.WriteString(strings.Repeat("}", len(segs)))
	return b.Bytes()
}

// csvOf is a CSV file with path as its only header and value below it.
func csvOf(t *testing.T, path, value string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll([][]string{{path}, {value}}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decodeOne decodes data, which must hold one record, and returns the
// field fid of it: the text, or the time as Unix nanoseconds.
func decodeOne(t *testing.T, d Decoder, data []byte, fid fieldID) (string, bool) {
	t.Helper()
	col := &collector{}
	if _, _, err := d.Decode(&Chunk{Input: &Input{Name: "f"}, Data: data, FirstLine: 1}, col, col.reject); err != nil {
		t.Fatal(err)
	}
	if len(col.recs) != 1 || len(col.rejects) != 0 {
		t.Logf("records %+v, rejects %+v", col.recs, col.rejects)
		return "", false
	}
	r := &col.recs[0]
	if fid == fTime {
		return strconv.FormatInt(r.Time, 10), true
	}
	return *recordString(r, fid), true
}
