//go:build linux

package xlsx

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// liveHeap samples the live heap (as of the last GC) until stopped and
// returns the largest value seen.
func liveHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	var peak uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// resetPeakRSS resets the kernel's high-water mark of the process's
// resident set (Linux 4.0 and later), so that peakRSS tells the peak of
// what follows rather than of building the fixture.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset (%v): it includes building the fixture", err)
	}
}

// peakRSS is the process's peak resident set in KiB (VmHWM).
func peakRSS() (int64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib, err == nil
		}
	}
	return 0, false
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWriteDetailed1M writes a workbook whose Detailed User Report has
// a million rows. Besides time it reports the process's CPU time (the
// machine may be shared), its peak RSS (which includes the model and the
// garbage the GC lets accumulate) and the writer's own peak live heap above
// the model.
func BenchmarkWriteDetailed1M(b *testing.B) {
	const rows = 1_000_000
	rep, wb := bigReport(rows)
	debug.FreeOSMemory() // the fixture's garbage is not the writer's
	resetPeakRSS(b)
	modelLive := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}()
	var out countingWriter
	stop := liveHeap()
	cpu0 := cpuTime()
	for b.Loop() {
		out.n = 0
		if err := WriteUsageWorkbook(&out, rep, wb); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	peakLive := stop()
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(out.n)/(1<<20), "MiB-xlsx")
	b.ReportMetric(float64(modelLive)/(1<<20), "model-MiB")
	b.ReportMetric(float64(peakLive-min(peakLive, modelLive))/(1<<20), "writer-live-MiB")
	if kib, ok := peakRSS(); ok {
		b.ReportMetric(float64(kib)/1024, "peak-RSS-MiB")
	}
	runtime.KeepAlive(wb)
}

// BenchmarkAppendCellText escapes the text cells of the Detailed User
// Report's rows, most of which need no escape.
func BenchmarkAppendCellText(b *testing.B) {
	_, wb := bigReport(50_000)
	var texts []string
	n := 0
	for _, u := range wb.Users {
		for _, s := range []string{u.Email, u.Username, u.DisplayName, u.ProfileID, u.ObservedIn[0].System + " (2026-06-01 00:00:00 - 2026-06-05 01:00:00)"} {
			texts = append(texts, s)
			n += len(s)
		}
	}
	b.SetBytes(int64(n))
	dst := make([]byte, 0, 2*n)
	for b.Loop() {
		dst = dst[:0]
		for _, s := range texts {
			dst = appendCellText(dst, s)
		}
	}
}
