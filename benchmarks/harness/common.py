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


# What _reliability_guard removed, to put back while a reference package is
# imported (see _ReferenceFinder): (object, attribute, value) and the
# sys.modules entries it blocked, (name, module or _ABSENT).
_ABSENT = object()
_GUARDED = []
_BLOCKED_MODULES = []


def _reliability_guard(null_exit=True, null_open=True):
    # The reference harnesses (evalplus, human-eval, lcb_runner) disable
    # these before they run a program; programs that call them fail there,
    # so they fail here too (this is not the sandbox). lcb_runner keeps
    # exit() and open(): null_exit and null_open say whether to remove them.
    import builtins, shutil, subprocess
    _os.environ["OMP_NUM_THREADS"] = "1"

    def null(obj, name):
        _GUARDED.append((obj, name, getattr(obj, name, _ABSENT)))
        setattr(obj, name, None)

    if null_exit:
        null(builtins, "exit")
    null(builtins, "quit")
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                 "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod",
                 "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        null(_os, name)
    if null_open:
        null(builtins, "open")
    for name in ("rmtree", "move", "chown"):
        null(shutil, name)
    null(subprocess, "Popen")
    null(builtins, "help")
    for mod in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        _BLOCKED_MODULES.append((mod, _sys.modules.get(mod, _ABSENT)))
        _sys.modules[mod] = None


def _unguarded():
    """Lifts the reliability guard and returns the function that puts it
    back."""
    now = [(obj, name, getattr(obj, name, _ABSENT)) for obj, name, _ in _GUARDED]
    blocked = [(mod, _sys.modules.get(mod, _ABSENT)) for mod, _ in _BLOCKED_MODULES]
    for obj, name, value in _GUARDED:
        if value is _ABSENT:
            try:
                delattr(obj, name)
            except AttributeError:
                pass
        else:
            setattr(obj, name, value)
    for mod, value in _BLOCKED_MODULES:
        if value is _ABSENT:
            _sys.modules.pop(mod, None)
        else:
            _sys.modules[mod] = value

    def reguard():
        for obj, name, value in now:
            setattr(obj, name, value)
        for mod, value in blocked:
            _sys.modules[mod] = value

    return reguard


_SITE_DIRS = ("site-packages", "dist-packages")


def _reference_packages(packages):
    """Makes what the program can import what the benchmark's reference
    environment has, whatever else the host has installed: the standard
    library and packages (third-party top-level names, such as numpy).

    The site directories leave sys.path, so no other installed package is
    importable. The first import of one of packages finds it there and runs
    without the reliability guard: the reference harnesses import numpy
    before their guard (evalplus, human-eval, lcb_runner and DeepSeek's
    evaluation import it themselves, and run programs in a forked child),
    so a program's `import numpy` after the guard is a no-op there; here it
    imports numpy as if it had happened then, and only programs that use it
    pay for it. Returns the packages the host lacks: a program that needs
    one cannot be judged here (scalebox makes such a failure SE)."""
    import importlib.machinery
    site = [p for p in _sys.path if _os.path.basename(p.rstrip("/")) in _SITE_DIRS]
    missing = [name for name in packages
               if importlib.machinery.PathFinder.find_spec(name, site) is None]
    _sys.path[:] = [p for p in _sys.path if p not in site]
    _sys.path_importer_cache.clear()
    _sys.meta_path.insert(0, _ReferenceFinder(frozenset(packages) - frozenset(missing), site))
    return missing


class _ReferenceFinder:
    """Imports a reference package (a top-level name) from the site
    directories, without the reliability guard; see _reference_packages."""

    def __init__(self, names, site):
        self.names, self.site, self.busy = names, site, set()
        self.real_specs = {}

    def find_spec(self, fullname, path=None, target=None):
        if path is not None or fullname not in self.names or fullname in self.busy:
            return None
        import importlib.machinery
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        # The real import happens here, before the import system records
        # the module: it finds this finder busy and loads the package from
        # the site directories; the module it made is the one returned.
        import importlib
        name = spec.name
        saved = _sys.path[:]
        self.busy.add(name)
        _sys.path[:] = saved + [p for p in self.site if p not in saved]
        reguard = _unguarded()
        try:
            module = importlib.import_module(name)
        finally:
            reguard()
            _sys.path[:] = saved
            self.busy.discard(name)
        self.real_specs[name] = module.__spec__
        return module

    def exec_module(self, module):
        # module_from_spec replaced the module's own spec with this one.
        real = self.real_specs.pop(module.__name__, None)
        if real is not None:
            module.__spec__ = real
