package openvidu_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/govidu/govidu/openvidu"
)

// An application server's two jobs: make sure the session exists, and give
// each browser a token for it. (Not run: it needs a server.)
func ExampleClient() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ov := openvidu.New("http://localhost:4443", "MY_SECRET")

	// Creating an existing custom session returns it instead of failing.
	session, err := ov.CreateSession(ctx, openvidu.SessionProperties{CustomSessionID: "daily-standup"})
	if err != nil {
		log.Fatal(err)
	}
	conn, err := session.CreateConnection(ctx, openvidu.ConnectionProperties{
		Role: openvidu.RolePublisher,
		Data: `{"user":"alice"}`,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token for the browser:", conn.Token)
}

func ExampleClient_Signal() {
	ctx := context.Background()
	ov := openvidu.New("http://localhost:4443", "MY_SECRET")
	err := ov.Signal(ctx, openvidu.SignalOptions{Session: "daily-standup", Type: "signal:chat", Data: "The meeting ends in 5 minutes"})
	switch {
	case errors.Is(err, openvidu.ErrNotFound):
		fmt.Println("no such session")
	case errors.Is(err, openvidu.ErrNotAcceptable):
		fmt.Println("nobody has joined yet")
	case err != nil:
		log.Fatal(err)
	}
}

// Errors are values: compare with the Err* variables, or read the status.
func ExampleHTTPError() {
	var err error = &openvidu.HTTPError{Status: 404, Message: "session daily-standup not found"}
	fmt.Println(errors.Is(err, openvidu.ErrNotFound), errors.Is(err, openvidu.ErrConflict))
	var he *openvidu.HTTPError
	if errors.As(err, &he) {
		fmt.Println(he.Status, he.Message)
	}
	// Output:
	// true false
	// 404 session daily-standup not found
}
