package cli

import (
	"go/build"
	"slices"
	"testing"
)

// The CLI must not link the benchmark data generator into the binary; only
// tests that generate data (export_bench_test.go) may import it.
func TestNoGeneratorImport(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Imports) == 0 {
		t.Fatal("no imports read")
	}
	if slices.Contains(pkg.Imports, "github.com/usagerep/usagerep/pkg/gen") {
		t.Error("pkg/cli imports pkg/gen outside its tests")
	}
}
