package source

import (
	"archive/tar"
	"bytes"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zip"

	"github.com/usagerep/usagerep/pkg/record"
)

// counts is what a test expects of one source: its name and records read.
type counts struct {
	name    string
	records int64
}

func sourceCounts(st Stats) []counts {
	var out []counts
	for _, s := range st.Sources {
		out = append(out, counts{s.Name, s.Records})
	}
	return out
}

func TestScanSourceKinds(t *testing.T) {
	three := []byte("a\nb\nc\n")
	csvData := []byte("h1,h2\n1,2\n\"3\n3\",4\n")
	inner := tarOf(t,
		member{name: "a.jsonl", data: three},
		member{name: "deeper.zip", data: zipOf(t, member{name: "b.jsonl", data: []byte("b\n")})},
	)
	outer := zipOf(t, member{name: "inner.tar.gz", data: gzipOf(t, inner)}, member{name: "top.jsonl", data: []byte("t\n")})

	for _, tc := range []struct {
		name    string
		files   map[string][]byte
		paths   []string // relative to the temp dir; default: the one file
		opts    ScanOptions
		want    []counts // names relative to the temp dir
		skipped []SkippedInput
	}{
		{name: "jsonl", files: map[string][]byte{"a.jsonl": three}, want: []counts{{"a.jsonl", 3}}},
		{name: "ndjson unterminated", files: map[string][]byte{"a.ndjson": []byte("a\nb")}, want: []counts{{"a.ndjson", 2}}},
		{name: "csv", files: map[string][]byte{"a.csv": csvData}, want: []counts{{"a.csv", 2}}},
		{name: "gzip", files: map[string][]byte{"a.jsonl.gz": gzipOf(t, three)}, want: []counts{{"a.jsonl.gz", 3}}},
		{name: "gzip multistream", files: map[string][]byte{"a.jsonl.gz": append(gzipOf(t, three), gzipOf(t, three)...)},
			want: []counts{{"a.jsonl.gz", 6}}},
		{name: "zstd", files: map[string][]byte{"a.csv.zst": zstdOf(t, csvData)}, want: []counts{{"a.csv.zst", 2}}},
		{name: "forced format", files: map[string][]byte{"events.log.gz": gzipOf(t, three)},
			opts: ScanOptions{Format: FormatJSONL}, want: []counts{{"events.log.gz", 3}}},
		{name: "tar", files: map[string][]byte{"b.tar": tarOf(t,
			member{name: "logs/", typeflag: tar.TypeDir},
			member{name: "logs/a.jsonl", data: three},
			member{name: "logs/b.csv.gz", data: gzipOf(t, csvData)},
			member{name: "logs/events.log", data: three},
			member{name: "logs/.hidden.jsonl", data: three},
		)},
			want:    []counts{{"b.tar:logs/a.jsonl", 3}, {"b.tar:logs/b.csv.gz", 2}},
			skipped: []SkippedInput{{"b.tar:logs/events.log", "unrecognised file type"}}},
		{name: "tar.gz", files: map[string][]byte{"b.tar.gz": gzipOf(t, tarOf(t, member{name: "a.jsonl", data: three}))},
			want: []counts{{"b.tar.gz:a.jsonl", 3}}},
		{name: "tgz", files: map[string][]byte{"b.tgz": gzipOf(t, tarOf(t, member{name: "a.jsonl", data: three}))},
			want: []counts{{"b.tgz:a.jsonl", 3}}},
		{name: "tar.zst", files: map[string][]byte{"b.tar.zst": zstdOf(t, tarOf(t, member{name: "a.csv", data: csvData}))},
			want: []counts{{"b.tar.zst:a.csv", 2}}},
		{name: "zip", files: map[string][]byte{"b.zip": zipOf(t,
			member{name: "dir/a.jsonl", data: three},
			member{name: "dir/b.csv", data: csvData},
			member{name: "__MACOSX/dir/._a.jsonl", data: []byte{0, 5, 22, 7}},
			member{name: "README.md", data: []byte("# hi")},
		)},
			want:    []counts{{"b.zip:dir/a.jsonl", 3}, {"b.zip:dir/b.csv", 2}},
			skipped: []SkippedInput{{"b.zip:README.md", "unrecognised file type"}}},
		{name: "compressed zip", files: map[string][]byte{"b.zip.gz": gzipOf(t, zipOf(t, member{name: "a.jsonl", data: three}))},
			want: []counts{{"b.zip.gz:a.jsonl", 3}}},
		{name: "nested at depth 1", files: map[string][]byte{"outer.zip": outer},
			want:    []counts{{"outer.zip:top.jsonl", 1}},
			skipped: []SkippedInput{{"outer.zip:inner.tar.gz", "bundle nested more than 1 deep"}}},
		{name: "nested at depth 2", files: map[string][]byte{"outer.zip": outer}, opts: ScanOptions{MaxArchiveDepth: 2},
			want:    []counts{{"outer.zip:inner.tar.gz:a.jsonl", 3}, {"outer.zip:top.jsonl", 1}},
			skipped: []SkippedInput{{"outer.zip:inner.tar.gz:deeper.zip", "bundle nested more than 2 deep"}}},
		{name: "nested at depth 3", files: map[string][]byte{"outer.zip": outer}, opts: ScanOptions{MaxArchiveDepth: 3},
			want: []counts{{"outer.zip:inner.tar.gz:a.jsonl", 3}, {"outer.zip:inner.tar.gz:deeper.zip:b.jsonl", 1}, {"outer.zip:top.jsonl", 1}}},
		{name: "directory", files: map[string][]byte{
			"d/z.jsonl": three, "d/a/b.csv": csvData, "d/a.jsonl.gz": gzipOf(t, three), "d/.x.jsonl": three, "d/notes.txt": three,
		}, paths: []string{"d"},
			want:    []counts{{"d/a.jsonl.gz", 3}, {"d/a/b.csv", 2}, {"d/z.jsonl", 3}},
			skipped: []SkippedInput{{"d/notes.txt", "unrecognised file type"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for name, data := range tc.files {
				paths = append(paths, writeFile(t, dir, name, data))
			}
			if tc.paths != nil {
				paths = nil
				for _, p := range tc.paths {
					paths = append(paths, filepath.Join(dir, p))
				}
			}
			res := mustScan(t, paths, tc.opts)
			var want []counts
			for _, c := range tc.want {
				want = append(want, counts{filepath.Join(dir, c.name), c.records})
			}
			if got := sourceCounts(res.stats); !slices.Equal(got, want) {
				t.Errorf("sources = %v\nwant %v", got, want)
			}
			var skipped []SkippedInput
			for _, s := range tc.skipped {
				skipped = append(skipped, SkippedInput{filepath.Join(dir, s.Name), s.Reason})
			}
			if !slices.Equal(res.stats.Skipped, skipped) {
				t.Errorf("skipped = %v\nwant %v", res.stats.Skipped, skipped)
			}
			if len(res.rejects) != 0 {
				t.Errorf("rejects = %v", res.rejects)
			}
			// Line numbers run from 1 in every source.
			for _, c := range want {
				for i, r := range res.recordsOf(c.name) {
					if r.Line != int64(i)+1 && !strings.Contains(c.name, ".csv") {
						t.Errorf("%s: record %d at line %d", c.name, i, r.Line)
					}
				}
			}
		})
	}
}

// rawZip builds a zip whose one stored member claims the given CRC and
// uncompressed size, whatever its data.
func rawZip(t *testing.T, name string, data []byte, crc uint32, size uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Store, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: size,
	})
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

