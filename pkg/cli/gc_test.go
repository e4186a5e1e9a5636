package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// untunedGC restores the collector's target after the test and leaves
// neither GOGC nor GOMEMLIMIT in the environment, as for a user who set
// none.
func untunedGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)
	}
}

// The default target applies only when the user has not set GOGC.
func TestSetDefaultGC(t *testing.T) {
	untunedGC(t)
	setDefaultGC()
	if got := debug.SetGCPercent(100); got != reportGCPercent {
		t.Errorf("without GOGC the target is %d, want %d", got, reportGCPercent)
	}

	t.Setenv("GOGC", "200")
	debug.SetGCPercent(200) // what the runtime read from GOGC at start
	setDefaultGC()
	if got := debug.SetGCPercent(100); got != 200 {
		t.Errorf("with GOGC=200 the target is %d, want it left at 200", got)
	}
}

// GOMEMLIMIT alone also leaves the collector to the user.
func TestSetDefaultGCLeavesGOMEMLIMIT(t *testing.T) {
	untunedGC(t)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if gcTuned() {
		t.Fatal("usagerep tunes the collector though GOMEMLIMIT is set")
	}
	setDefaultGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOMEMLIMIT set the target is %d, want Go's default left at 100", got)
	}
}

// runtimeHeld reads the runtime's own figures: some memory, far from all.
func TestRuntimeHeld(t *testing.T) {
	if held := runtimeHeld(); held == 0 || held >= 1<<40 {
		t.Fatalf("runtimeHeld = %d bytes", held)
	}
}
