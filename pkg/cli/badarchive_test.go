package cli

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// rejectWant is one expected line of the rejects file. A line of -1 means
// "one past the good records read from source, of which there are some":
// what was read before the damage is kept.
type rejectWant struct {
	source string
	line   int64
	reason string
	detail string // a prefix of it
}

// TestBadInputArchives runs export on damaged and hostile bundles and
// compressed files, each followed by a good file: the damage is one reject
// at the right place, the records before it count, nothing in a bundle is
// written or followed, and the next input is read.
func TestBadInputArchives(t *testing.T) {
	lines := goodLines(2000)
	// zstd decodes whole blocks of up to 128 KiB: enough of them that a cut
	// leaves some whole.
	gz, zs := gzOf(t, lines), zstOf(t, goodLines(8000))
	two := []byte(`{"time":"2026-10-01T10:00:00Z","username":"ann"}` + "\n" + `{"time":"2026-10-01T11:00:00Z","username":"bob"}` + "\n")
	tr := tarBytes(t, tarMember{name: "a.jsonl", data: two}, tarMember{name: "b.jsonl", data: lines})
	zp := zipBytes(t, map[string][]byte{"a.jsonl": two, "b.jsonl": two})
	bomb := gzOf(t, bytes.Repeat(lines, 30)) // 4 MiB from ~200 KiB
	// 17 MiB (past the 16 MiB the ratio is first checked at) of 8 KiB
	// lines, which compress over 300 times.
	pad := `{"time":"2026-10-01T10:00:00Z","username":"pad","p":"` + strings.Repeat("z", 8<<10) + `"}` + "\n"
	ratioBomb := gzOf(t, bytes.Repeat([]byte(pad), 2200))
	hostileTar := tarBytes(t,
		tarMember{name: "../escape.jsonl", data: two},
		tarMember{name: "/abs/evil.jsonl", data: two},
		tarMember{name: "link.jsonl", typeflag: tar.TypeSymlink, link: "/etc/passwd"},
		tarMember{name: "hard.jsonl", typeflag: tar.TypeLink, link: "../escape.jsonl"},
		tarMember{name: "dev.jsonl", typeflag: tar.TypeChar},
		tarMember{name: "fifo.jsonl", typeflag: tar.TypeFifo},
	)
	hostileZip := zipBytes(t, map[string][]byte{"../../zescape.jsonl": two, "/zabs.jsonl": two})
	nested := zipBytes(t, map[string][]byte{"inner.zip": zipBytes(t, map[string][]byte{"a.jsonl": two}), "top.jsonl": two})

	for _, tc := range []struct {
		name    string
		file    string
		data    []byte
		args    []string
		rejects []rejectWant
		skipped []string         // "name: reason" lines on stderr
		read    map[string]int64 // records read by source, from the Summary sheet
	}{
		{name: "truncated gzip", file: "t.jsonl.gz", data: gz[:len(gz)*3/5],
			rejects: []rejectWant{{"t.jsonl.gz", -1, "corrupt input", "truncated (unexpected end of data)"}}},
		{name: "not gzip", file: "c.jsonl.gz", data: []byte("not gzip at all\n"),
			rejects: []rejectWant{{"c.jsonl.gz", 1, "corrupt input", "gzip: invalid header"}}, read: map[string]int64{"c.jsonl.gz": 1}},
		{name: "truncated zstd", file: "t.jsonl.zst", data: zs[:len(zs)*3/5],
			rejects: []rejectWant{{"t.jsonl.zst", -1, "corrupt input", ""}}},
		{name: "garbage zip", file: "g.zip", data: []byte("PK\x03\x04 this is not a zip"),
			rejects: []rejectWant{{"g.zip", 0, "corrupt input", "zip: not a valid zip file"}}},
		{name: "truncated zip", file: "t.zip", data: zp[:len(zp)-10],
			rejects: []rejectWant{{"t.zip", 0, "corrupt input", "zip: not a valid zip file"}}},
		{name: "zip member claims more bytes", file: "more.zip", data: lyingZip(t, two, len(two)+100),
			rejects: []rejectWant{{"more.zip:a.jsonl", 3, "corrupt input", "truncated"}}, read: map[string]int64{"more.zip:a.jsonl": 3}},
		{name: "truncated tar", file: "t.tar", data: tr[:len(tr)/2],
			rejects: []rejectWant{{"t.tar:b.jsonl", -1, "corrupt input", "truncated"}}, read: map[string]int64{"t.tar:a.jsonl": 2}},
		{name: "gzip bomb over the size limit", file: "bomb.jsonl.gz", data: bomb, args: []string{"--max-decompressed-bytes", "1MiB"},
			rejects: []rejectWant{{"bomb.jsonl.gz", -1, "decompression limit", "expands to more than 1048576 bytes"}}},
		{name: "gzip bomb over the ratio limit", file: "ratio.jsonl.gz", data: ratioBomb, args: []string{"--max-decompressed-ratio", "100"},
			rejects: []rejectWant{{"ratio.jsonl.gz", -1, "decompression limit", "expands more than 100 times"}}},
		{name: "hostile tar", file: "h.tar", data: hostileTar,
			skipped: []string{"h.tar:link.jsonl: link (not followed)", "h.tar:hard.jsonl: link (not followed)",
				"h.tar:dev.jsonl: device or pipe", "h.tar:fifo.jsonl: device or pipe"},
			read: map[string]int64{"h.tar:../escape.jsonl": 2, "h.tar:/abs/evil.jsonl": 2}},
		{name: "hostile zip", file: "h.zip", data: hostileZip,
			read: map[string]int64{"h.zip:../../zescape.jsonl": 2, "h.zip:/zabs.jsonl": 2}},
		{name: "nested bundle at depth 1", file: "n.zip", data: nested,
			skipped: []string{"n.zip:inner.zip: bundle nested more than 1 deep"}, read: map[string]int64{"n.zip:top.jsonl": 2}},
		{name: "nested bundle at depth 2", file: "n.zip", data: nested, args: []string{"--max-archive-depth", "2"},
			read: map[string]int64{"n.zip:inner.zip:a.jsonl": 2, "n.zip:top.jsonl": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := isolate(t)
			if err := os.Mkdir("in", 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir("in") // bundle members named ../x would land in base
			writeInput(t, tc.file, tc.data)
			writeInput(t, "after.jsonl", []byte(`{"time":"2026-10-01T10:00:00Z","username":"after"}`+"\n"))
			before := listTree(t, base)

			out := filepath.Join(base, "out.zip")
			args := append([]string{"export", "--as-of", "2026-11-22", "--period", "1y", "--rejects", "../rejects.jsonl", "-o", out}, tc.args...)
			code, _, stderr := run(t, "", append(args, tc.file, "after.jsonl")...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var skipped []string
			for ln := range strings.Lines(stderr) {
				if s, ok := strings.CutPrefix(ln, "usagerep: skipped "); ok {
					skipped = append(skipped, strings.TrimSuffix(s, "\n"))
				}
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("skipped %q, want %q", skipped, tc.skipped)
			}
			rows := rowsOf(t, readZip(t, out)["Usage Report (Last 1 Year).xlsx"], "Summary")
			readOf := func(source string) int64 {
				r := sourceRow(rows, source)
				if r == nil {
					t.Errorf("no Summary row for %s", source)
					return -1
				}
				n, err := strconv.ParseInt(strings.ReplaceAll(r[1], ",", ""), 10, 64)
				if err != nil {
					t.Errorf("Summary row %q: %v", r, err)
				}
				return n
			}
			got := readRejectsFile(t, filepath.Join(base, "rejects.jsonl"))
			if len(got) != len(tc.rejects) {
				t.Fatalf("rejects %+v, want %+v", got, tc.rejects)
			}
			for i, w := range tc.rejects {
				g := got[i]
				line := w.line
				if line < 0 {
					line = readOf(w.source) // the good records and this reject
					if line < 2 {
						t.Errorf("%s: %d records read before the damage, want some", w.source, line-1)
					}
				}
				if g.Source != w.source || g.Line != line || g.Reason != w.reason || !strings.HasPrefix(g.Detail, w.detail) {
					t.Errorf("reject %+v, want %s:%d %s (%s...)", g, w.source, line, w.reason, w.detail)
				}
			}
			for source, n := range tc.read {
				if got := readOf(source); got != n {
					t.Errorf("%s: %d records read, want %d", source, got, n)
				}
			}
			if got := readOf("after.jsonl"); got != 1 {
				t.Errorf("the next input: %d records read, want 1", got)
			}
			// Nothing from a bundle reached the file system.
			after := slices.DeleteFunc(listTree(t, base), func(p string) bool {
				return p == out || p == filepath.Join(base, "rejects.jsonl")
			})
			if !slices.Equal(after, before) {
				t.Errorf("files changed:\n%q\n->\n%q", before, after)
			}

			code, _, stderr = run(t, "", append(args, "--strict", tc.file, "after.jsonl")...)
			if want := min(len(tc.rejects), 1) * ExitInput; code != want {
				t.Errorf("--strict: exit %d, want %d: %s", code, want, stderr)
			}
		})
	}
}

// TestBadInputLimitFlags: the limits are set by flag, environment or
// config file, in sizes like 16MiB, and bad values are usage errors.
func TestBadInputLimitFlags(t *testing.T) {
	long := strings.Repeat("y", 2000)
	jsonl := `{"time":"2026-10-01T10:00:00Z","username":"ann"}` + "\n" +
		`{"time":"2026-10-01T10:00:00Z","username":"` + long + `"}` + "\n" +
		`{"time":"2026-10-01T11:00:00Z","username":"bob"}` + "\n"
	// A quoted field over the limit, with line ends inside it.
	csv := "time,username,note\n2026-10-01T10:00:00Z,ann,\n" +
		"2026-10-01T10:00:00Z,x,\"" + strings.Repeat("line\n", 400) + "\"\n" +
		"2026-10-01T11:00:00Z,bob,\n"
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T) // sets the limit some other way than a flag
		args   []string
		file   string
		data   string
		reject string // "line reason: detail"
	}{
		{name: "flag, JSONL", args: []string{"--max-line-bytes", "1KiB"}, file: "a.jsonl", data: jsonl,
			reject: "2 line too long: 2045 bytes, more than the limit of 1024"},
		{name: "flag, CSV quoted field", args: []string{"--max-line-bytes", "1KiB"}, file: "a.csv", data: csv,
			reject: "3 line too long: 2025 bytes, more than the limit of 1024"},
		{name: "environment", setup: func(t *testing.T) { t.Setenv("USAGEREP_MAX_LINE_BYTES", "1KiB") }, file: "a.jsonl", data: jsonl,
			reject: "2 line too long: 2045 bytes, more than the limit of 1024"},
		{name: "config file", setup: func(t *testing.T) {
			if err := os.WriteFile("usagerep.yaml", []byte("max-line-bytes: 1000\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, file: "a.jsonl", data: jsonl, reject: "2 line too long: 2045 bytes, more than the limit of 1000"},
		{name: "default", file: "a.jsonl", data: jsonl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			if tc.setup != nil {
				tc.setup(t)
			}
			writeInput(t, tc.file, []byte(tc.data))
			args := append([]string{"export", "-q", "--as-of", "2026-11-22", "--rejects", "rejects.jsonl"}, tc.args...)
			code, _, stderr := run(t, "", append(args, tc.file)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var want []string
			if tc.reject != "" {
				want = []string{tc.reject}
			}
			if got := readRejects(t, "rejects.jsonl", tc.file, []byte(tc.data)); !slices.Equal(got, want) {
				t.Errorf("rejects %q, want %q", got, want)
			}
			rows := rowsOf(t, readZip(t, "Usage Reports.zip")["Usage Report (Last 1 Year).xlsx"], "Summary")
			if got, wantGood := summaryValues(rows)["Records in window"], strconv.Itoa(3-len(want)); got != wantGood {
				t.Errorf("Records in window = %s, want %s", got, wantGood)
			}
		})
	}

	mini := fixturePath(t, "mini.jsonl")
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--max-line-bytes", "0"}, "--max-line-bytes must be between 1 and 1GiB"},
		{[]string{"--max-line-bytes", "2GiB"}, "--max-line-bytes must be between 1 and 1GiB"},
		{[]string{"--max-line-bytes", "lots"}, `invalid size "lots"`},
		{[]string{"--max-line-bytes", "-1"}, `invalid size "-1"`},
		{[]string{"--max-archive-depth", "0"}, "--max-archive-depth must be 1 or more"},
		{[]string{"--max-decompressed-ratio", "-1"}, "--max-decompressed-ratio must be 0 (off) or more"},
		{[]string{"--max-decompressed-ratio", "NaN"}, "--max-decompressed-ratio must be 0 (off) or more"},
		{[]string{"--max-decompressed-bytes", "5 apples"}, `invalid size "5 apples"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			isolate(t)
			code, _, stderr := run(t, "", append(append([]string{"export", "--as-of", "2026-11-22"}, tc.args...), mini)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.says) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line saying %q", code, stderr, tc.says)
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		text string
	}{
		{"16MiB", 16 << 20, "16MiB"}, {"256GiB", 256 << 30, "256GiB"}, {"1048576", 1 << 20, "1MiB"},
		{"1.5KiB", 1536, "1536"}, {"1000", 1000, "1000"}, {"1MB", 1e6, "1000000"}, {"0", 0, "0"}, {"2TiB", 2 << 40, "2TiB"},
	} {
		var b byteSize
		if err := b.Set(tc.in); err != nil || int64(b) != tc.n || b.String() != tc.text {
			t.Errorf("Set(%q): %d %q %v; want %d %q", tc.in, int64(b), b.String(), err, tc.n, tc.text)
		}
	}
}

// goodLines are n good records of distinct users.
func goodLines(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"time":"2026-10-01T10:00:00Z","system":"GitHub","username":"user%d"}`+"\n", i)
	}
	return b.Bytes()
}

type rejectEntry struct {
	Source, Reason, Detail string
	Line                   int64
}

func readRejectsFile(t *testing.T, path string) []rejectEntry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []rejectEntry
	for ln := range bytes.Lines(data) {
		var r rejectEntry
		if err := json.Unmarshal(ln, &r); err != nil {
			t.Fatalf("rejects line %q: %v", ln, err)
		}
		out = append(out, r)
	}
	return out
}

func writeInput(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		out = append(out, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gzOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstOf(t *testing.T, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(data, nil)
}

type tarMember struct {
	name     string
	data     []byte
	typeflag byte // 0: a regular file
	link     string
}

func tarBytes(t *testing.T, members ...tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: m.typeflag, Linkname: m.link}
		if m.typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBytes is a zip of the members, in name order.
func zipBytes(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(members[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip is a zip whose one stored member, a.jsonl, claims size bytes.
func lyingZip(t *testing.T, data []byte, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateRaw(&zip.FileHeader{Name: "a.jsonl", Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(size)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
