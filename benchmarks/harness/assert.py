# scalebox split assert harness: runs an assert test that scalebox could
# not take apart into calls (judge.CheckProgram: random inputs, helpers of
# the prompt, values fed back into the test) in two processes.
#
# The check process runs the test: the prompt's definitions, the test code
# (module-level asserts call the entry point by name) and check(candidate)
# when the test defines it, where candidate sends each call's arguments to the
# program process and gets its return value back as plain data (common.py's
# encoder; an object of another class arrives as an opaque stand-in). The
# program process runs the program, after the reliability guard, and
# answers the calls. The check process never runs the program's code, and
# is not dumpable: tracing, profiling and audit hooks, frames, gc, patched
# builtins or modules and __eq__ overrides in the program cannot reach the
# test, its expected values or the completion marker, which it reads only
# after the fork. The program can only return values, exit, or crash.
#
# stdin: a JSON line {entry_point, packages}, read before the fork; then a
# JSON object {marker, prompt, test}, read by the check process after it.
#
# Exit codes of the check process: 0 checks passed (marker printed), 3 a
# check failed, 4 the program exited or died before its checks finished,
# 5 syntax error, 1 an error (a message on stderr). Its first stdout line
# is {"ready": true, "missing": [...]}.
import json as _json
import os as _os
import pickle as _pickle
import struct as _struct
import sys as _sys


def _read_line(fd):
    # Unbuffered: nothing after the first line may enter this process's
    # memory before the fork.
    out = bytearray()
    while True:
        b = _os.read(fd, 1)
        if not b or b == b"\n":
            return bytes(out)
        out += b


def _send(fd, data):
    data = _struct.pack(">Q", len(data)) + data
    while data:
        n = _os.write(fd, data)
        data = data[n:]


def _recv(fd):
    head = _read_exact(fd, 8)
    if head is None:
        return None
    return _read_exact(fd, _struct.unpack(">Q", head)[0])


