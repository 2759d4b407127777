# scalebox harness library: what the Python harnesses share. scalebox puts
# this file in front of a harness (function.py, lcb.py) to make the program
# the sandbox runs; it defines names only.
#
# _Encoder serialises a return value inside the sandbox; scalebox decodes it
# (judge.PyValue) and compares it outside, where the program cannot lie
# about equality.
import os as _os
import sys as _sys
from _json import encode_basestring_ascii as _esc


def _describe(e):
    try:
        return "%s: %s" % (type(e).__name__, str(e)[:300])
    except BaseException:
        return type(e).__name__


class _Encoder:
    """Serialises plain data. A subclass of a builtin type is encoded as its
    base value (so an overridden __eq__ is ignored); an instance of any other
    class is "opaque" and equals nothing outside."""

    def __init__(self):
        self.types = (bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)

    def encode(self, x, depth=0):
        if depth > 150:
            raise ValueError("value nested too deeply")
        t = type(x)
        if x is None:
            return "null"
        if t is bool:
            return "true" if x else "false"
        if t is int:
            if -(1 << 50) < x < (1 << 50):
                return int.__repr__(x)
            # Decimal conversion of huge ints is quadratic; hex is linear.
            return '{"int16": "%s"}' % format(x, "x")
        if t is float:
            s = float.__repr__(x)
            return s if s not in ("nan", "inf", "-inf") else '{"float": "%s"}' % s
        if t is str:
            return _esc(x)
        if t is list:
            return "[" + ", ".join([self.encode(v, depth + 1) for v in x]) + "]"
        if t is tuple:
            return '{"tuple": [' + ", ".join([self.encode(v, depth + 1) for v in x]) + "]}"
        if t is dict:
            return '{"dict": [' + ", ".join(["[%s, %s]" % (self.encode(k, depth + 1), self.encode(v, depth + 1)) for k, v in dict.items(x)]) + "]}"
        if t is set or t is frozenset:
            return '{"%s": [' % t.__name__ + ", ".join([self.encode(v, depth + 1) for v in x]) + "]}"
        if t is complex:
            return '{"complex": ["%s", "%s"]}' % (float.__repr__(x.real), float.__repr__(x.imag))
        if t is bytes:
            import base64
            return '{"bytes": "%s"}' % base64.b64encode(x).decode()
        mod = getattr(t, "__module__", "")
        if mod == "numpy" and hasattr(x, "item") and getattr(x, "shape", None) == ():
            return self.encode(x.item(), depth + 1)
        for base in self.types:
            if isinstance(x, base):
                return self.encode(_as_base(base, x), depth)
        return '{"opaque": %s}' % _esc("%s.%s" % (mod, getattr(t, "__qualname__", "?")))


def _as_base(base, x):
    # The base type's own methods read the underlying value; the subclass's
    # overrides (__eq__, __iter__, __repr__ ...) are not called.
    if base is int:
        return int.__index__(x)
    if base is float:
        return float.__float__(x)
    if base is complex:
        return complex(complex.real.__get__(x), complex.imag.__get__(x))
    if base is str:
        return str.__str__(x)
    if base is bytes:
        return bytes.__getitem__(x, slice(None))
    if base is tuple:
        return tuple.__getitem__(x, slice(None))
    if base is list:
        return list.copy(x)
    if base is dict:
        return dict.copy(x)
    if base is set:
        return set.copy(x)
    return frozenset(frozenset.__iter__(x))


def _reliability_guard(null_exit=True, null_open=True):
    # The reference harnesses (evalplus, human-eval, lcb_runner) disable
    # these before they run a program; programs that call them fail there,
    # so they fail here too (this is not the sandbox). lcb_runner keeps
    # exit() and open(): null_exit and null_open say whether to remove them.
    import builtins, shutil, subprocess
    if null_exit:
        builtins.exit = None
    builtins.quit = None
    _os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                 "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod",
                 "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(_os, name, None)
    if null_open:
        builtins.open = None
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for mod in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        _sys.modules[mod] = None
