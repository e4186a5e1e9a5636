package source

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/usagerep/usagerep/pkg/gen"

	"github.com/usagerep/usagerep/pkg/record"
)

// benchChunkSize is the size of the generated chunks the benchmarks decode.
const benchChunkSize = 16 << 20

var benchSystems = [...][2]string{
	{"Jira Cloud", "PROJ"}, {"Azure DevOps", "Web"}, {"ServiceNow", "INC"}, {"GitHub", "usagerep/usagerep"},
}

var benchPeople = [...][3]string{
	{"john.doe@corp.com", "jdoe", "John Doe"},
	{"Anna.Schmidt@corp.com", "aschmidt", "Anna Schmidt"},
	{"li.wei@example.org", "lwei", "Li Wei"},
	{"o.brien@corp.com", "obrien", "Orla O'Brien"},
}

// benchJSONL returns a realistic JSON Lines chunk of about size bytes and
// the number of records in it.
func benchJSONL(size int) ([]byte, int) {
	var b bytes.Buffer
	n := 0
	for b.Len() < size {
		sys, peer := benchSystems[n%4], benchSystems[(n+1)%4]
		p := benchPeople[n%len(benchPeople)]
		kind, outcome := "sync", "success"
		if n%5 == 0 {
			kind = "activity"
		}
		if n%17 == 0 {
			outcome = "failure"
		}
		fmt.Fprintf(&b, `{"time":"2026-03-%02dT%02d:%02d:%02dZ","kind":%q,"system":%q,"project":%q,`+
			`"entity_type":"Bug","entity_id":"%s-%d","peer_system":%q,"peer_project":%q,`+
			`"peer_entity_type":"Bug","peer_entity_id":"%d","integration":"jira-ado","outcome":%q,`+
			`"email":%q,"username":%q,"display_name":%q,"interaction":"comment"}`+"\n",
			1+n%28, n%24, n%60, (n*7)%60, kind, sys[0], sys[1], sys[1], n%5000, peer[0], peer[1],
			4000+n%9000, outcome, p[0], p[1], p[2])
		n++
	}
	return b.Bytes(), n
}

// benchCSV returns a realistic CSV chunk (without its header) of about size
// bytes, its header, and the number of records.
func benchCSV(size int) (data, header []byte, n int) {
	header = []byte("time,kind,system,project,entity_type,entity_id,peer_system,peer_project," +
		"peer_entity_type,peer_entity_id,integration,outcome,email,username,display_name,interaction")
	var b bytes.Buffer
	for b.Len() < size {
		sys, peer := benchSystems[n%4], benchSystems[(n+1)%4]
		p := benchPeople[n%len(benchPeople)]
		name := p[2]
		if n%10 == 0 {
			name = `"` + name + `, Jr."` // some quoting, as real exports have
		}
		fmt.Fprintf(&b, "2026-03-%02dT%02d:%02d:%02dZ,sync,%s,%s,Bug,%s-%d,%s,%s,Bug,%d,jira-ado,success,%s,%s,%s,comment\n",
			1+n%28, n%24, n%60, (n*7)%60, sys[0], sys[1], sys[1], n%5000, peer[0], peer[1],
			4000+n%9000, p[0], p[1], name)
		n++
	}
	return b.Bytes(), header, n
}

// countSink counts records and touches a field so that nothing is elided.
type countSink struct {
	n     int64
	bytes int
}

func (s *countSink) Record(r *record.Record) {
	s.n++
	s.bytes += len(r.Email)
}

func noRejects(r Reject) error { return fmt.Errorf("unexpected reject: %v", r) }

func benchDecode(b *testing.B, f Format, c *Chunk, records int) {
	d, err := NewDecoder(f, DecodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var sink countSink
	// Warm up, so that parsing the header and growing buffers is not
	// counted: the steady state is what matters for a long input.
	if _, _, err := d.Decode(c, &sink, noRejects); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	for b.Loop() {
		good, bad, err := d.Decode(c, &sink, noRejects)
		if err != nil || bad != 0 || good != int64(records) {
			b.Fatalf("good %d bad %d err %v, want %d good", good, bad, err, records)
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkDecodeJSONL(b *testing.B) {
	data, n := benchJSONL(benchChunkSize)
	c := &Chunk{Input: &Input{Name: "bench.jsonl", Format: FormatJSONL}, Data: data, FirstLine: 1}
	benchDecode(b, FormatJSONL, c, n)
}

// BenchmarkDecodeJSONLGenerated decodes the generator's JSONL (make
// bench-data's kind): activity and sync records with their keys in
// different orders, optional fields, props and spelling variants, where
// BenchmarkDecodeJSONL's records all have one shape.
func BenchmarkDecodeJSONLGenerated(b *testing.B) {
	data := generatedJSONL(b)
	c := &Chunk{Input: &Input{Name: "bench.jsonl", Format: FormatJSONL}, Data: data, FirstLine: 1}
	benchDecode(b, FormatJSONL, c, bytes.Count(data, []byte("\n")))
}

// generatedJSONL is benchChunkSize bytes of the generator's JSONL.
func generatedJSONL(b *testing.B) []byte {
	cfg := gen.DefaultConfig()
	cfg.Bytes, cfg.People, cfg.Format = benchChunkSize, 200_000, gen.JSONL
	var buf bytes.Buffer
	if _, err := gen.Write(&buf, cfg); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkDecodeCSV(b *testing.B) {
	data, header, n := benchCSV(benchChunkSize)
	c := &Chunk{Input: &Input{Name: "bench.csv", Format: FormatCSV}, Data: data, FirstLine: 2, Header: header}
	benchDecode(b, FormatCSV, c, n)
}

// BenchmarkJSONArrayLines rewrites the generator's records, given as one
// JSON array with an element a line, as JSON Lines: the cost a JSON
// array export adds to reading it, on the file's reader.
func BenchmarkJSONArrayLines(b *testing.B) {
	lines := generatedJSONL(b)
	n := bytes.Count(lines, []byte("\n"))
	array := append([]byte("[\n"), bytes.ReplaceAll(bytes.TrimSuffix(lines, []byte("\n")), []byte("}\n"), []byte("},\n"))...)
	array = append(array, "\n]\n"...)
	buf := make([]byte, 4<<20)
	b.SetBytes(int64(len(array)))
	for b.Loop() {
		r := jsonLines(bytes.NewReader(array))
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
