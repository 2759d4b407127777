# scalebox's Python fork server. The init of a warm sandbox starts it with
# `python3 -I [-S] -c <this file>` (the flags of the runs it serves) and the environment of the runs it serves, a
# control socket on fd 3, and the stack limit the runs may grow to. It
# imports what the benchmarks' harnesses and preludes import, freezes the
# garbage collector so that children share its pages, and then, for each
# run, forks a child that becomes the run's program as a fresh interpreter
# would: in its own session and cgroups, with its own rlimits and standard
# streams, a fresh __main__, no descriptor of the server's, and the exit
# code and uncaught-exception report of `python3 -I script`.
#
# Protocol (one JSON message per SOCK_SEQPACKET datagram):
#   server -> init  {"ready": pid}
#   init -> server  {"argv": [...], "dir": "/box", "rlimits": [[res, cur, max]...],
#                    "cgroups": n}  fds: stdin, stdout, stderr, n cgroup.procs files
#   server -> init  {"pid": child} or {"error": "..."}
#   server -> init  {"status": wait status, "utime": s, "stime": s, "maxrss": KiB}
# The server ends when the socket closes. Between runs it keeps one child
# forked ahead (its spare): a child of the server, waiting on a socket.
import gc
import os
import socket
import sys

# What the harnesses and the benchmarks' preludes (LiveCodeBench's, the
# reference harnesses') import: a child finds them loaded.
import array, base64, bisect, builtins, collections, copy, ctypes, dataclasses, datetime  # noqa: E401
import decimal, fractions, functools, hashlib, heapq, io, itertools, json, math, operator  # noqa: E401
import random, re, resource, signal, statistics, string, struct, threading, time  # noqa: E401
import traceback, types, typing, atexit, warnings  # noqa: E401
import importlib.machinery as importlib_machinery
from _json import encode_basestring_ascii  # noqa: F401

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_DUMPABLE = 4


def _stdio_like(fd, write, like, name):
    # As CPython's create_stdio builds them, with the parameters this
    # interpreter chose for its own (same environment, not a terminal).
    buf = io.open(fd, "wb" if write else "rb", buffering=-1, closefd=False)
    buf.raw.name = name
    text = io.TextIOWrapper(buf, encoding=like.encoding, errors=like.errors, newline="\n",
                            line_buffering=like.line_buffering, write_through=like.write_through)
    text.mode = "w" if write else "r"
    return text


def _exit_code(e):
    # CPython's handling of SystemExit at the top level.
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code) & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:
        pass
    return 1


def _finish(code):
    # What Py_FinalizeEx does before the process ends: wait for non-daemon
    # threads, run atexit callbacks, flush the standard streams (a stdout
    # that cannot be flushed makes the exit code 120).
    try:
        threading._shutdown()
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for f in (sys.stdout, sys.stderr):
        try:
            if f is not None:
                f.flush()
        except BaseException:
            if f is sys.stdout:
                try:
                    sys.stderr.write("Exception ignored on flushing sys.stdout\n")
                except BaseException:
                    pass
                code = 120
    return code


def _run(argv, stdio_like):
    sys.stdin = sys.__stdin__ = _stdio_like(0, False, stdio_like[0], "<stdin>")
    sys.stdout = sys.__stdout__ = _stdio_like(1, True, stdio_like[1], "<stdout>")
    sys.stderr = sys.__stderr__ = _stdio_like(2, True, stdio_like[2], "<stderr>")
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.orig_argv = list(argv)
    rest = argv[2:]
    if rest and rest[0] == "-S":
        rest = rest[1:]
    if rest and rest[0] == "-c":
        source, filename = rest[1], "<string>"
        sys.argv = ["-c"] + rest[2:]
        main.__loader__ = importlib_machinery.BuiltinImporter
    else:
        filename = rest[0]
        sys.argv = list(rest)
        try:
            with open(filename, "rb") as f:
                source = f.read()
        except OSError as e:
            sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n" % (argv[0], filename, e.errno, e.strerror))
            return _finish(2)
        main.__file__ = filename
        main.__cached__ = None
        main.__loader__ = importlib_machinery.SourceFileLoader("__main__", filename)
    sys.modules["__main__"] = main
    gc.enable()
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except BaseException as e:
        # Reported as CPython reports a script that does not compile:
        # without a traceback.
        e.__traceback__ = None
        sys.excepthook(type(e), e, None)
        return _finish(1)
    try:
        exec(code, main.__dict__)
    except SystemExit as e:
        return _finish(_exit_code(e))
    except BaseException as e:
        # The traceback starts at the program's own frame, not this one.
        tb = e.__traceback__.tb_next if e.__traceback__ else None
        e.__traceback__ = tb
        sys.excepthook(type(e), e, tb)
        code = _finish(1)
        if isinstance(e, KeyboardInterrupt):
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        return code
    return _finish(0)