func TestScanCorruptInputsAreRejectedAndScanGoesOn(t *testing.T) {
	lines := numbered("line", 20000)
	gz, zs := gzipOf(t, lines), zstdOf(t, lines)
	corruptGz := bytes.Clone(gz)
	for i := len(gz) / 2; i < len(gz)/2+64; i++ {
		corruptGz[i] ^= 0x5a
	}
	badCRC := bytes.Clone(gz)
	badCRC[len(gz)-8] ^= 0xff
	tr := tarOf(t, member{name: "a.jsonl", data: []byte("a\nb\n")}, member{name: "b.jsonl", data: lines})
	badHeader := bytes.Clone(tr)
	// The second header starts after the first header and its padded data.
	badHeader[512+512+148] ^= 0xff // its checksum
	data := []byte("ok\nok\n")
	crc := crc32.ChecksumIEEE(data)
	twoMembers := zipOf(t, member{name: "a.jsonl", data: data}, member{name: "b.jsonl", data: data})
	badMember := bytes.Clone(twoMembers)
	// Corrupt the deflated data of the first member, right after its local header.
	badMember[30+len("a.jsonl")+1] ^= 0xff

	for _, tc := range []struct {
		name   string
		file   string
		data   []byte
		source string // of the reject, relative to the temp dir
		line   int64  // -1: one past the records read from source; 0 with "corrupt gzip": any
		detail string // a part of it
		good   []counts
	}{
		{"truncated gzip", "t.jsonl.gz", gz[:len(gz)/2], "t.jsonl.gz", -1, "truncated", nil},
		{"corrupt gzip", "c.jsonl.gz", corruptGz, "c.jsonl.gz", 0, "", nil},
		{"gzip bad crc", "c.jsonl.gz", badCRC, "c.jsonl.gz", 20001, "gzip: invalid checksum", nil},
		{"gzip header", "h.jsonl.gz", []byte("not gzip at all"), "h.jsonl.gz", 1, "gzip: invalid header", nil},
		{"truncated zstd", "t.jsonl.zst", zs[:len(zs)/2], "t.jsonl.zst", -1, "", nil},
		{"garbage zip", "g.zip", []byte("PK\x03\x04 this is not a zip"), "g.zip", 0, "zip: not a valid zip file", nil},
		{"truncated zip", "t.zip", twoMembers[:len(twoMembers)-10], "t.zip", 0, "zip: not a valid zip file", nil},
		{"zip member corrupt", "m.zip", badMember, "m.zip:a.jsonl", -1, "", []counts{{"m.zip:b.jsonl", 2}}},
		{"zip bad crc", "crc.zip", rawZip(t, "a.jsonl", data, crc+1, uint64(len(data))), "crc.zip:a.jsonl", 3, "checksum error", nil},
		{"zip claims more", "more.zip", rawZip(t, "a.jsonl", data, crc, uint64(len(data))+5), "more.zip:a.jsonl", 3, "truncated", nil},
		{"zip claims less", "less.zip", rawZip(t, "a.jsonl", data, crc, uint64(len(data))-3), "less.zip:a.jsonl", -1, "not a valid zip", nil},
		{"truncated tar", "t.tar", tr[:1024+512+100], "t.tar:b.jsonl", -1, "truncated", []counts{{"t.tar:a.jsonl", 2}}},
		{"tar bad header", "h.tar", badHeader, "h.tar", 0, "invalid tar header", []counts{{"h.tar:a.jsonl", 2}}},
		{"truncated tar.gz", "t.tar.gz", gzipOf(t, tr)[:len(gzipOf(t, tr))*2/3], "t.tar.gz:b.jsonl", -1, "truncated",
			[]counts{{"t.tar.gz:a.jsonl", 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bad := writeFile(t, dir, tc.file, tc.data)
			after := writeFile(t, dir, "after.jsonl", []byte("x\ny\n"))
			res := mustScan(t, []string{bad, after}, ScanOptions{ChunkBytes: 4096})
			if len(res.rejects) != 1 {
				t.Fatalf("rejects = %v, want one", res.rejects)
			}
			r := res.rejects[0]
			source := filepath.Join(dir, tc.source)
			line := tc.line
			if line < 0 {
				line = int64(len(res.recordsOf(source))) + 1
			}
			if tc.name == "corrupt gzip" {
				line = r.Line // garbage decoded before the error may hold any number of lines
			}
			if r.Source != source || r.Line != line || r.Reason != ReasonCorruptInput || !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("reject = %v, want %s:%d: %s: ...%s...", r, source, line, ReasonCorruptInput, tc.detail)
			}
			st, ok := res.source(source)
			if !ok || st.Rejected != 1 || st.Reasons[ReasonCorruptInput] != 1 {
				t.Errorf("stats of %s = %+v", source, st)
			}
			for _, g := range tc.good {
				if n := len(res.recordsOf(filepath.Join(dir, g.name))); int64(n) != g.records {
					t.Errorf("%s: %d records, want %d", g.name, n, g.records)
				}
			}
			if got := res.recordsOf(after); len(got) != 2 {
				t.Errorf("the next input gave %v, want 2 records", got)
			}
		})
	}
}

