package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/doctor"
)

// doctorCmd checks the configuration in the environment and then the server
// it describes (or --url), printing what to fix.
func doctorCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("govidu doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "server to check (default: the public URL of the configuration in the environment)")
	secret := fs.String("secret", "", "OPENVIDU_SECRET of that server (default: from the environment)")
	insecure := fs.Bool("insecure", false, "accept a certificate that does not verify (self-signed)")
	remote := fs.Bool("allow-remote", false, "allow checking a server that is not on this machine")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(os.LookupEnv, nil, io.Discard)
	if err != nil {
		fmt.Fprintf(stdout, "[FAIL] %-22s %v\n       fix: correct the variables named above; govidu will not start with them\n", "configuration", err)
		if *url == "" {
			return 1
		}
	} else {
		fmt.Fprintf(stdout, "[ok  ] %-22s public URL %s\n", "configuration", cfg.PublicURL())
		if *url == "" {
			*url = cfg.PublicURL()
		}
		if *secret == "" {
			*secret = cfg.Secret
		}
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	if *insecure {
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep := doctor.Run(ctx, doctor.Options{URL: *url, Secret: *secret, HTTPClient: hc, AllowRemote: *remote})
	rep.Write(stdout)
	if !rep.OK() {
		return 1
	}
	return 0
}
