//go:build !linux

package main

import (
	"os"
	"time"
)

// maxRSS is unknown here: rusage units differ by system.
func maxRSS(*os.ProcessState) int64 { return -1 }

func loadAvg() string { return "n/a" }

func idleFraction(time.Duration) float64 { return -1 }
