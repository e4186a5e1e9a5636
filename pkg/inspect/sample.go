package inspect

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/source"
)

// KeyStat is what a sample says about one source key: a dotted JSON path
// (actor.login) or a CSV header.
type KeyStat struct {
	Path string
	// Rows is how many sampled records had a non-empty value.
	Rows int
	// Kind is the JSON type first seen: string, number, bool, object or
	// array (CSV values are strings).
	Kind string
	// Examples are up to two distinct values, shortened.
	Examples []string
	// Times and Emails count the string values that read as a time
	// (record.ParseTime, digits aside) and as an email.
	Times, Emails int
}

// Sample is the shape of the first records of one source.
type Sample struct {
	Source    string
	Format    source.Format
	FirstLine int64
	Rows      int // records read into the sample
	Broken    int // lines that are not JSON objects
	Keys      []KeyStat
}

// Key returns the statistics of path, nil when the sample never had it.
func (s *Sample) Key(path string) *KeyStat {
	for i := range s.Keys {
		if s.Keys[i].Path == path {
			return &s.Keys[i]
		}
	}
	return nil
}

// Sampler keeps, for up to maxSources sources, a Sample of the first
// maxRows records of the source's earliest chunk. Its OnChunk is meant for
// source.ScanOptions.OnChunk: it is safe for concurrent use, and costs a
// lock per chunk once every source it keeps is sampled.
type Sampler struct {
	maxSources, maxRows int

	mu      sync.Mutex
	samples map[string]*Sample
}

// NewSampler returns a Sampler of at most maxSources sources and maxRows
// records each.
func NewSampler(maxSources, maxRows int) *Sampler {
	return &Sampler{maxSources: maxSources, maxRows: maxRows, samples: map[string]*Sample{}}
}

// OnChunk samples c when it is the earliest chunk of its source seen so
// far. Chunks reach workers in any order; keeping the earliest makes the
// sample the same on every run.
func (s *Sampler) OnChunk(c *source.Chunk) {
	if c.Input == nil {
		return
	}
	name := c.Input.Name
	if !s.wants(name, c.FirstLine) {
		return
	}
	smp := sampleChunk(c, s.maxRows)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.samples[name]; (cur == nil && len(s.samples) < s.maxSources) || (cur != nil && c.FirstLine < cur.FirstLine) {
		s.samples[name] = smp
	}
}

func (s *Sampler) wants(name string, first int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.samples[name]
	if cur == nil {
		return len(s.samples) < s.maxSources
	}
	return first < cur.FirstLine
}

// Samples returns the samples by source name.
func (s *Sampler) Samples() map[string]*Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]*Sample, len(s.samples))
	for k, v := range s.samples {
		out[k] = v
	}
	return out
}

// sampleChunk reads the first maxRows records of c.
func sampleChunk(c *source.Chunk, maxRows int) *Sample {
	smp := &Sample{Source: c.Input.Name, Format: c.Input.Format, FirstLine: c.FirstLine}
	b := &sampleBuilder{smp: smp, index: map[string]int{}}
	if c.Input.Format == source.FormatCSV {
		b.csv(c, maxRows)
	} else {
		b.jsonl(c.Data, maxRows)
	}
	return smp
}

type sampleBuilder struct {
	smp   *Sample
	index map[string]int // path -> index in smp.Keys
	seen  map[string]bool
}

func (b *sampleBuilder) stat(path, kind string) *KeyStat {
	i, ok := b.index[path]
	if !ok {
		i = len(b.smp.Keys)
		b.index[path] = i
		b.smp.Keys = append(b.smp.Keys, KeyStat{Path: path, Kind: kind})
	}
	return &b.smp.Keys[i]
}

// value notes one non-empty value of path in the current record.
func (b *sampleBuilder) value(path, kind, text string) {
	if b.seen[path] {
		return // a repeated key counts once per record
	}
	b.seen[path] = true
	k := b.stat(path, kind)
	k.Rows++
	if kind == "string" && text != "" {
		if !allDigits(text) {
			if _, err := record.ParseTime([]byte(text)); err == nil {
				k.Times++
			}
		}
		if _, ok := record.NormalizeEmail(nil, text); ok {
			k.Emails++
		}
	}
	if text != "" && len(k.Examples) < 2 {
		ex := shorten(text, 40)
		if len(k.Examples) == 0 || k.Examples[0] != ex {
			k.Examples = append(k.Examples, ex)
		}
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// lines yields up to n non-blank lines of data.
func lines(data []byte, n int, fn func([]byte)) {
	for len(data) > 0 && n > 0 {
		ln := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		fn(ln)
		n--
	}
}

func (b *sampleBuilder) jsonl(data []byte, maxRows int) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines(data, maxRows, func(ln []byte) {
		b.seen = map[string]bool{}
		dec := json.NewDecoder(bytes.NewReader(ln))
		dec.UseNumber()
		tok, err := dec.Token()
		if err != nil || tok != json.Delim('{') {
			b.smp.Broken++
			return
		}
		if err := b.object(dec, "", 0); err != nil {
			b.smp.Broken++
			return
		}
		b.smp.Rows++
	})
}

// maxDepth is how deep nested objects are listed key by key.
const maxDepth = 4

// object reads the members of an object whose '{' was read.
func (b *sampleBuilder) object(dec *json.Decoder, prefix string, depth int) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		if err := b.member(dec, path, depth); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

func (b *sampleBuilder) member(dec *json.Decoder, path string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			if depth+1 < maxDepth {
				return b.object(dec, path, depth+1)
			}
			b.value(path, "object", "")
			return skip(dec)
		}
		b.value(path, "array", "")
		return skip(dec)
	case string:
		if t := strings.TrimSpace(v); t != "" {
			b.value(path, "string", t)
		}
	case json.Number:
		b.value(path, "number", v.String())
	case bool:
		if v {
			b.value(path, "bool", "true")
		} else {
			b.value(path, "bool", "false")
		}
	case nil:
		// null is absent
	}
	return nil
}

// skip reads the rest of a container whose opening token was read.
func skip(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func (b *sampleBuilder) csv(c *source.Chunk, maxRows int) {
	hr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Header, []byte("\xef\xbb\xbf"))))
	hr.LazyQuotes = true
	names, err := hr.Read()
	if err != nil {
		return
	}
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	r := csv.NewReader(bytes.NewReader(c.Data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for b.smp.Rows < maxRows && b.smp.Broken < maxRows {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.smp.Broken++
			continue
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		b.seen = map[string]bool{}
		b.smp.Rows++
		for i, v := range row {
			if i >= len(names) || names[i] == "" {
				break
			}
			if v = strings.TrimSpace(v); v != "" {
				b.value(names[i], "string", v)
			}
		}
	}
	// Headers never filled in the sample still exist.
	for _, n := range names {
		if n != "" {
			b.stat(n, "string")
		}
	}
}
