package doctor_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/doctor"
	"github.com/govidu/govidu/internal/testkit"
)

func run(t *testing.T, o doctor.Options) (doctor.Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep := doctor.Run(ctx, o)
	var out bytes.Buffer
	rep.Write(&out)
	t.Log("\n" + out.String())
	return rep, out.String()
}

func check(t *testing.T, rep doctor.Report, name string) doctor.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q check in %+v", name, rep.Checks)
	return doctor.Check{}
}

func TestHealthyServer(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	rep, out := run(t, doctor.Options{URL: srv.URL, Secret: srv.Secret})
	for _, name := range []string{"HTTP reachability", "REST credentials", "signaling", "TURN", "media (direct ICE)", "media (TURN relay)"} {
		if c := check(t, rep, name); !c.OK || c.Warn {
			t.Errorf("%s: %+v", name, c)
		}
	}
	if !strings.Contains(check(t, rep, "visitor network test").Detail, srv.URL+"/doctor/") {
		t.Errorf("the report should point at the visitor page:\n%s", out)
	}
	if !rep.OK() || !strings.Contains(out, "all checks passed") || !strings.Contains(check(t, rep, "media (TURN relay)").Detail, "via relay") {
		t.Fatalf("report:\n%s", out)
	}
	// The probe cleans up after itself.
	testkit.Eventually(t, 10*time.Second, "doctor session closed", func() bool {
		return !strings.Contains(string(srv.Do(t, "GET", "/openvidu/api/sessions", nil).Body), "govidu-doctor-")
	})
}

func TestBrokenDeployments(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	t.Run("wrong secret", func(t *testing.T) {
		rep, _ := run(t, doctor.Options{URL: srv.URL, Secret: "nope"})
		c := check(t, rep, "REST credentials")
		if c.OK || !strings.Contains(c.Fix, "OPENVIDU_SECRET") || rep.OK() {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("server down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		rep, _ := run(t, doctor.Options{URL: "http://" + addr, Secret: "x", Timeout: 3 * time.Second})
		if c := check(t, rep, "HTTP reachability"); c.OK || !strings.Contains(c.Fix, "running") {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("public URL mismatch", func(t *testing.T) {
		rep, _ := run(t, doctor.Options{URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), Secret: srv.Secret})
		if c := check(t, rep, "HTTP reachability"); !c.OK || !c.Warn || !strings.Contains(c.Fix, "DOMAIN_OR_PUBLIC_IP") {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("remote refused", func(t *testing.T) {
		rep, _ := run(t, doctor.Options{URL: "https://media.example.org", Secret: "x"})
		if rep.OK() || !strings.Contains(rep.Checks[0].Fix, "--allow-remote") {
			t.Fatalf("%+v", rep.Checks)
		}
	})
	t.Run("no TURN", func(t *testing.T) {
		noTurn := testkit.StartServer(t, testkit.Options{Env: map[string]string{"GOVIDU_TURN": "false"}})
		rep, _ := run(t, doctor.Options{URL: noTurn.URL, Secret: noTurn.Secret})
		if c := check(t, rep, "TURN"); !c.Warn || !strings.Contains(c.Fix, "GOVIDU_TURN") {
			t.Fatalf("%+v", c)
		}
	})
}

func TestSelfSignedCertificate(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"CERTIFICATE_TYPE": "selfsigned", "GOVIDU_DATA_DIR": t.TempDir()}})
	rep, _ := run(t, doctor.Options{URL: srv.URL, Secret: srv.Secret, HTTPClient: srv.Client})
	if c := check(t, rep, "TLS certificate"); !c.OK || !c.Warn || !strings.Contains(c.Detail, "self-signed") {
		t.Fatalf("%+v", c)
	}
	if c := check(t, rep, "REST credentials"); !c.OK {
		t.Fatalf("%+v", c)
	}
}