func TestScanDecompressionLimits(t *testing.T) {
	// 1 MiB of identical lines compresses about 300 times.
	block := bytes.Repeat([]byte(strings.Repeat("a", 99)+"\n"), 10486)
	gzBlock, zstBlock := gzipOf(t, block), zstdOf(t, block)
	// Concatenated gzip members and zstd frames are one valid stream.
	gzBomb := bytes.Repeat(gzBlock, 20)
	zstBomb := bytes.Repeat(zstBlock, 20)
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestSpeed)
	for range 4 {
		fw.Write(block)
	}
	fw.Close()
	zipBomb := func() []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		f, _ := w.CreateRaw(&zip.FileHeader{Name: "bomb.jsonl", Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(bytes.Repeat(block, 4)), CompressedSize64: uint64(deflated.Len()),
			UncompressedSize64: uint64(4 * len(block))})
		f.Write(deflated.Bytes())
		g, _ := w.Create("later.jsonl")
		g.Write([]byte("later\n"))
		w.Close()
		return buf.Bytes()
	}()

	const small = 64 << 10
	for _, tc := range []struct {
		name   string
		file   string
		data   []byte
		opts   ScanOptions
		source string
		detail string
	}{
		{"gzip ratio", "b.jsonl.gz", gzBomb, ScanOptions{MaxDecompressedRatio: 50, ratioGrace: small}, "b.jsonl.gz", "expands more than 50 times"},
		{"gzip ratio default grace", "b.jsonl.gz", gzBomb, ScanOptions{MaxDecompressedRatio: 50}, "b.jsonl.gz", "expands more than 50 times"},
		{"gzip bytes", "b.jsonl.gz", gzBomb, ScanOptions{MaxDecompressedRatio: -1, MaxDecompressedBytes: 1 << 20}, "b.jsonl.gz", "expands to more than 1048576 bytes"},
		{"zstd ratio", "b.jsonl.zst", zstBomb, ScanOptions{MaxDecompressedRatio: 50, ratioGrace: small}, "b.jsonl.zst", "expands more than 50 times"},
		{"zip member ratio", "b.zip", zipBomb, ScanOptions{MaxDecompressedRatio: 50, ratioGrace: small}, "b.zip:bomb.jsonl", "expands more than 50 times"},
		{"nested layers add up", "b.tar.gz", gzipOf(t, tarOf(t, member{name: "in.jsonl.gz", data: gzBomb})),
			ScanOptions{MaxDecompressedRatio: 50, ratioGrace: small}, "b.tar.gz:in.jsonl.gz", "expands more than 50 times"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bomb := writeFile(t, dir, tc.file, tc.data)
			after := writeFile(t, dir, "after.jsonl", []byte("x\n"))
			res := mustScan(t, []string{bomb, after}, tc.opts)
			source := filepath.Join(dir, tc.source)
			if len(res.rejects) != 1 || res.rejects[0].Source != source || res.rejects[0].Reason != ReasonDecompressionLimit ||
				!strings.Contains(res.rejects[0].Detail, tc.detail) {
				t.Fatalf("rejects = %v, want one %q from %s", res.rejects, tc.detail, source)
			}
			// The bomb is abandoned as a whole: later members are not read.
			if got := res.recordsOf(filepath.Join(dir, "b.zip:later.jsonl")); len(got) != 0 {
				t.Errorf("read %d records after the bomb in the same zip", len(got))
			}
			if n := len(res.recordsOf(source)); n == 0 || n >= 20*10486 {
				t.Errorf("%d records read from the bomb, want some but not all", n)
			}
			if got := res.recordsOf(after); len(got) != 1 {
				t.Errorf("the next input gave %v", got)
			}
		})
	}

	t.Run("limits off", func(t *testing.T) {
		p := writeFile(t, t.TempDir(), "b.jsonl.gz", bytes.Repeat(gzBlock, 3))
		res := mustScan(t, []string{p}, ScanOptions{MaxDecompressedRatio: -1, MaxDecompressedBytes: -1, ratioGrace: small})
		if n := len(res.recordsOf(p)); n != 3*10486 || len(res.rejects) != 0 {
			t.Errorf("%d records, %d rejects; want all %d and none", n, len(res.rejects), 3*10486)
		}
	})
}

