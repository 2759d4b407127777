# scalebox function-call harness: runs a program's entry point on many
# inputs in one process and reports each return value, serialised here and
# compared by scalebox outside the sandbox. It mirrors evalplus's execution
# (swallowed I/O, a reliability guard, one time limit per input) but the
# time limit is CPU time, so machine load cannot cause a timeout.
#
# scalebox runs it after common.py (the encoder and the reliability guard).
#
# stdin: one JSON object {marker, mode ("run" | "record"), entry_point,
# task, deserialize, not_none, limits, packages, inputs}. Results go to the
# original stdout as JSON lines; the program's own stdout and stderr are
# discarded.
import json as _json
import os as _os
import signal as _signal
import sys as _sys
import time as _time
from _json import encode_basestring_ascii as _esc


def _main():
    spec = _json.loads(_sys.stdin.buffer.read())
    out_fd = _os.dup(1)
    null = _os.open(_os.devnull, _os.O_RDWR)
    for fd in (0, 1, 2):
        _os.dup2(null, fd)
    _os.close(null)
    _sys.stdout = _sys.stderr = open(_os.devnull, "w")
    _sys.stdin = open(_os.devnull)

    write, exit_now = _os.write, _os._exit
    marker = spec["marker"].encode()
    if hasattr(_sys, "set_int_max_str_digits"):
        _sys.set_int_max_str_digits(0)

    # One write per line: the judge reads results as they come and may stop
    # the process at the first wrong one.
    def emit(line, flush=False):
        write(out_fd, (line + "\n").encode("utf-8", "surrogatepass"))

    def finish():
        write(out_fd, b"\n" + marker + b"\n")
        exit_now(0)

    inputs = _deserialize(spec.get("deserialize") or "", spec["inputs"])
    limits = spec.get("limits")
    record = spec.get("mode") == "record"
    not_none = bool(spec.get("not_none"))
    deepcopy = __import__("copy").deepcopy if record else None
    encode = _Encoder().encode
    clock = _time.process_time
    setitimer, ITIMER_PROF = _signal.setitimer, _signal.ITIMER_PROF

    class _Timeout(BaseException):
        pass

    def on_prof(signum, frame):
        raise _Timeout()

    _signal.signal(_signal.SIGPROF, on_prof)
    # What comes after the ready line is the program's doing: from reading
    # its source on (a source that crashes the compiler included).
    missing = _reference_packages(spec.get("packages") or [])
    emit('{"ready": true, "missing": %s}' % _json.dumps(missing), flush=True)
    path = "/box/main.py"
    with open(path, "rb") as f:
        src = f.read()
    try:
        code = compile(src, path, "exec", dont_inherit=True)
    except BaseException as e:
        import traceback
        emit('{"compile_error": %s}' % _esc("".join(traceback.format_exception_only(type(e), e)).strip()))
        finish()
    if not record:
        _reliability_guard()

    # Like evalplus: a fresh globals dict, so __name__ is not "__main__"
    # and code under `if __name__ == "__main__":` does not run.
    env = {}
    try:
        exec(code, env)
        fn = env[spec["entry_point"]]
    except BaseException as e:
        emit('{"load_error": %s}' % _esc(_describe(e)))
        finish()

    for i, args in enumerate(inputs):
        if record:
            args = deepcopy(args)
        limit = limits[i] if limits else 0
        try:
            t0 = clock()
            if limit:
                setitimer(ITIMER_PROF, limit)
            try:
                out = fn(*args)
            finally:
                if limit:
                    setitimer(ITIMER_PROF, 0)
            cpu = clock() - t0
        except _Timeout:
            emit('{"i": %d, "timeout": true}' % i)
            continue
        except BaseException as e:
            emit('{"i": %d, "error": %s}' % (i, _esc(_describe(e))))
            continue
        if record and not_none:
            out = out is not None
        try:
            text = encode(out)
        except BaseException as e:
            emit('{"i": %d, "error": %s}' % (i, _esc("unserialisable return value: " + _describe(e))))
            continue
        emit('{"i": %d, "cpu": %r, "out": %s}' % (i, cpu, text))
    finish()


def _tuples(args):
    return [tuple(a) for a in args]


def _deep_tuple(x):
    return tuple(_deep_tuple(i) for i in x) if isinstance(x, list) else x


# MBPP+ stores tuples, sets and complex numbers as JSON lists and strings;
# these rules restore the argument types its tasks expect (as evalplus does
# when it loads MBPP+), keyed by task number.
_MBPP_RULES = {}
for _n in (2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809):
    _MBPP_RULES[_n] = lambda a: [tuple(x) for x in a]
for _n in (63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780):
    _MBPP_RULES[_n] = lambda a: [[tuple(x) for x in arg] for arg in a]
for _n in (75, 413, 444, 753):
    _MBPP_RULES[_n] = lambda a: [[tuple(x) for x in a[0]], a[1]]
for _n in (106, 750):
    _MBPP_RULES[_n] = lambda a: [a[0], tuple(a[1])]
_MBPP_RULES[115] = lambda a: [[set(x) if isinstance(x, list) and len(x) else {} for x in a[0]]]
_MBPP_RULES[124] = lambda a: (float(a[0]), complex(a[1]))
for _n in (250, 405, 446, 617, 720, 763, 808):
    _MBPP_RULES[_n] = lambda a: [tuple(a[0]), a[1]]
for _n in (259, 401, 445):
    _MBPP_RULES[_n] = lambda a: [tuple(tuple(x) for x in arg) for arg in a]
_MBPP_RULES[278] = lambda a: [tuple(tuple(x) if isinstance(x, list) else x for x in a[0])]
_MBPP_RULES[307] = lambda a: [tuple(a[0]), a[1], a[2]]
_MBPP_RULES[722] = lambda a: [{k: tuple(v) for k, v in a[0].items()}] + a[1:]
_MBPP_RULES[252] = lambda a: [complex(a[0])]
for _n in (580, 615, 791):
    _MBPP_RULES[_n] = _deep_tuple


def _deserialize(rule, inputs):
    if not rule.startswith("mbpp:"):
        return inputs
    f = _MBPP_RULES.get(int(rule[5:]))
    return [f(a) for a in inputs] if f else inputs


_main()
