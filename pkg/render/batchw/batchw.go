// Package batchw writes a long sequence of encoded items (table rows,
// JSON objects) with the encoding spread over several goroutines and the
// output in order: the renderers of large reports share it.
package batchw

import (
	"io"
	"sync"
)

// Encoder appends the encoding of items [lo, hi) to dst.
type Encoder func(dst []byte, lo, hi int) []byte

// Write encodes items [0, n) in batches of batch items on workers
// goroutines, each with its own encoder from newEnc, and writes the
// batches to w in order. It stops at the first write error and returns it
// (a closed pipe: stop encoding).
func Write(w io.Writer, n, batch, workers int, newEnc func() Encoder) error {
	workers = max(workers, 1)
	// Worker k encodes every workers-th batch; the writer takes them
	// round-robin, so order is kept with one slot per worker.
	slots := make([]chan []byte, workers)
	for k := range slots {
		slots[k] = make(chan []byte, 1)
	}
	// A fixed set of buffers goes round: one being encoded and one
	// waiting in its slot per worker, and the one being written. An
	// encoder waits for one rather than growing a new one, which, when
	// the writer is quick, made a buffer per batch: a megabyte a few
	// thousand rows, all garbage.
	free := make(chan []byte, 2*workers+1)
	for range cap(free) {
		free <- nil
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			defer close(slots[k])
			enc := newEnc()
			for lo := k * batch; lo < n; lo += workers * batch {
				var buf []byte
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				buf = enc(buf[:0], lo, min(lo+batch, n))
				select {
				case slots[k] <- buf:
				case <-stop:
					return
				}
			}
		})
	}
	var err error
	for i := 0; err == nil; i++ {
		buf, ok := <-slots[i%workers]
		if !ok {
			break
		}
		_, err = w.Write(buf)
		free <- buf // never blocks: the buffers are as many as its room
	}
	close(stop)
	wg.Wait()
	return err
}
