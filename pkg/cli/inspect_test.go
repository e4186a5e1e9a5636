package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/spf13/viper"

	"github.com/usagerep/usagerep/pkg/inspect"
)

// updateGolden rewrites golden files instead of comparing (cue's way: an
// environment variable, so that `go test ./...` needs no extra flag).
var updateGolden = os.Getenv("USAGEREP_UPDATE_GOLDEN") != ""

func repoTestdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInspectGolden compares the text report of each committed excerpt
// (real GitHub, Wikipedia and git log data, and a foreign CSV) with its
// golden file: what a support engineer reads, advice included.
func TestInspectGolden(t *testing.T) {
	src := repoTestdata(t, "inspect")
	goldenDir := fixturePath(t, "inspect")
	isolate(t)
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"gharchive.golden", []string{"gharchive-excerpt.jsonl"}},
		{"gharchive-profile.golden", []string{"--profile", "github-events", "gharchive-excerpt.jsonl"}},
		{"wikiticker.golden", []string{"wikiticker-excerpt.jsonl"}},
		{"gitlog.golden", []string{"gitlog-excerpt.jsonl"}},
		{"audit.golden", []string{"audit.csv"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			t.Chdir(src) // inputs named as a user would, relative
			code, stdout, stderr := run(t, "", append([]string{"inspect", "-q"}, tt.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			path := filepath.Join(goldenDir, tt.golden)
			if updateGolden {
				if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (USAGEREP_UPDATE_GOLDEN=1 go test ./pkg/cli -run TestInspectGolden writes it)", err)
			}
			if stdout != string(want) {
				t.Errorf("inspect %s differs from %s:\n%s", strings.Join(tt.args, " "), tt.golden, stdout)
			}
		})
	}
}