# The signals a program could send the server to end or stop it, ignored
# by the server; a child gets back the dispositions the server started with
# (a new interpreter's). SIGSTOP and SIGKILL cannot be ignored: the init
# continues a stopped server, and a killed one costs its sandbox.
_GUARDED = [s for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                        signal.SIGUSR2, signal.SIGALRM, signal.SIGVTALRM, signal.SIGPROF, signal.SIGTSTP,
                        signal.SIGTTIN, signal.SIGTTOU, signal.SIGXCPU, signal.SIGXFSZ, signal.SIGPOLL)]
_SAVED = {s: signal.getsignal(s) for s in _GUARDED}


def _child(req, fds, stdio_like):
    try:
        for s, h in _SAVED.items():
            signal.signal(s, h)
        os.setsid()
        n = req["cgroups"]
        for fd in fds[3:3 + n]:
            os.write(fd, b"0")
        for res, cur, mx in req["rlimits"]:
            resource.setrlimit(res, (cur, mx))
        for i in range(3):
            os.dup2(fds[i], i)
        # Nothing of the server's reaches the program: not its socket, not
        # the cgroup files.
        os.closerange(3, 1 << 20)
        os.chdir(req["dir"])
        _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
    except BaseException as e:
        try:
            os.write(2, ("scalebox fork server: %s\n" % e).encode())
        finally:
            os._exit(127)
    code = 1
    try:
        code = _run(req["argv"], stdio_like)
    finally:
        os._exit(code)


def _spare(sock, stdio_like):
    # A child forked ahead of the run it will become, so that the fork (a
    # copy of the server's page tables, a millisecond) is off the run's
    # path. It is forked between runs, holds nothing of the server's but
    # its own end of a socket pair, and waits there for its run.
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        keep = mine.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 1 << 20)
        try:
            msg, fds, _, _ = socket.recv_fds(mine, 1 << 18, 64)
        except BaseException:
            os._exit(0)
        if not msg:
            os._exit(0)
        req = json.loads(msg)
        mine.close()
        _child(req, fds, stdio_like)
    mine.close()
    return pid, theirs


def _serve():
    sock = socket.socket(fileno=3)
    # Children cannot read or trace the server.
    _libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    stdio_like = (sys.stdin, sys.stdout, sys.stderr)
    for s in _GUARDED:
        signal.signal(s, signal.SIG_IGN)
    gc.collect()
    gc.disable()
    gc.freeze()
    spare = None
    sock.send(json.dumps({"ready": os.getpid()}).encode())
    while True:
        if spare is None:
            try:
                spare = _spare(sock, stdio_like)
            except OSError:
                spare = None
        msg, fds, _, _ = socket.recv_fds(sock, 1 << 18, 64)
        if not msg:
            os._exit(0)
        pid = 0
        if spare is not None:
            pid, handle = spare
            spare = None
            try:
                socket.send_fds(handle, [msg], fds)
            except OSError:
                # The spare is gone (a program killed it): fork anew.
                os.waitpid(pid, os.WNOHANG) if pid else None
                pid = 0
            handle.close()
        if pid == 0:
            try:
                pid = os.fork()
            except OSError as e:
                for fd in fds:
                    os.close(fd)
                sock.send(json.dumps({"error": "fork: %s" % e}).encode())
                continue
            if pid == 0:
                _child(json.loads(msg), fds, stdio_like)
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())
        _, status, ru = os.wait4(pid, 0)
        sock.send(json.dumps({"status": status, "utime": ru.ru_utime, "stime": ru.ru_stime, "maxrss": ru.ru_maxrss}).encode())


_serve()
