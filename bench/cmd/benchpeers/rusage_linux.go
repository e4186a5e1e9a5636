package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxRSS is the child's peak resident set in bytes (Linux reports KiB).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return -1
}

// loadAvg is the 1-minute load average: other work on the machine skews
// a run, and the table says how busy it was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "n/a"
}

// idleFraction is the share of all CPUs left idle over d, from
// /proc/stat; -1 when unknown.
func idleFraction(d time.Duration) float64 {
	idle0, total0 := cpuTimes()
	time.Sleep(d)
	idle1, total1 := cpuTimes()
	if total1 <= total0 {
		return -1
	}
	return float64(idle1-idle0) / float64(total1-total0)
}

// cpuTimes sums the first line of /proc/stat: idle (with iowait) and all.
func cpuTimes() (idle, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return idle, total
}
