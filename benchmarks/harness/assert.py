# scalebox assert harness: runs prompt + completion + test code, then calls
# check(entry_point) itself and prints a per-run random marker only after
# check returned. stdin: the marker, then the entry point's name, one per
# line; stdin is then replaced by /dev/null.
#
# Exit codes: 0 checks passed (marker printed), 3 a check failed, 4 the
# program exited before its checks finished, 5 syntax error, 1 an error.
import os as _os
import sys as _sys


def _main():
    marker = _sys.stdin.readline().strip().encode()
    entry = _sys.stdin.readline().strip()
    null = _os.open(_os.devnull, _os.O_RDONLY)
    _os.dup2(null, 0)
    _os.close(null)
    write, exit_now = _os.write, _os._exit
    err = _sys.stderr

    path = "/box/main.py"
    with open(path, "rb") as f:
        src = f.read()
    try:
        code = compile(src, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        import traceback
        err.write("".join(traceback.format_exception_only(type(e), e)))
        err.flush()
        exit_now(5)

    import builtins, math
    saved = [(m, dict(m.__dict__)) for m in (builtins, math)]
    guard = _Guard()
    # Like human-eval's checker: a fresh globals dict.
    env = {}
    try:
        exec(code, env)
        # The program may have patched builtins (abs, len, round ...) that
        # the checks rely on; they run with the originals.
        for mod, d in saved:
            for k in list(mod.__dict__):
                if k not in d:
                    delattr(mod, k)
            for k, v in d.items():
                if mod.__dict__.get(k, v) is not v:
                    setattr(mod, k, v)
        check, fn = env["check"], env[entry]
        check(guard.wrap(fn))
    except AssertionError:
        import traceback
        traceback.print_exc()
        err.flush()
        exit_now(3)
    except SystemExit as e:
        err.write("scalebox: the program exited (%r) before its checks finished\n" % (e.code,))
        err.flush()
        exit_now(4)
    try:
        _sys.stdout.flush()
    except Exception:
        pass
    write(1, b"\n" + marker + b"\n")
    exit_now(0)


class _Guard:
    """Wraps the candidate so that what it returns is plain data: a subclass
    of a builtin type becomes its base value (its __eq__ is not called), and
    an object of another class with its own __eq__ is refused."""

    allowed_modules = {"builtins", "fractions", "decimal", "datetime", "collections"}

    def __init__(self):
        self.object_eq = object.__eq__
        self.modules = _sys.modules

    def wrap(self, fn):
        plain = self.plain

        def candidate(*args, **kwargs):
            return plain(fn(*args, **kwargs), 0)

        return candidate

    def plain(self, x, depth):
        t = type(x)
        if depth > 100 or x is None or t in (bool, int, float, complex, str, bytes):
            return x
        if t is list:
            return [self.plain(v, depth + 1) for v in x]
        if t is tuple:
            return tuple([self.plain(v, depth + 1) for v in x])
        if t is dict:
            return {self.plain(k, depth + 1): self.plain(v, depth + 1) for k, v in dict.items(x)}
        if t is set:
            return {self.plain(v, depth + 1) for v in x}
        if t is frozenset:
            return frozenset([self.plain(v, depth + 1) for v in x])
        for base, conv in _BASES:
            if isinstance(x, base):
                return self.plain(conv(x), depth)
        if t.__eq__ is self.object_eq or self.library_type(t):
            return x
        raise TypeError("scalebox: the candidate returned a %s.%s, a class with its own __eq__" % (t.__module__, t.__qualname__))


    def library_type(self, t):
        # A class counts as the library's only if the module it names really
        # holds it (a class defined by the program can claim any module).
        name = getattr(t, "__module__", "")
        if name not in self.allowed_modules:
            return False
        mod = self.modules.get(name)
        return mod is not None and getattr(mod, getattr(t, "__qualname__", ""), None) is t


_BASES = [
    (int, int.__index__),
    (float, float.__float__),
    (complex, lambda x: complex(complex.real.__get__(x), complex.imag.__get__(x))),
    (str, str.__str__),
    (bytes, lambda x: bytes.__getitem__(x, slice(None))),
    (tuple, lambda x: tuple.__getitem__(x, slice(None))),
    (list, list.copy),
    (dict, dict.copy),
    (set, set.copy),
    (frozenset, lambda x: frozenset(frozenset.__iter__(x))),
]

_main()
