# scalebox harness for LiveCodeBench's functional problems (mode "lcb"),
# DeepSeek-Coder's LeetCode contest set (mode "leetcode") and assert tests
# that scalebox took apart into calls (mode "assert": HumanEval's check,
# MBPP's asserts; judge.CheckProgram). It runs every test case of a sample
# in one process, as the reference runners do, and reports each case's
# value, serialised here (common.py's encoder) and compared by scalebox
# outside the sandbox with the expected value, which never enters the
# sandbox.
#
# Mode "lcb" mirrors lcb_runner's grade_call_based
# (lcb_runner/evaluation/testing_util.py): the program is compiled after
# LiveCodeBench's import prelude as one module "tmp_sol"; when the sample's
# code contains "class Solution", one Solution() instance serves every case,
# else the module's function; each line of a case's input is json.loads-ed
# into one positional argument; a tuple result becomes a list.
#
# Mode "leetcode" mirrors DeepSeek-Coder's evaluation (Evaluation/LeetCode):
# the program is its import helper, the sample's code and the test's setup
# lines (my_solution = Solution(), helper lambdas), run in a fresh globals
# dict; each case assigns test_input and evaluates the assert's left side.
#
# Mode "assert" mirrors human-eval's and evalplus's execution: the program
# (prompt and completion) and the test's module-level imports run in a
# fresh globals dict, after evalplus's reliability guard; each case is an
# expression (a call of the function under test, maybe converted by a
# builtin) evaluated in those globals with `candidate` bound to the function.
#
# stdin: one JSON object {marker, mode, fn_name, setup, limit, wall,
# packages, inputs}. limit and wall are each case's CPU and wall-clock seconds (0: no
# per-case limit). Results go to the original stdout as JSON lines; the
# program's own stdout and stderr are discarded.
import json as _json
import signal as _signal
import time as _time

# lcb_runner's import_string, as it is prepended to the program.
_LCB_PRELUDE = """from string import *
from re import *
from datetime import *
from collections import *
from heapq import *
from bisect import *
from copy import *
from math import *
from random import *
from statistics import *
from itertools import *
from functools import *
from operator import *
from io import *
from sys import *
from json import *
from builtins import *
from typing import *
import string
import re
import datetime
import collections
import heapq
import bisect
import copy
import math
import random
import statistics
import itertools
import functools
import operator
import io
import sys
import json
sys.setrecursionlimit(50000)
"""

