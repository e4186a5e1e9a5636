package source

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readArrayLines reads all of jsonLines(in), with reads of at most max
// bytes at a time from both sides; byteByByte takes every byte through
// the reference path, runs off.
func readArrayLines(t testing.TB, in string, max int, byteByByte bool) string {
	t.Helper()
	var src io.Reader = strings.NewReader(in)
	if max > 0 {
		src = iotest.OneByteReader(src)
	}
	r := jsonLines(src)
	if a, ok := r.(*arrayLines); ok {
		a.noRuns = byteByByte
	}
	var out bytes.Buffer
	buf := make([]byte, 64<<10)
	if max > 0 {
		buf = buf[:max]
	}
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.String()
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
}

func TestJSONLines(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"json lines pass", "{\"a\":1}\n{\"a\":2}\n", "{\"a\":1}\n{\"a\":2}\n"},
		{"blank start passes", "\n\n  {\"a\":1}\n", "\n\n  {\"a\":1}\n"},
		{"empty", "", ""},
		{"compact array", `[{"a":1},{"a":2}]`, "{\"a\":1}\n{\"a\":2}\n"},
		{"pretty array: each element on its first line",
			"[\n  {\n    \"a\": 1,\n    \"b\": [1, 2]\n  },\n  {\"a\": 2}\n]\n",
			"\n{     \"a\": 1,     \"b\": [1, 2]   }\n\n\n\n{\"a\": 2}\n\n"},
		{"strings hold brackets, quotes and escapes",
			`[{"s":"]},[{\"x\\"}, {"t":"\u005d"}]`,
			"{\"s\":\"]},[{\\\"x\\\\\"}\n{\"t\":\"\\u005d\"}\n"},
		{"byte order mark and CRLF", "\xef\xbb\xbf[\r\n{\"a\":\r\n1}\r\n]\r\n", "\n{\"a\":  1}\n\n\n"},
		{"scalars are elements too", "[1, \"two\", null,{}]", "1\n\"two\"\nnull\n{}\n"},
		{"empty array", "[ ]\n", "\n"},
		{"arrays one after another", "[{\"a\":1}]\n[{\"a\":2}]\n", "{\"a\":1}\n{\"a\":2}\n"},
		{"text after the array is copied for the decoder", "[{\"a\":1}]\ntrailing words\n", "{\"a\":1}\ntrailing words\n"},
		{"a raw newline in a string stays invalid", "[{\"s\":\"a\nb\"}]", "{\"s\":\"a\nb\"}\n"},
		{"cut short", "[{\"a\":[1,", "{\"a\":[1,"},
	} {
		for _, max := range []int{0, 1, 3} {
			for _, byteByByte := range []bool{false, true} {
				if got := readArrayLines(t, tt.in, max, byteByByte); got != tt.want {
					t.Errorf("%s (reads of %d, byte by byte %v): got %q, want %q", tt.name, max, byteByByte, got, tt.want)
				}
			}
		}
	}
}

// TestJSONLinesReaderError: an error under the first bytes, or later,
// reaches the chunker after the bytes read before it.
func TestJSONLinesReaderError(t *testing.T) {
	boom := io.ErrUnexpectedEOF
	for in, want := range map[string]string{"  ": "  ", "[{\"a\":1},": "{\"a\":1}\n", "{\"a\":1}\n": "{\"a\":1}\n"} {
		got, err := io.ReadAll(jsonLines(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom))))
		if err != boom || string(got) != want {
			t.Errorf("%q: read %q, error %v; want %q, then %v", in, got, err, want, boom)
		}
	}
}

// FuzzJSONLines: whatever the input, reads of any size agree, the runs
// agree with the byte-by-byte reference, and no newline is lost; a valid
// array's elements come out one per line, equal to themselves.
func FuzzJSONLines(f *testing.F) {
	for _, s := range []string{`[{"a":1},{"b":[2,3]}]`, "[\n {\"a\": \"x]\"},\n 2\n]", "{\"a\":1}\n", "[[1],[2]]", `["\"]", {}]`, "[1 2]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		whole := readArrayLines(t, in, 0, false)
		if small := readArrayLines(t, in, 1, false); small != whole {
			t.Fatalf("one-byte reads give %q, whole reads %q", small, whole)
		}
		if ref := readArrayLines(t, in, 0, true); ref != whole {
			t.Fatalf("byte by byte gives %q, runs %q", ref, whole)
		}
		if strings.Count(whole, "\n") < strings.Count(in, "\n") {
			t.Fatalf("%q: %d newlines in, %d out", in, strings.Count(in, "\n"), strings.Count(whole, "\n"))
		}
		var elems []json.RawMessage
		if first, ok := firstNonBlank([]byte(in)); !ok || first != '[' || json.Unmarshal([]byte(in), &elems) != nil {
			return
		}
		var lines []string
		for _, ln := range strings.Split(whole, "\n") {
			if strings.TrimSpace(ln) != "" {
				lines = append(lines, ln)
			}
		}
		if len(lines) != len(elems) {
			t.Fatalf("%q: %d elements, %d lines: %q", in, len(elems), len(lines), whole)
		}
		for i, e := range elems {
			var want, got bytes.Buffer
			if json.Compact(&want, e) != nil || json.Compact(&got, []byte(lines[i])) != nil || want.String() != got.String() {
				t.Fatalf("%q: element %d is %q, line %q", in, i, e, lines[i])
			}
		}
	})
}
