package batchw

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
	"testing"
	"unsafe"
)

func numbers() Encoder {
	return func(dst []byte, lo, hi int) []byte {
		for i := lo; i < hi; i++ {
			dst = strconv.AppendInt(dst, int64(i), 10)
			dst = append(dst, '\n')
		}
		return dst
	}
}

type failAfter struct {
	left, writes int
	err          error
}

func (w *failAfter) Write(p []byte) (int, error) {
	w.writes++
	if w.left == 0 {
		return 0, w.err
	}
	w.left--
	return len(p), nil
}

// Batches encoded on any number of goroutines come out in order, and a
// write error stops the writing and is returned.
func TestWriteKeepsOrder(t *testing.T) {
	want := numbers()(nil, 0, 10007)
	for _, workers := range []int{0, 1, 2, 5} {
		var buf bytes.Buffer
		if err := Write(&buf, 10007, 100, workers, numbers); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%d workers: items out of order", workers)
		}
		full := errors.New("full")
		w := &failAfter{left: 3, err: full}
		if err := Write(w, 10007, 100, workers, numbers); !errors.Is(err, full) || w.writes != 4 {
			t.Errorf("%d workers: err %v after %d writes, want %v after 4", workers, err, w.writes, full)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, 0, 100, 2, numbers); err != nil || buf.Len() != 0 {
		t.Errorf("no items: %v, %q", err, buf.String())
	}
}

// The encoders reuse a fixed set of buffers, however quick the writer:
// one encoding and one waiting per worker, and the one being written.
func TestWriteReusesBuffers(t *testing.T) {
	for _, workers := range []int{1, 2, 5} {
		var mu sync.Mutex
		arrays := map[*byte]bool{}
		fixed := func() Encoder {
			return func(dst []byte, lo, hi int) []byte {
				for range hi - lo {
					dst = append(dst, "12345678"...)
				}
				mu.Lock()
				arrays[unsafe.SliceData(dst)] = true
				mu.Unlock()
				return dst
			}
		}
		if err := Write(io.Discard, 100_000, 100, workers, fixed); err != nil {
			t.Fatal(err)
		}
		if len(arrays) > 2*workers+1 {
			t.Errorf("%d workers: 1000 batches in %d buffers, want at most %d", workers, len(arrays), 2*workers+1)
		}
	}
}