func writeTarGz(t *testing.T, path string, members map[string][]byte, order []string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range order {
		data := members[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func zstdBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return w.EncodeAll(data, nil)
}

// TestInspectBundle checks the inputs, members, formats, compression,
// skipped members and reject examples of a tar.gz bundle, through --json.
func TestInspectBundle(t *testing.T) {
	dir := isolate(t)
	jsonl := `{"time":"2026-10-01T10:00:00Z","system":"Jira","email":"a@x.com","username":"a"}
{"time":"bad"}
{"time":"2026-10-02T10:00:00Z","system":"Jira","email":"b@x.com","props":{"os":"linux"},"build":"7"}
`
	csv := "time,system,display_name\n2026-10-03 10:00:00,ServiceNow,Carol\n2026-10-04 10:00:00,ServiceNow\n"
	writeTarGz(t, filepath.Join(dir, "bundle.tgz"), map[string][]byte{
		"logs/a.jsonl": []byte(jsonl), "logs/b.csv.zst": zstdBytes(t, []byte(csv)), "README.md": []byte("hi"),
	}, []string{"logs/a.jsonl", "logs/b.csv.zst", "README.md"})

	code, stdout, stderr := run(t, "", "inspect", "--json", "bundle.tgz")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "inspected 5 records (2 rejected) from 2 inputs") {
		t.Errorf("stderr %q has no summary line", stderr)
	}
	var r inspect.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if len(r.Inputs) != 1 {
		t.Fatalf("inputs %+v", r.Inputs)
	}
	in := r.Inputs[0]
	if in.Name != "bundle.tgz" || in.Bundle != "tar" || strings.Join(in.Compression, ",") != "gzip" || in.Records != 5 || in.Rejected != 2 {
		t.Errorf("input %+v", in)
	}
	want := []inspect.Member{
		{Name: "logs/a.jsonl", Format: "jsonl", Records: 3, Rejected: 1},
		{Name: "logs/b.csv.zst", Format: "csv", Compression: []string{"zstd"}, Records: 2, Rejected: 1},
	}
	if got, _ := json.Marshal(in.Members); string(got) != mustJSON(t, want) {
		t.Errorf("members %s, want %s", got, mustJSON(t, want))
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Name != "bundle.tgz:README.md" {
		t.Errorf("skipped %+v", r.Skipped)
	}
	if len(r.Reasons) != 2 {
		t.Fatalf("reasons %+v", r.Reasons)
	}
	for _, rs := range r.Reasons {
		if rs.Records != 1 || len(rs.Examples) != 1 {
			t.Errorf("reason %+v", rs)
			continue
		}
		ex := rs.Examples[0]
		switch rs.Reason {
		case "invalid time":
			if ex.Source != "bundle.tgz:logs/a.jsonl" || ex.Line != 2 || ex.Detail != "bad" {
				t.Errorf("invalid time example %+v", ex)
			}
		case "wrong column count":
			if ex.Source != "bundle.tgz:logs/b.csv.zst" || ex.Line != 3 {
				t.Errorf("column count example %+v", ex)
			}
		default:
			t.Errorf("unexpected reason %q", rs.Reason)
		}
	}
	if r.Accepted != 3 || r.Users.Identities != 3 || r.Users.WithoutUser != 0 {
		t.Errorf("accepted %d, identities %d, without user %d", r.Accepted, r.Users.Identities, r.Users.WithoutUser)
	}
	if len(r.Unmapped) != 1 || r.Unmapped[0].Name != "build" || len(r.Properties) != 1 || r.Properties[0].Name != "os" {
		t.Errorf("unmapped %+v, properties %+v", r.Unmapped, r.Properties)
	}
	if !r.Advice.Canonical {
		t.Errorf("advice %+v", r.Advice)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInspectAgreesWithExport checks inspect's users against export's over
// a window that holds every record of the sample.
func TestInspectAgreesWithExport(t *testing.T) {
	sample := repoTestdata(t, "sample")
	isolate(t)
	code, stdout, stderr := run(t, "", "inspect", "--json", "-q", sample)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	var r inspect.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "", "export", "--as-of", "2030-01-01", "--period", "10y", "-o", "all.zip", sample)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`; ([0-9,]+) users in`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no user count in %q", stderr)
	}
	if got := groupDigits(int64(r.Users.Identities)); got != m[1] || r.Records != 291 || r.Rejected != 3 {
		t.Errorf("inspect: %s users, %d records, %d rejected; export: %s users", got, r.Records, r.Rejected, m[1])
	}
}

// TestInspectTerminal checks the terminal conventions: relative times and
// bold headings on a terminal, none of it under NO_COLOR or in a pipe.
func TestInspectTerminal(t *testing.T) {
	mini := fixturePath(t, "mini.jsonl")
	isolate(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	render := func(tty, noColor bool) string {
		var out bytes.Buffer
		ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}, StdoutTTY: tty, NoColor: noColor}
		var opts *inspectOptions
		cmd := newInspectCmd(&app{io: ios, config: viper.New()}, func(_ context.Context, o *inspectOptions) error {
			opts = o
			return nil
		})
		cmd.SetArgs([]string{"-q", mini})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		opts.Now = func() time.Time { return now }
		if err := runInspect(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	tty := render(true, false)
	if !strings.Contains(tty, "\x1b[1mRecords:\x1b[0m") || !strings.Contains(tty, "time range: 2025-01-01 10:00 to 2026-10-03 10:00 UTC, about 1 month ago\n") {
		t.Errorf("terminal output has no bold heading or relative time:\n%s", tty)
	}
	plain := render(true, true)
	if strings.Contains(plain, "\x1b[") || !strings.Contains(plain, "about 1 month ago") {
		t.Errorf("NO_COLOR output:\n%s", plain)
	}
	piped := render(false, false)
	if strings.Contains(piped, "\x1b[") || strings.Contains(piped, " ago") || !strings.Contains(piped, "2025-01-01T10:00:00Z to 2026-10-03T10:00:00Z") {
		t.Errorf("piped output:\n%s", piped)
	}
}