def _read_exact(fd, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = _os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _main():
    # The program must not find modules planted in its work directory.
    _sys.path[:] = [p for p in _sys.path if p not in ("", "/box")]
    head = _json.loads(_read_line(0))
    missing = _reference_packages(head.get("packages") or [])
    to_prog_r, to_prog_w = _os.pipe()
    to_check_r, to_check_w = _os.pipe()
    _not_dumpable()
    pid = _os.fork()
    if pid == 0:
        _os.close(to_prog_w)
        _os.close(to_check_r)
        _program(head["entry_point"], to_prog_r, to_check_w)
    _os.close(to_prog_r)
    _os.close(to_check_w)
    _check(pid, head["entry_point"], missing, to_prog_w, to_check_r)


def _not_dumpable():
    # A process of the same user may read or write a dumpable process's
    # memory (/proc/PID/mem) and open its files (/proc/PID/fd); this one
    # holds the expected values and the marker.
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except Exception:
        pass


# The program process.

def _program(entry, req, resp):
    null = _os.open(_os.devnull, _os.O_RDWR)
    for fd in (0, 1, 2):
        _os.dup2(null, fd)
    _os.close(null)
    keep = sorted((req, resp))
    _os.closerange(3, keep[0])
    _os.closerange(keep[0] + 1, keep[1])
    _os.closerange(keep[1] + 1, 1 << 16)
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # dumpable again: its own /proc files
    except Exception:
        pass
    _sys.stdout = _sys.stderr = open(_os.devnull, "w")
    _sys.stdin = open(_os.devnull)
    if hasattr(_sys, "set_int_max_str_digits"):
        _sys.set_int_max_str_digits(0)
    write_exit = _os._exit
    encode = _Encoder().encode
    dumps, loads = _json.dumps, _pickle.loads
    send, recv = _send, _recv

    def reply(obj):
        send(resp, dumps(obj).encode())

    setup = recv(req)
    if setup is None:
        write_exit(0)
    path = "/box/main.py"
    with open(path, "rb") as f:
        src = f.read().decode("utf-8", "surrogateescape")
    try:
        code = compile(src + "\n" + setup.decode() + "\n", path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        import traceback
        reply({"compile_error": "".join(traceback.format_exception_only(type(e), e)).strip()})
        write_exit(0)
    _reliability_guard()
    # Like human-eval: a fresh globals dict.
    env = {}
    try:
        exec(code, env)
        fn = env[entry]
    except SystemExit as e:
        reply({"exited": "the program exited (%r) before its checks finished" % (e.code,)})
        write_exit(0)
    except BaseException as e:
        reply({"load_error": _describe(e)})
        write_exit(0)
    reply({"ready": True})
    while True:
        msg = recv(req)
        if msg is None:
            write_exit(0)
        try:
            args, kwargs = loads(msg)
        except BaseException as e:
            reply({"error": "TypeError", "message": "scalebox: arguments the program cannot receive: " + _describe(e)})
            continue
        try:
            out = fn(*args, **kwargs)
        except SystemExit as e:
            reply({"exited": "the program exited (%r) before its checks finished" % (e.code,)})
            write_exit(0)
        except BaseException as e:
            try:
                message = str(e)[:300]
            except BaseException:
                message = ""
            reply({"error": type(e).__name__, "message": message})
            continue
        try:
            text = encode(out)
            truth = True
            if text.startswith('{"opaque"'):
                truth = bool(out)
            after = [encode(a) if type(a) in (list, dict, set) else None for a in args]
        except BaseException as e:
            reply({"error": "TypeError", "message": "scalebox: unserialisable return value: " + _describe(e)})
            continue
        reply({"out": _json.loads(text), "truth": truth, "after": [None if a is None else _json.loads(a) for a in after]})


# The check process.

class _ProgramEnded(BaseException):
    pass


class _Opaque:
    """A value of a class that is not plain data: it equals nothing but
    itself; its truth is the object's own."""

    def __init__(self, name, truth):
        self.name, self.truth = name, truth

    def __bool__(self):
        return self.truth

    def __repr__(self):
        return "<%s object>" % self.name


def _decode(x):
    # The encoder's wire format, read back as plain Python values.
    if isinstance(x, list):
        return [_decode(v) for v in x]
    if not isinstance(x, dict):
        return x
    (tag, body), = x.items()
    if tag == "tuple":
        return tuple(_decode(v) for v in body)
    if tag == "set":
        return {_decode(v) for v in body}
    if tag == "frozenset":
        return frozenset(_decode(v) for v in body)
    if tag == "dict":
        return {_decode(k): _decode(v) for k, v in body}
    if tag == "float":
        return float(body)
    if tag == "int":
        return int(body)
    if tag == "int16":
        return int(body, 16)
    if tag == "complex":
        return complex(float(body[0]), float(body[1]))
    if tag == "bytes":
        import base64
        return base64.b64decode(body)
    raise ValueError("unknown value tag %r" % tag)


def _check(pid, entry, missing, req, resp):
    err = _sys.stderr

    def finish(code, message=""):
        if message:
            err.write(message.rstrip("\n") + "\n")
            err.flush()
        _os.close(req)
        _os._exit(code)

    _os.write(1, ('{"ready": true, "missing": %s}\n' % _json.dumps(missing)).encode())
    secret = _json.loads(_read_all(0))
    marker = secret["marker"].encode()
    test = secret["test"]
    import ast
    try:
        tree = ast.parse(test)
    except SyntaxError as e:
        finish(1, "scalebox: the benchmark's test does not parse: %s" % e)
    # The test's module-level imports run in the program's globals too, as
    # in the reference.
    imports = [ast.get_source_segment(test, n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    try:
        _send(req, "\n".join(imports).encode())
        first = _recv(resp)
    except OSError:
        first = None
    if first is None:
        finish(4, "scalebox: the program ended the process before its checks started")
    first = _json.loads(first)
    if "compile_error" in first:
        finish(5, first["compile_error"])
    if "exited" in first:
        finish(4, "scalebox: " + first["exited"])
    if "load_error" in first:
        finish(1, "the program failed to load: " + first["load_error"])

    def candidate(*args, **kwargs):
        try:
            payload = _pickle.dumps((args, kwargs), protocol=4)
        except Exception as e:
            raise TypeError("scalebox: the test passed arguments that cannot be sent to the program: %s" % e)
        try:
            _send(req, payload)
            msg = _recv(resp)
        except OSError:
            msg = None
        if msg is None:
            raise _ProgramEnded()
        msg = _json.loads(msg)
        if "exited" in msg:
            raise _ProgramEnded(msg["exited"])
        if "error" in msg:
            # The exception as the test would see it: a builtin one is of
            # its type (a test may expect a ValueError).
            exc = _BUILTIN_EXCEPTIONS.get(msg["error"], Exception)(msg["message"])
            exc.scalebox_call = "%s: %s" % (msg["error"], msg["message"])
            raise exc
        for a, new in zip(args, msg.get("after") or []):
            # What the function did to a list, dict or set it was given.
            if new is None:
                continue
            new = _decode(new)
            if type(a) is list and type(new) is list and a != new:
                a[:] = new
            elif type(a) in (dict, set) and type(new) is type(a) and a != new:
                a.clear()
                a.update(new)
        out = msg["out"]
        if isinstance(out, dict) and "opaque" in out:
            return _Opaque(out["opaque"], msg.get("truth", True))
        return _decode(out)

    # The test's namespace: the prompt's definitions (helpers such as poly),
    # the test's own, and the function under test as candidate.
    ns = {"__name__": "__check__"}
    try:
        exec(compile(secret.get("prompt") or "", "<prompt>", "exec"), ns)
    except BaseException:
        ns = {"__name__": "__check__"}
    # The entry point's name is the function under test, for a check that
    # calls it by name and for module-level asserts (MBPP).
    ns[entry] = candidate
    try:
        code = compile(test, "<test>", "exec")
    except BaseException as e:
        finish(1, "scalebox: the benchmark's test does not compile: %s" % _describe(e))
    try:
        exec(code, ns)
        check = ns.get("check")
        if check is not None:
            check(candidate)
    except AssertionError:
        import traceback
        tb = traceback.extract_tb(_sys.exc_info()[2])
        where = [f for f in tb if f.filename == "<test>"]
        line = " at line %d of the test" % where[-1].lineno if where else ""
        finish(3, "assertion failed%s" % line)
    except _ProgramEnded as e:
        why = e.args[0] if e.args else "the program ended the process before its checks finished"
        finish(4, "scalebox: " + why + _child_status(pid))
    except BaseException as e:
        call = getattr(e, "scalebox_call", None)
        if call is not None:
            finish(1, "the function raised %s" % call)
        finish(1, "the test raised %s" % _describe(e))
    _os.write(1, b"\n" + marker + b"\n")
    finish(0)


_BUILTIN_EXCEPTIONS = {
    name: obj for name, obj in vars(__import__("builtins")).items()
    if isinstance(obj, type) and issubclass(obj, Exception)
}


def _read_all(fd):
    chunks = []
    while True:
        b = _os.read(fd, 1 << 20)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def _child_status(pid):
    try:
        done, status = _os.waitpid(pid, _os.WNOHANG)
    except OSError:
        return ""
    if done and _os.WIFSIGNALED(status):
        return " (killed by signal %d)" % _os.WTERMSIG(status)
    return ""


_main()
