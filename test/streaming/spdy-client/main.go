// spdy-client: the reference client for nodeagent's streaming tests. It is upstream's own code
// path from kubectl and the API server to a kubelet: client-go's SPDY remotecommand executor
// and port forwarder (moby/spdystream underneath), at the control plane's pinned versions.
//
//	spdy-client exec [-stdin] [-tty] [-size WxH,...] [-timeout D] URL   stdin from ours, output to ours;
//	                                                                 exits with the remote exit code
//	spdy-client portforward URL REMOTEPORT PATH                      an HTTP/1.0 GET of PATH through a
//	                                                                 forwarded port; prints the response
//	spdy-client vector                                               hex of frames Go's framer writes
//	                                                                 (known vectors for unit tests)
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/moby/spdystream/spdy"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	spdytransport "k8s.io/client-go/transport/spdy"
	"k8s.io/client-go/util/exec"
)

func config(u *url.URL) *rest.Config {
	return &rest.Config{Host: u.Scheme + "://" + u.Host, TLSClientConfig: rest.TLSClientConfig{Insecure: u.Scheme == "https"}}
}

// The sizes of -size, the first at the start (as kubectl sends the terminal's size first), each
// later one a second after the one before (a resize while the command runs).
type sizeQueue struct {
	sizes []remotecommand.TerminalSize
	next  int
}

func (q *sizeQueue) Next() *remotecommand.TerminalSize {
	if q.next >= len(q.sizes) {
		select {} // no more resizes; the executor stops reading at the end
	}
	if q.next > 0 {
		time.Sleep(time.Second)
	}
	q.next++
	return &q.sizes[q.next-1]
}

func runExec(args []string) int {
	fs := flag.NewFlagSet("exec", flag.ExitOnError)
	stdin := fs.Bool("stdin", false, "send our stdin")
	tty := fs.Bool("tty", false, "ask for a TTY")
	size := fs.String("size", "", "terminal sizes WxH[,WxH...]: the first at the start, then one a second")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this")
	noStderr := fs.Bool("no-stderr", false, "do not ask for stderr")
	fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: spdy-client exec [flags] URL")
		return 2
	}
	u, err := url.Parse(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ex, err := remotecommand.NewSPDYExecutor(config(u), "POST", u)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	opts := remotecommand.StreamOptions{Stdout: os.Stdout, Tty: *tty}
	if !*tty && !*noStderr {
		opts.Stderr = os.Stderr
	}
	if *stdin {
		opts.Stdin = os.Stdin
	}
	if *size != "" {
		q := &sizeQueue{}
		for _, wh := range strings.Split(*size, ",") {
			var w, h uint16
			fmt.Sscanf(wh, "%dx%d", &w, &h)
			q.sizes = append(q.sizes, remotecommand.TerminalSize{Width: w, Height: h})
		}
		opts.TerminalSizeQueue = q
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	err = ex.StreamWithContext(ctx, opts)
	var code exec.CodeExitError
	if errors.As(err, &code) {
		return code.Code
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "spdy-client: timeout")
			return 124
		}
		fmt.Fprintln(os.Stderr, "spdy-client:", err)
		return 125
	}
	return 0
}

func runPortForward(args []string) int {
	u, err := url.Parse(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	transport, upgrader, err := spdytransport.RoundTripperFor(config(u))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dialer := spdytransport.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	stop := make(chan struct{})
	ready := make(chan struct{})
	var out, errOut bytes.Buffer
	pf, err := portforward.New(dialer, []string{"0:" + args[1]}, stop, ready, &out, &errOut)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	done := make(chan error, 1)
	go func() { done <- pf.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-done:
		fmt.Fprintln(os.Stderr, "spdy-client: port forward:", err, errOut.String())
		return 125
	case <-time.After(30 * time.Second):
		fmt.Fprintln(os.Stderr, "spdy-client: port forward not ready")
		return 124
	}
	ports, _ := pf.GetPorts()
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0].Local), 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.0\r\nHost: pod\r\n\r\n", args[2])
	resp, err := io.ReadAll(conn)
	conn.Close()
	close(stop)
	<-done
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	os.Stdout.Write(resp)
	if errOut.Len() > 0 {
		fmt.Fprint(os.Stderr, errOut.String())
	}
	return 0
}

// Frames as spdystream writes them, one framer (one compression context) for all of them.
func runVector() int {
	var buf bytes.Buffer
	fr, err := spdy.NewFramer(&buf, &buf)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	frames := []spdy.Frame{
		&spdy.SynStreamFrame{StreamId: 1, Headers: http.Header{"Streamtype": {"error"}}},
		&spdy.SynStreamFrame{StreamId: 3, Headers: http.Header{"Streamtype": {"stdout"}, "Port": {"8080"}, "Requestid": {"0"}}},
		&spdy.DataFrame{StreamId: 3, Flags: spdy.DataFlagFin, Data: []byte("hello")},
		&spdy.PingFrame{Id: 1},
		&spdy.GoAwayFrame{LastGoodStreamId: 3, Status: spdy.GoAwayOK},
	}
	for _, f := range frames {
		buf.Reset()
		if err := fr.WriteFrame(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println(hex.EncodeToString(buf.Bytes()))
	}
	return 0
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: spdy-client exec|portforward|vector ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "exec":
		os.Exit(runExec(os.Args[2:]))
	case "portforward":
		if len(os.Args) != 5 {
			fmt.Fprintln(os.Stderr, "usage: spdy-client portforward URL REMOTEPORT PATH")
			os.Exit(2)
		}
		os.Exit(runPortForward(os.Args[2:]))
	case "vector":
		os.Exit(runVector())
	default:
		fmt.Fprintln(os.Stderr, "unknown command", strings.Join(os.Args[1:], " "))
		os.Exit(2)
	}
}