# DeepSeek-Coder's IMPORT_HELPER["python"], joined by newlines. numpy is
# imported when the reference environment has it (python.packages) and the
# host too; _reference_packages makes that import work after the guard, as
# it does in DeepSeek's evaluation, which imported numpy before its guard.
_LEETCODE_PRELUDE = """import math
import re
import sys
import copy
import datetime
import itertools
import collections
import heapq
import functools
import hashlib
try:
    import numpy
    import numpy as np
except ImportError:
    pass
import string
from typing import *
from collections import *
from functools import *
"""


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

    def emit(line):
        # One write per line: the judge reads results as they come and may
        # stop the process at the first wrong one.
        write(out_fd, (line + "\n").encode("utf-8", "surrogatepass"))

    def finish():
        write(out_fd, b"\n" + marker + b"\n")
        exit_now(0)

    mode = spec["mode"]
    # The cases are read before the program runs, so it cannot change how.
    cases = []
    try:
        for i, text in enumerate(spec["inputs"]):
            if mode == "lcb":
                cases.append([_json.loads(line) for line in text.split("\n")])
            elif mode == "assert":
                cases.append(compile(text, "<test>", "eval"))
            else:
                stmt, _, expr = text.rpartition("\n")
                cases.append((compile(stmt, "<test>", "exec"), compile(expr, "<test>", "eval")))
    except BaseException as e:
        emit('{"harness_error": %s}' % _esc("case %d: %s" % (i, _describe(e))))
        finish()
    # What comes after the ready line is the program's doing: from reading
    # its source on (a source that crashes the compiler included).
    missing = _reference_packages(spec.get("packages") or [])
    emit('{"ready": true, "missing": %s}' % _json.dumps(missing))
    path = "/box/main.py"
    with open(path, "rb") as f:
        src = f.read().decode("utf-8", "surrogateescape")
    import traceback

    def compile_error(e, note=""):
        emit('{"compile_error": %s}' % _esc(note + "".join(traceback.format_exception_only(type(e), e)).strip()))
        finish()

    try:
        compile(src, path, "exec", dont_inherit=True)
    except BaseException as e:
        compile_error(e)
    if mode == "lcb":
        whole = _LCB_PRELUDE + "\n\n" + src
    elif mode == "assert":
        whole = src + "\n" + spec.get("setup", "") + "\n"
    else:
        whole = _LEETCODE_PRELUDE + "\n" + src + "\n" + spec.get("setup", "") + "\n"
    try:
        # The reference compiles the program with its prelude (and test) as
        # one source: a __future__ import, say, fails there and here.
        code = compile(whole, path, "exec", dont_inherit=True)
    except BaseException as e:
        compile_error(e, "the program does not compile inside the reference's program (its import prelude first; line numbers count it):\n")

    limit, wall = spec.get("limit") or 0, spec.get("wall") or 0
    encode = _Encoder().encode
    clock = _time.process_time
    setitimer = _signal.setitimer
    tuple_items = tuple.__getitem__
    truth = bool

    class _Timeout(BaseException):
        pass

    def on_timer(signum, frame):
        raise _Timeout()

    _signal.signal(_signal.SIGPROF, on_timer)
    _signal.signal(_signal.SIGALRM, on_timer)

    def arm(cpu, real):
        # The timers fire again every 50 ms, so a program that swallows one
        # _Timeout gets another.
        if cpu:
            setitimer(_signal.ITIMER_PROF, cpu, 0.05)
        if real:
            setitimer(_signal.ITIMER_REAL, real, 0.05)

    def disarm():
        setitimer(_signal.ITIMER_PROF, 0)
        setitimer(_signal.ITIMER_REAL, 0)

    if mode == "assert":
        _reliability_guard()
    else:
        _reliability_guard(null_exit=(mode != "lcb"), null_open=False)
    try:
        if mode == "lcb":
            # compile_code: exec into a fresh module named tmp_sol.
            env = {"__name__": "tmp_sol", "__doc__": "", "__package__": None, "__loader__": None, "__spec__": None}
            exec(code, env)
            if "class Solution" in src:
                target = env["Solution"]()
                method = getattr(target, spec["fn_name"], None)
                where = "Solution()." + spec["fn_name"]
            else:
                method = env.get(spec["fn_name"])
                where = "a function " + spec["fn_name"]
            if method is None:
                raise LookupError("the program does not define " + where)
        elif mode == "assert":
            # human-eval: exec(program, {}), then check(<entry point>).
            env = {}
            exec(code, env)
            if spec["fn_name"] not in env:
                raise NameError("name '%s' is not defined" % spec["fn_name"])
            scope = {"candidate": env[spec["fn_name"]], "_truth": truth, "_ident": _ident}
        else:
            env = {}
            exec(code, env)
    except BaseException as e:
        emit('{"load_error": %s}' % _esc(_describe(e)))
        finish()

    for i, case in enumerate(cases):
        try:
            t0 = clock()
            arm(limit, wall)
            try:
                if mode == "lcb":
                    out = method(*case)
                elif mode == "assert":
                    out = eval(case, env, scope)
                else:
                    exec(case[0], env)
                    out = eval(case[1], env)
            finally:
                disarm()
            cpu = clock() - t0
        except _Timeout:
            emit('{"i": %d, "timeout": true}' % i)
            continue
        except BaseException as e:
            emit('{"i": %d, "error": %s}' % (i, _esc(_describe(e))))
            continue
        if limit and cpu > limit:
            # The program caught the timer's exception and went on.
            emit('{"i": %d, "timeout": true}' % i)
            continue
        try:
            if mode == "lcb" and isinstance(out, tuple):
                # lcb_runner: a tuple is compared as a list.
                out = list(tuple_items(out, slice(None)))
            text = encode(out)
        except BaseException as e:
            emit('{"i": %d, "error": %s}' % (i, _esc("unserialisable return value: " + _describe(e))))
            continue
        emit('{"i": %d, "cpu": %r, "out": %s}' % (i, cpu, text))
    finish()


class _NotASingleton:
    pass


def _ident(x):
    # `x is True` and the like, judged outside: the singleton itself, or an
    # object that is none of them (a numpy bool is not True).
    if x is None or x is True or x is False:
        return x
    return _NotASingleton()


_main()
