package media

import (
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
)

func TestNACKCounter(t *testing.T) {
	f := &nackCounter{}
	i, err := f.NewInterceptor("pc1")
	if err != nil {
		t.Fatal(err)
	}
	var written int
	w := i.BindRTCPWriter(interceptor.RTCPWriterFunc(func(p []rtcp.Packet, _ interceptor.Attributes) (int, error) {
		written += len(p)
		return 0, nil
	}))
	n := f.take("pc1")
	_, _ = w.Write([]rtcp.Packet{&rtcp.TransportLayerNack{}, &rtcp.PictureLossIndication{}}, nil)
	_, _ = w.Write([]rtcp.Packet{&rtcp.TransportLayerNack{}}, nil)
	if n.Load() != 2 || written != 3 {
		t.Errorf("counted %d NACKs, passed %d packets on", n.Load(), written)
	}
	if f.take("pc1").Load() != 0 {
		t.Error("take did not forget the id")
	}
}
