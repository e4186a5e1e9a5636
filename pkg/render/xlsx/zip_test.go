package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortedZip(t *testing.T) {
	oldBlock, oldSpill := blockSize, spillAt
	blockSize, spillAt = 1<<10, 4<<10
	t.Cleanup(func() { blockSize, spillAt = oldBlock, oldSpill })

	// Sizes around block boundaries; random bytes so that some blocks do
	// not compress and the store spills.
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := map[string]int{
		"xl/worksheets/sheet2.xml": 3 * blockSize, // ends exactly on a block
		"[Content_Types].xml":      blockSize + 1,
		"xl/worksheets/sheet1.xml": blockSize - 1,
		"docProps/app.xml":         0,
		"xl/styles.xml":            10*blockSize + 17,
	}
	order := []string{"xl/worksheets/sheet2.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml", "docProps/app.xml", "xl/styles.xml"}
	content := map[string][]byte{}
	for name, n := range sizes {
		b := make([]byte, n)
		for i := range b {
			if i%3 == 0 {
				b[i] = byte(rng.Uint32())
			} else {
				b[i] = 'x'
			}
		}
		content[name] = b
	}
	build := func(workers int) []byte {
		var buf bytes.Buffer
		z := newSortedZip(&buf)
		z.workers = workers
		for _, name := range order {
			w, err := z.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			// Odd write sizes: block boundaries must not depend on them.
			for data := content[name]; len(data) > 0; {
				k := min(len(data), 1+rng.IntN(700))
				if _, err := w.Write(data[:k]); err != nil {
					t.Fatal(err)
				}
				data = data[k:]
			}
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if z.store.file != nil {
			t.Error("the temporary file is still open")
		}
		return buf.Bytes()
	}
	first := build(1)
	if again := build(3); !bytes.Equal(first, again) {
		t.Fatal("1 and 3 workers gave different bytes")
	}
	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !bytes.Equal(got, content[f.Name]) {
			t.Errorf("%s: content differs (%d bytes, want %d)", f.Name, len(got), len(content[f.Name]))
		}
		if f.Modified.Year() != 1980 {
			t.Errorf("%s: modified %v, want 1980-01-01", f.Name, f.Modified)
		}
	}
	want := slices.Clone(order)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("entries %q, want sorted %q", names, want)
	}
}

func TestSortedZipWriteError(t *testing.T) {
	errFull := io.ErrShortWrite
	z := newSortedZip(&failingWriter{n: 10, err: errFull})
	w, err := z.Create("a.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("abc"), 1000)); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); !errors.Is(err, errFull) {
		t.Errorf("Close = %v, want %v", err, errFull)
	}
}
