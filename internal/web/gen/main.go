// Command gen builds internal/web/dist (run by `go generate ./internal/web`).
// The .d.ts needs TypeScript (`npm ci --prefix sdk/browser`); without it the
// committed declarations are kept and a warning is printed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/govidu/govidu/internal/web/bundle"
)

func main() {
	root := flag.String("root", "../..", "repository root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	dist := filepath.Join(root, "internal/web/dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return err
	}
	js, err := bundle.JavaScript(root)
	if err != nil {
		return err
	}
	for name, b := range js {
		if err := os.WriteFile(filepath.Join(dist, name), b, 0o644); err != nil {
			return err
		}
		fmt.Printf("%-28s %7d bytes\n", name, len(b))
	}
	dts, err := bundle.Declarations(root)
	if errors.Is(err, bundle.ErrNoTypeScript) {
		fmt.Fprintln(os.Stderr, "gen: warning:", err, "(kept the committed", bundle.DeclarationsOut+")")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Printf("%-28s %7d bytes\n", bundle.DeclarationsOut, len(dts))
	return os.WriteFile(filepath.Join(dist, bundle.DeclarationsOut), dts, 0o644)
}
