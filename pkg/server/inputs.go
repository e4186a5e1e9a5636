package server

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/source"
)

// inputState is what the inputs were when last looked at: the planned
// files with their size and mtime, and a fingerprint of all of them that
// keys every computed result.
type inputState struct {
	files       []fileStamp
	fingerprint string
}

type fileStamp struct {
	path  string
	size  int64
	mtime int64
}

// planInputs expands the inputs as a scan would and stamps each file.
func planInputs(paths []string, opts source.ScanOptions) (*inputState, error) {
	files, _, err := source.Plan(paths, opts)
	if err != nil {
		return nil, err
	}
	st := &inputState{files: make([]fileStamp, 0, len(files))}
	h := sha256.New()
	var n [8]byte
	for _, f := range files {
		fs := fileStamp{path: f, size: -1}
		if fi, err := os.Stat(f); err == nil {
			fs.size, fs.mtime = fi.Size(), fi.ModTime().UnixNano()
		}
		st.files = append(st.files, fs)
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write(binary.LittleEndian.AppendUint64(n[:0], uint64(fs.size)))
		h.Write(binary.LittleEndian.AppendUint64(n[:0], uint64(fs.mtime)))
	}
	st.fingerprint = hex.EncodeToString(h.Sum(nil)[:12])
	return st, nil
}

// watch re-plans the inputs every Poll. A change swaps the state in one
// atomic store, so requests in flight keep the state they started with,
// and drops the cached results of the old state.
func (s *Server) watch(ctx context.Context) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.recheck()
	}
}

// recheck looks at the inputs once and reports whether they changed.
func (s *Server) recheck() bool {
	st, err := planInputs(s.cfg.Inputs, s.cfg.Scan)
	if err != nil {
		// A directory being replaced may be missing for an instant; the
		// next poll sees it again, and requests keep the last good state.
		s.log.Warn("re-reading the inputs", "err", err.Error())
		return false
	}
	old := s.inputs.Load()
	if old.fingerprint == st.fingerprint {
		return false
	}
	s.inputs.Store(st)
	s.cache.dropExcept(st.fingerprint)
	s.metrics.reloads.Inc()
	s.log.Info("inputs changed", "files", len(st.files), "fingerprint", st.fingerprint)
	return true
}

// counter is a sink that only counts, for the warm-up scan.
type counter struct{ n int64 }

func (c *counter) Record(*record.Record) { c.n++ }

func scanCount(ctx context.Context, paths []string, opts source.ScanOptions) (source.Stats, error) {
	_, stats, err := report.Scan(ctx, paths, opts, func() *counter { return &counter{} })
	return stats, err
}
