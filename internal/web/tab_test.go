package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

// Chromium helpers shared by the SDK test (browser_test.go) and the web
// component and call app tests (ui_test.go). The browsers themselves come
// from testkit; these are the tabs.

// repoRoot is the repository root seen from this package (for artifacts).
const repoRoot = "../.."

// startChromiums starts one Chromium per options side by side (starting is
// most of a test's setup time); each stops when t ends.
func startChromiums(t *testing.T, opts ...testkit.ChromiumOptions) []context.Context {
	t.Helper()
	exe := testkit.RequireChromium(t)
	ctxs := make([]context.Context, len(opts))
	errs := make([]error, len(opts))
	stops := make([]func(), len(opts))
	var wg sync.WaitGroup
	for i, o := range opts {
		wg.Go(func() { ctxs[i], stops[i], errs[i] = testkit.LaunchChromium(exe, o) })
	}
	wg.Wait()
	for _, stop := range stops {
		t.Cleanup(stop)
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctxs
}

// tabConsole keeps a tab's console lines and uncaught exceptions.
type tabConsole struct {
	mu   sync.Mutex
	logs []string
}

// onEvent is the tab's listener (on chromedp's read loop).
func (c *tabConsole) onEvent(ev any) {
	var line string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = "console." + string(e.Type) + " " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		line = "EXCEPTION " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			line += " " + e.ExceptionDetails.Exception.Description
		}
	default:
		return
	}
	c.mu.Lock()
	c.logs = append(c.logs, line)
	c.mu.Unlock()
}

// tail returns the last n lines.
func (c *tabConsole) tail(n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	logs := c.logs
	if len(logs) > n {
		logs = logs[len(logs)-n:]
	}
	return logs
}

// openTab opens a tab in its own browser context whose console goes to
// console; it closes when t ends.
func openTab(t *testing.T, browser context.Context, name string, console *tabConsole) context.Context {
	t.Helper()
	return testkit.OpenTab(t, browser, name, 30*time.Second, console.onEvent)
}

// evalJSON runs JavaScript in the tab (promises awaited, 20 s at most) and
// decodes its JSON result into out (nil: the result is dropped).
func evalJSON(tab context.Context, expr string, out any, opts ...chromedp.EvaluateOption) error {
	ctx, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	opts = append([]chromedp.EvaluateOption{chromedp.EvalAwaitPromise}, opts...)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage]("(async () => JSON.stringify(await ("+expr+")))()", opts...))
	if err != nil {
		return err
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return fmt.Errorf("result %s: %v", v, err)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal([]byte(s), out)
}

// pollJS evaluates cond with evalErr every 100 ms until it is truthy; past
// the timeout it says what the last evaluation returned.
func pollJS(timeout time.Duration, cond string, evalErr func(expr string, out any) error) error {
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := evalErr("!!("+cond+")", &ok)
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("last error %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// saveScreenshot writes a PNG of the tab to path.
func saveScreenshot(tab context.Context, path string) error {
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