func TestScanHostileBundlesNeverTouchTheFilesystem(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "work")
	data := []byte("evil\n")
	tarball := tarOf(t,
		member{name: "../escape.jsonl", data: data},
		member{name: "/abs/evil.jsonl", data: data},
		member{name: "link.jsonl", typeflag: tar.TypeSymlink, link: "/etc/passwd"},
		member{name: "hard.jsonl", typeflag: tar.TypeLink, link: "../escape.jsonl"},
		member{name: "dev.jsonl", typeflag: tar.TypeChar},
		member{name: "fifo.jsonl", typeflag: tar.TypeFifo},
		member{name: "ctl\x1b[2J.jsonl", data: data},
	)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, m := range []struct {
		name  string
		mode  fs.FileMode
		flags uint16
	}{
		{"../../zescape.jsonl", 0o644, 0},
		{"/zabs.jsonl", 0o644, 0},
		{"zlink.jsonl", fs.ModeSymlink | 0o777, 0},
		{"secret.jsonl", 0o644, 0x1},
	} {
		h := &zip.FileHeader{Name: m.name, Method: zip.Store, Flags: m.flags}
		h.SetMode(m.mode)
		f, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	zw.Close()
	tp := writeFile(t, dir, "h.tar", tarball)
	zp := writeFile(t, dir, "h.zip", zbuf.Bytes())
	before := listTree(t, base)

	res := mustScan(t, []string{tp, zp}, ScanOptions{})
	want := []counts{
		{tp + ":../escape.jsonl", 1}, {tp + ":/abs/evil.jsonl", 1}, {tp + `:ctl\x1b[2J.jsonl`, 1},
		{zp + ":../../zescape.jsonl", 1}, {zp + ":/zabs.jsonl", 1},
	}
	if got := sourceCounts(res.stats); !slices.Equal(got, want) {
		t.Errorf("sources = %v\nwant %v", got, want)
	}
	wantSkipped := []SkippedInput{
		{tp + ":link.jsonl", "link (not followed)"},
		{tp + ":hard.jsonl", "link (not followed)"},
		{tp + ":dev.jsonl", "device or pipe"},
		{tp + ":fifo.jsonl", "device or pipe"},
		{zp + ":zlink.jsonl", "link (not followed)"},
		{zp + ":secret.jsonl", "encrypted"},
	}
	if !slices.Equal(res.stats.Skipped, wantSkipped) {
		t.Errorf("skipped = %v\nwant %v", res.stats.Skipped, wantSkipped)
	}
	if after := listTree(t, base); !slices.Equal(after, before) {
		t.Errorf("files changed: %v -> %v", before, after)
	}
	for _, p := range []string{"/abs/evil.jsonl", "/zabs.jsonl"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s exists", p)
		}
	}
}

