//go:build race

package analytics

// raceEnabled: under the race detector sync.Pool drops what it is given
// at random, so regexp matching (which pools its machines) allocates.
const raceEnabled = true
