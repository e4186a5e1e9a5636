package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReleaseConfig checks what CI cannot afford to run goreleaser for
// (building it takes minutes): .goreleaser.yaml builds static, trimmed
// binaries for linux, darwin and windows on amd64 and arm64, stamps the
// version variables this package declares, and ships LICENSE and the man
// pages with checksums. `make release-check` validates the rest.
func TestReleaseConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int
		Before  struct{ Hooks []string }
		Builds  []struct {
			Main    string
			Env     []string
			Goos    []string
			Goarch  []string
			Flags   []string
			Ldflags []string
		}
		Archives []struct {
			Formats []string
			Files   []string
		}
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		}
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf("version %d, %d builds, %d archives", cfg.Version, len(cfg.Builds), len(cfg.Archives))
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/usagerep" || !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build %+v", b)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("no %s build", os)
		}
	}
	if !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("goarch %v", b.Goarch)
	}
	// Every -X main.NAME must be a variable of main.go.
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, v := range []string{"version", "commit", "date"} {
		if !strings.Contains(ld, "-X main."+v+"=") {
			t.Errorf("ldflags %q do not set main.%s", ld, v)
		}
		if !regexp.MustCompile(`(?m)^\s+` + v + `\s+string$`).Match(src) {
			t.Errorf("main.go declares no %s string for the ldflags", v)
		}
	}
	a := cfg.Archives[0]
	for _, f := range []string{"LICENSE", "man/man1/*.1"} {
		if !slices.Contains(a.Files, f) {
			t.Errorf("archives lack %s: %v", f, a.Files)
		}
	}
	if !slices.ContainsFunc(cfg.Before.Hooks, func(h string) bool { return strings.Contains(h, "./cmd/usagerep-docs -o man/man1") }) {
		t.Errorf("no hook writes the man pages: %v", cfg.Before.Hooks)
	}
	if cfg.Checksum.NameTemplate == "" {
		t.Error("no checksum file")
	}
}