func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		out = append(out, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSparseMembersAreRecognised(t *testing.T) {
	for _, tc := range []struct {
		hdr  tar.Header
		want bool
	}{
		{tar.Header{Typeflag: tar.TypeGNUSparse}, true},
		{tar.Header{Typeflag: tar.TypeReg, PAXRecords: map[string]string{"GNU.sparse.major": "1"}}, true},
		{tar.Header{Typeflag: tar.TypeReg, PAXRecords: map[string]string{"comment": "x"}}, false},
		{tar.Header{Typeflag: tar.TypeReg}, false},
	} {
		if got := sparse(&tc.hdr); got != tc.want {
			t.Errorf("sparse(%+v) = %v", tc.hdr, got)
		}
	}
}

// TestScanRealDecoders runs the real decoders through the engine: every
// record keeps its source and line whatever the chunk size, and bad records
// are rejected with the decoders' reasons.
func TestScanRealDecoders(t *testing.T) {
	dir := t.TempDir()
	jsonl, csvData := readFixture(t, "events.jsonl"), readFixture(t, "events.csv")
	paths := []string{
		writeFile(t, dir, "events.jsonl", jsonl),
		writeFile(t, dir, "events.csv", csvData),
		writeFile(t, dir, "bundle.tar.gz", gzipOf(t, tarOf(t,
			member{name: "day1/events.jsonl.gz", data: gzipOf(t, jsonl)},
			member{name: "day1/events.csv", data: csvData},
		))),
	}
	who := func(r *record.Record) string { return r.Email + r.Username + "/" + r.DisplayName }
	wantJSONL := func(src string) []seen {
		return []seen{{src, 1, "ann@example.com/"}, {src, 2, "bob@example.com/"}, {src, 4, "carol/"}, {src, 6, "dan@example.com/"}}
	}
	wantCSV := func(src string) []seen {
		return []seen{{src, 2, `ann@example.com/Ann "The Admin" Lee`}, {src, 3, "bob@example.com/Bob\r\nSmith"},
			{src, 6, "carol@example.com/Carol"}, {src, 7, "dan@example.com/Dan"}}
	}
	var want []seen
	want = append(want, wantJSONL(paths[0])...)
	want = append(want, wantCSV(paths[1])...)
	want = append(want, wantCSV(paths[2]+":day1/events.csv")...)
	want = append(want, wantJSONL(paths[2]+":day1/events.jsonl.gz")...)
	slices.SortFunc(want, func(a, b seen) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return int(a.Line - b.Line)
	})
	for _, chunk := range []int{1, 5, 13, 64, 1 << 20} {
		res, err := scan(t, paths, ScanOptions{ChunkBytes: chunk, newDecoder: NewDecoder}, who)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.recs, want) {
			t.Fatalf("chunk %d: records\n got %+v\nwant %+v", chunk, res.recs, want)
		}
		var rejects []string
		for _, r := range res.rejects {
			rejects = append(rejects, r.Error())
		}
		wantRejects := []string{
			paths[2] + ":day1/events.jsonl.gz:5: invalid JSON",
			paths[0] + ":5: invalid JSON",
		}
		if len(rejects) != 2 || !strings.HasPrefix(rejects[0], wantRejects[0]) || !strings.HasPrefix(rejects[1], wantRejects[1]) {
			t.Fatalf("chunk %d: rejects %q, want %q", chunk, rejects, wantRejects)
		}
	}
}

