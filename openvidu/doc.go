// Package openvidu is the Go server SDK for govidu and for any OpenVidu 2.x
// deployment: what openvidu-node-client and openvidu-java-client offer to
// application servers, in Go idiom.
//
// An application server creates Sessions, hands each browser a Connection
// token, and may later inspect, update, signal, force-disconnect or close:
//
//	ov := openvidu.New("http://localhost:4443", "MY_SECRET")
//	session, err := ov.CreateSession(ctx, openvidu.SessionProperties{CustomSessionID: "room-1"})
//	if err != nil { ... }
//	conn, err := session.CreateConnection(ctx, openvidu.ConnectionProperties{Role: openvidu.RolePublisher})
//	if err != nil { ... }
//	// send conn.Token to the browser, which passes it to openvidu-browser's session.connect
//
// Every call that reaches the server takes a context first. A non-success
// answer is returned as an *HTTPError; compare it with the Err* values:
//
//	if errors.Is(err, openvidu.ErrNotFound) { ... }
//
// As in the official clients, CreateSession with a CustomSessionID that is
// already in use is not an error: the existing session is fetched and
// returned.
//
// The objects this package returns (Session, Connection, Recording) are
// snapshots of the server's state when they were read; Session.Fetch
// refreshes one. They are not safe for concurrent mutation, while a Client is
// safe for concurrent use.
package openvidu
