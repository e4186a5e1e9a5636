package cli

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// reportGCPercent is the garbage collector's target when the user sets
// none. The reports keep their state in pointer-free columns, which a
// collection does not scan, so collecting at half of Go's default growth
// costs about 5% more CPU and lowers export's peak memory by about a
// seventh (the 1 GiB benchmark: 787 -> 692 MB).
const reportGCPercent = 50

// gcTuned says whether usagerep tunes the collector: only when the user
// has not, with GOGC or GOMEMLIMIT.
func gcTuned() bool {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	return !gogc && !limit
}

// setDefaultGC applies reportGCPercent unless the user tunes the collector.
func setDefaultGC() {
	if gcTuned() {
		debug.SetGCPercent(reportGCPercent)
	}
}

// releaseMemory, for one-shot commands to call between the stages of a
// build, collects and hands the memory the heap then holds free back to the
// operating system. Each stage frees large arrays that the next, allocating
// others, leaves unused, and the runtime returns free memory only slowly:
// when this was added (da5dedd), it took export's peak on the 1 GiB
// benchmark from 445-492 to 386-394 MiB, for six collections of 13-33 ms
// (docs/performance.md has today's figures). It does nothing when the
// user tunes the collector (GOMEMLIMIT makes the runtime return memory
// itself), nor while the runtime holds less than releaseFloor, where the
// collections would cost a small job more time than the memory is worth.
func releaseMemory() {
	if gcTuned() && runtimeHeld() >= releaseFloor {
		debug.FreeOSMemory()
	}
}

// releaseFloor is the memory below which releaseMemory does nothing.
const releaseFloor = 64 << 20

// runtimeHeld is the memory the runtime has mapped and not handed back.
func runtimeHeld() uint64 {
	m := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 || m[1].Value.Kind() != metrics.KindUint64 {
		return releaseFloor // unknown: release, as before
	}
	return m[0].Value.Uint64() - m[1].Value.Uint64()
}