func FuzzArchive(f *testing.F) {
	three := []byte("{\"time\":1700000000,\"email\":\"a@b.c\"}\nx\n")
	csvData := []byte("time,email\n1700000000,a@b.c\n\"x\n")
	tr := tarOf(f, member{name: "a.jsonl", data: three}, member{name: "b.csv.gz", data: gzipOf(f, csvData)},
		member{name: "l", typeflag: tar.TypeSymlink, link: "/etc"})
	zp := zipOf(f, member{name: "a.jsonl", data: three}, member{name: "n.tar", data: tr})
	for _, seed := range []struct {
		data []byte
		ext  uint8
	}{
		{zp, 0}, {zp[:len(zp)/2], 0}, {tr, 1}, {tr[:600], 1}, {gzipOf(f, three), 2}, {zstdOf(f, three), 3},
		{gzipOf(f, tr), 4}, {gzipOf(f, zp), 5}, {csvData, 6}, {[]byte("PK\x05\x06"), 0},
	} {
		f.Add(seed.data, seed.ext)
	}
	// The malformed-input corpus: each file alone, and all in one bundle.
	var all []member
	for _, name := range badCorpus(f) {
		data := readBad(f, name)
		all = append(all, member{name: "bad/" + name, data: data})
		if strings.HasSuffix(name, ".csv") {
			f.Add(data, uint8(6))
		} else {
			f.Add(gzipOf(f, data), uint8(2))
		}
	}
	f.Add(tarOf(f, all...), uint8(1))
	f.Add(zipOf(f, all...), uint8(0))
	exts := []string{".zip", ".tar", ".jsonl.gz", ".jsonl.zst", ".tar.gz", ".zip.gz", ".csv"}
	f.Fuzz(func(t *testing.T, data []byte, ext uint8) {
		p := writeFile(t, t.TempDir(), "in"+exts[int(ext)%len(exts)], data)
		res, err := scan(t, []string{p}, ScanOptions{
			ChunkBytes: 64, MaxLineBytes: 1 << 10, MaxArchiveDepth: 3,
			MaxDecompressedBytes: 8 << 20, newDecoder: NewDecoder,
		}, nil)
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		if res.stats.Bytes != int64(len(data)) {
			t.Errorf("Bytes = %d, want %d", res.stats.Bytes, len(data))
		}
		var rejected int64
		for _, s := range res.stats.Sources {
			if s.Rejected > s.Records || !strings.HasPrefix(s.Name, p) {
				t.Errorf("source %+v", s)
			}
			rejected += s.Rejected
		}
		if rejected != int64(len(res.rejects)) {
			t.Errorf("stats count %d rejects, onReject saw %d", rejected, len(res.rejects))
		}
	})
}

