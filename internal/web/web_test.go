package web

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govidu/govidu/internal/web/bundle"
)

// TestBundleUpToDate rebuilds the SDK in memory with the options of
// `go generate` and compares it with the committed dist/ files.
func TestBundleUpToDate(t *testing.T) {
	built, err := bundle.JavaScript("../..")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range built {
		got, err := os.ReadFile(filepath.Join("dist", name))
		if err != nil {
			t.Fatalf("%v (run `go generate ./internal/web`)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("internal/web/dist/%s is stale: run `go generate ./internal/web` and commit it", name)
		}
	}
}

// TestDeclarationsUpToDate does the same for the .d.ts, which needs the
// TypeScript compiler from sdk/browser's devDependencies.
func TestDeclarationsUpToDate(t *testing.T) {
	want, err := bundle.Declarations("../..")
	if errors.Is(err, bundle.ErrNoTypeScript) {
		// make test installs it (npm ci --prefix sdk/browser); a bare `go test` may not have it.
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("dist", bundle.DeclarationsOut))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("internal/web/dist/%s is stale: run `go generate ./internal/web` and commit it", bundle.DeclarationsOut)
	}
}

func TestJoinDeclarations(t *testing.T) {
	files := map[string]string{
		"index.d.ts": "export { A } from './a.js';\nexport type { B } from './a.js';\n",
		"a.d.ts":     "import type { C } from './c.js';\nexport declare class A {\n    c: C;\n}\nexport interface B {\n}\n",
		"c.d.ts":     "export declare enum C {\n    X = \"X\"\n}\nexport {};\n",
	}
	got, err := bundle.JoinDeclarations(files)
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, want := range []string{"export as namespace OpenVidu;", "declare class A {", "interface B {", "declare enum C {", "export { A };", "export type { B };"} {
		if !strings.Contains(s, want) {
			t.Errorf("joined declarations lack %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "import ") || strings.Contains(s, "export {};") || strings.Contains(s, "export declare") {
		t.Errorf("joined declarations keep module syntax:\n%s", s)
	}
}

func TestHandler(t *testing.T) {
	mux := http.NewServeMux()
	Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string, hdr map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "identity") // no transparent gzip from the client
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	cases := []struct {
		path, ctype, starts string
	}{
		{"/openvidu-browser.js", "text/javascript; charset=utf-8", "/* govidu browser SDK"},
		{"/openvidu-browser.esm.js", "text/javascript; charset=utf-8", "/* govidu browser SDK"},
		{"/openvidu-browser.d.ts", "application/typescript; charset=utf-8", "// Types of the govidu browser SDK"},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			resp := get(c.path, nil)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.ctype {
				t.Fatalf("GET %s: %d %q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.HasPrefix(string(body), c.starts) {
				t.Fatalf("GET %s: body starts %q", c.path, body[:min(len(body), 60)])
			}
			etag := resp.Header.Get("ETag")
			if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
				t.Fatalf("caching headers: ETag %q Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
			}
			if r := get(c.path, map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
				t.Fatalf("If-None-Match: %d, want 304", r.StatusCode)
			}
			gz := get(c.path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
			if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("ETag") == etag {
				t.Fatalf("gzip: Content-Encoding %q ETag %q (plain %q)", gz.Header.Get("Content-Encoding"), gz.Header.Get("ETag"), etag)
			}
			zr, err := gzip.NewReader(gz.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := io.ReadAll(zr)
			if !bytes.Equal(plain, body) {
				t.Fatal("gzip body differs from the plain one")
			}
		})
	}
	if r := get("/openvidu-browser.map", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: %d, want 404", r.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/openvidu-browser.js", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}
