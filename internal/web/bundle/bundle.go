// Package bundle builds the browser assets that internal/web embeds: the
// SDK as a script-tag bundle and as an ES module (esbuild's Go API), and one
// .d.ts file from the TypeScript compiler's declarations. Both `go generate
// ./internal/web` and the staleness test use these exact options, so the
// committed files are what a rebuild produces.
package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Target is one JavaScript file to build.
type Target struct {
	Entry  string // relative to the repository root
	Out    string // file name under internal/web/dist
	Format api.Format
	// Banner is the first line of the output.
	Banner string
}

const banner = "/* govidu browser SDK: the openvidu-browser 2.32 API, dependency-free. Apache-2.0. */"

// Targets are the JavaScript outputs.
var Targets = []Target{
	{Entry: "sdk/browser/src/sdk/global.ts", Out: "openvidu-browser.js", Format: api.FormatIIFE, Banner: banner},
	{Entry: "sdk/browser/src/sdk/index.ts", Out: "openvidu-browser.esm.js", Format: api.FormatESModule, Banner: banner},
	// <openvidu-webcomponent> and the call app at / (each with the SDK inside).
	{Entry: "sdk/browser/src/webcomponent/index.ts", Out: "openvidu-webcomponent.js", Format: api.FormatIIFE, Banner: componentBanner},
	{Entry: "sdk/browser/src/app/main.ts", Out: "call-app.js", Format: api.FormatIIFE, Banner: appBanner},
}

const (
	componentBanner = "/* govidu <openvidu-webcomponent>: the openvidu-webcomponent 2.32 attributes and events, dependency-free. Apache-2.0. */"
	appBanner       = "/* govidu call app. Apache-2.0. */"
)

// StaticFile is a file copied verbatim into internal/web/dist (the call
// app's HTML shell, the component's types). JavaScript returns them with the bundles, so `go
// generate` writes them and the staleness test compares them.
type StaticFile struct {
	Src string // relative to the repository root
	Out string // file name under internal/web/dist
}

// StaticFiles are the copied files.
var StaticFiles = []StaticFile{
	{Src: "sdk/browser/src/app/index.html", Out: "call-app.html"},
	{Src: "sdk/browser/src/webcomponent/openvidu-webcomponent.d.ts", Out: "openvidu-webcomponent.d.ts"},
}

// DeclarationsOut is the name of the bundled type declarations.
const DeclarationsOut = "openvidu-browser.d.ts"

// Options are the esbuild options of a target. root is the repository root.
func Options(root string, t Target) api.BuildOptions {
	return api.BuildOptions{
		AbsWorkingDir:     root,
		EntryPoints:       []string{t.Entry},
		Outfile:           filepath.Join("internal/web/dist", t.Out),
		Bundle:            true,
		Write:             false,
		Format:            t.Format,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		TreeShaking:       api.TreeShakingTrue,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Tsconfig:          "sdk/browser/tsconfig.json",
		Banner:            map[string]string{"js": t.Banner},
		LogLevel:          api.LogLevelSilent,
	}
}

// JavaScript builds every target in memory: file name → contents.
func JavaScript(root string) (map[string][]byte, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, t := range Targets {
		res := api.Build(Options(root, t))
		if len(res.Errors) > 0 {
			msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
			return nil, fmt.Errorf("esbuild %s:\n%s", t.Entry, strings.Join(msgs, ""))
		}
		if len(res.OutputFiles) != 1 {
			return nil, fmt.Errorf("esbuild %s: %d output files, want 1", t.Entry, len(res.OutputFiles))
		}
		out[t.Out] = res.OutputFiles[0].Contents
	}
	for _, f := range StaticFiles {
		b, err := os.ReadFile(filepath.Join(root, f.Src))
		if err != nil {
			return nil, err
		}
		out[f.Out] = b
	}
	return out, nil
}

// ErrNoTypeScript means the TypeScript compiler is not installed (npm ci --prefix sdk/browser).
var ErrNoTypeScript = errors.New("TypeScript is not installed: run `npm ci --prefix sdk/browser`")

// Declarations runs tsc (emitDeclarationOnly, stripInternal) over the SDK and
// joins the per-file declarations into one module whose exports are exactly
// those of src/sdk/index.ts; `export as namespace OpenVidu` types the global
// of the script-tag bundle.
func Declarations(root string) ([]byte, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	tsc := filepath.Join(root, "sdk/browser/node_modules/typescript/bin/tsc")
	if _, err := os.Stat(tsc); err != nil {
		return nil, ErrNoTypeScript
	}
	tmp, err := os.MkdirTemp("", "govidu-dts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("node", tsc, "-p", filepath.Join(root, "sdk/browser/tsconfig.dts.json"), "--outDir", tmp)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tsc: %v\n%s", err, b)
	}
	files := map[string]string{}
	err = filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".d.ts") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return JoinDeclarations(files)
}

var (
	importStmt   = regexp.MustCompile(`(?ms)^import\s.*?\sfrom\s+'[^']*';\n`)
	emptyExport  = regexp.MustCompile(`(?m)^export \{\};\n`)
	exportPrefix = regexp.MustCompile(`(?m)^export (declare |interface |type |abstract |enum |class |function |const )`)
	reExport     = regexp.MustCompile(`(?ms)^export (type )?\{([^}]*)\} from '[^']*';`)
)

// JoinDeclarations joins tsc's per-file declarations (path → text, one of
// them index.d.ts) into one file.
func JoinDeclarations(files map[string]string) ([]byte, error) {
	index, ok := files["index.d.ts"]
	if !ok {
		return nil, errors.New("no index.d.ts among the declarations")
	}
	var values, types []string
	for _, m := range reExport.FindAllStringSubmatch(index, -1) {
		for _, name := range strings.Split(m[2], ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			if m[1] != "" {
				types = append(types, name)
			} else {
				values = append(values, name)
			}
		}
	}
	if len(values) == 0 {
		return nil, errors.New("index.d.ts exports nothing")
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if name != "index.d.ts" && name != "global.d.ts" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("// Types of the govidu browser SDK (openvidu-browser 2.32 API). Generated by `go generate ./internal/web`.\n")
	b.WriteString("export as namespace OpenVidu;\n")
	for _, name := range names {
		text := importStmt.ReplaceAllString(files[name], "")
		text = emptyExport.ReplaceAllString(text, "")
		text = exportPrefix.ReplaceAllString(text, "$1")
		if strings.Contains(text, "\nexport ") || strings.HasPrefix(text, "export ") {
			return nil, fmt.Errorf("%s: an export form the joiner does not handle", name)
		}
		fmt.Fprintf(&b, "\n// %s\n%s", strings.TrimSuffix(name, ".d.ts"), text)
	}
	slices.Sort(values)
	slices.Sort(types)
	fmt.Fprintf(&b, "\nexport { %s };\n", strings.Join(values, ", "))
	if len(types) > 0 {
		fmt.Fprintf(&b, "export type { %s };\n", strings.Join(types, ", "))
	}
	return b.Bytes(), nil
}
