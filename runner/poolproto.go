package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The pool's host and the init inside each pooled sandbox talk over a
// SOCK_SEQPACKET socket pair: one JSON message per datagram, descriptors
// passed with SCM_RIGHTS. The init serves one run at a time:
//
//	init → host  {op: "ready"}                   once, when it has started
//	host → init  {op: "run", argv, env, dir, rlimits, files, cgroups}
//	             fds: stdin, stdout, stderr, cgroup.procs files…, file sources…
//	host → init  {op: "kill"}                    kill every process of the run
//	init → host  {op: "exited", status, usage, clean, err, fetched}
//	             fds: a memfd with the fetched files' contents, when fetched
//	             or {op: "error", err, clean}    the program could not start
//
// After the program's main process ends, the init kills every other
// process in the sandbox and reaps them before it answers; clean says
// whether that succeeded (a sandbox that is not clean is destroyed). When
// the run asked to fetch files, the init reads them then, before the
// reset, into a memfd that comes with the reply (a datagram is too small
// for them). Then it empties the writable directories and removes System V IPC objects; a
// run request that comes before that is done waits for it, and is refused
// if it failed.

const (
	opReady  = "ready"
	opRun    = "run"
	opKill   = "kill"
	opExited = "exited"
	opError  = "error"
)

// initRequest is a message from the host to the init.
type initRequest struct {
	Op      string        `json:"op"`
	Argv    []string      `json:"argv,omitempty"`
	Env     []string      `json:"env,omitempty"`
	Dir     string        `json:"dir,omitempty"`
	Rlimits []initRlimit  `json:"rlimits,omitempty"`
	Files   []initFileReq `json:"files,omitempty"`
	// Cgroups is how many cgroup.procs descriptors follow stdio.
	Cgroups int `json:"cgroups,omitempty"`
	// Python asks for the Python fork server, when the command is one it
	// can serve.
	Python bool `json:"python,omitempty"`
	// Fetch names files of the work directory to read after the run,
	// each up to FetchFile bytes, FetchTotal together.
	Fetch      []string `json:"fetch,omitempty"`
	FetchFile  int64    `json:"fetch_file,omitempty"`
	FetchTotal int64    `json:"fetch_total,omitempty"`
}

// initRlimit is one resource limit of a run.
type initRlimit struct {
	Resource int    `json:"r"`
	Cur      uint64 `json:"c"`
	Max      uint64 `json:"m"`
}

// initFileReq is a file copied into the work directory before a run, from
// the descriptor at its position after the cgroup descriptors.
type initFileReq struct {
	Name string `json:"name"`
	Mode uint32 `json:"mode"`
}

// initReply is a message from the init to the host.
type initReply struct {
	Op string `json:"op"`
	// Status is the main process's wait status.
	Status uint32 `json:"status,omitempty"`
	// UserNs, SysNs and MaxRSS are the main process's rusage.
	UserNs int64 `json:"user_ns,omitempty"`
	SysNs  int64 `json:"sys_ns,omitempty"`
	MaxRSS int64 `json:"maxrss,omitempty"`
	Clean  bool  `json:"clean,omitempty"`
	// Forked says the fork server ran the program.
	Forked bool   `json:"forked,omitempty"`
	Err    string `json:"err,omitempty"`
	// Fetched are the files of the request's Fetch that were read; their
	// contents follow one another in the memfd passed with the reply.
	Fetched []initFetched `json:"fetched,omitempty"`
}

// initFetched is one fetched file: its index in the request's Fetch and
// its size in the memfd.
type initFetched struct {
	Index     int   `json:"i"`
	Size      int64 `json:"s"`
	Truncated bool  `json:"t,omitempty"`
}

// maxInitMessage bounds one datagram (a command line and environment).
const maxInitMessage = 256 << 10

// packetConn is one end of the control socket with the descriptor passing
// both sides need.
type packetConn struct {
	c   *net.UnixConn
	buf []byte // recv's buffers: one reader at a time
	oob []byte
}

func newPacketConn(f *os.File) (*packetConn, error) {
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, errors.New("control socket is not a unix socket")
	}
	return &packetConn{c: uc}, nil
}

// send writes one message with descriptors.
func (p *packetConn) send(msg any, files ...*os.File) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	n, oobn, err := p.c.WriteMsgUnix(data, oob, nil)
	if err != nil {
		return err
	}
	if n != len(data) || oobn != len(oob) {
		return fmt.Errorf("short write on control socket (%d of %d)", n, len(data))
	}
	return nil
}

// recv reads one message and the descriptors that came with it (marked
// close-on-exec). A zero deadline waits forever.
func (p *packetConn) recv(msg any, deadline time.Time) ([]*os.File, error) {
	if err := p.c.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	if p.buf == nil {
		p.buf = make([]byte, maxInitMessage)
		p.oob = make([]byte, unix.CmsgSpace(64*4))
	}
	buf, oob := p.buf, p.oob
	n, oobn, flags, _, err := p.c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	files, ferr := parseRights(oob[:oobn])
	if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		closeAll(files)
		return nil, errors.New("control message truncated")
	}
	if ferr != nil {
		closeAll(files)
		return nil, ferr
	}
	if n == 0 {
		closeAll(files)
		return nil, errClosed
	}
	if err := json.Unmarshal(buf[:n], msg); err != nil {
		closeAll(files)
		return nil, fmt.Errorf("control message: %w", err)
	}
	return files, nil
}

// errClosed is the peer closing the control socket.
var errClosed = errors.New("control socket closed")

func (p *packetConn) close() error { return p.c.Close() }

func parseRights(oob []byte) ([]*os.File, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			files = append(files, os.NewFile(uintptr(fd), "fd"))
		}
	}
	return files, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// waitStatus converts a reply's status.
func (r *initReply) waitStatus() syscall.WaitStatus { return syscall.WaitStatus(r.Status) }