// TestScanJSONArrays: a .json file holding a pretty-printed JSON array,
// plain, gzip'd or in a bundle, gives its elements as records, each at the
// line where it starts, whatever the chunk size.
func TestScanJSONArrays(t *testing.T) {
	dir := t.TempDir()
	array := []byte(`[
  {
    "time": "2026-03-01T10:00:00Z",
    "email": "ann@example.com"
  },
  {"time": "yesterday", "email": "bob@example.com"},
  {
    "time": "2026-03-02T10:00:00Z",
    "username": "carol",
    "props": {"tags": ["a", "]"]}
  }
]
`)
	paths := []string{
		writeFile(t, dir, "export.json", array),
		writeFile(t, dir, "export.json.gz", gzipOf(t, array)),
		writeFile(t, dir, "bundle.zip", zipOf(t, member{name: "api/export.json", data: array})),
	}
	who := func(r *record.Record) string { return r.Email + r.Username }
	for _, chunk := range []int{1, 7, 64, 1 << 20} {
		res, err := scan(t, paths, ScanOptions{ChunkBytes: chunk, newDecoder: NewDecoder}, who)
		if err != nil {
			t.Fatal(err)
		}
		var want []seen
		var wantRejects []string
		for _, src := range []string{paths[2] + ":api/export.json", paths[0], paths[1]} {
			want = append(want, seen{src, 2, "ann@example.com"}, seen{src, 7, "carol"})
			wantRejects = append(wantRejects, src+":6: invalid time: yesterday")
		}
		if !slices.Equal(res.recs, want) {
			t.Errorf("chunk %d: records\n got %+v\nwant %+v", chunk, res.recs, want)
		}
		var rejects []string
		for _, r := range res.rejects {
			rejects = append(rejects, r.Error())
		}
		if !slices.Equal(rejects, wantRejects) {
			t.Errorf("chunk %d: rejects %q, want %q", chunk, rejects, wantRejects)
		}
	}
}
