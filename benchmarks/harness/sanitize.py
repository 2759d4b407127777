# scalebox sanitizer: turns a chat model's answer into the program it meant.
# It only parses the text (ast, symtable, codeop); nothing is executed.
#
# stdin: one JSON object {marker, items: [{code, entry_point, prompt}]}.
# stdout: {"ready": true}, then per item one JSON line {"i", "code",
# "defines"} (defines: the code binds entry_point at top level) or
# {"i", "error"}, then the marker on a line of its own.
#
# Per item:
#  1. A text that parses is taken whole. A text that only parses as the
#     body of a function (a completion of the prompt) is returned as is.
#  2. Otherwise, from markdown fences: the fenced blocks that parse (tagged
#     python when any is, else untagged, else all), joined in order.
#  3. Otherwise the longest run of lines (by non-blank lines) that parses.
#  4. From the code, keep every import and the top-level definitions that
#     the entry point (and the names the prompt defines) reach: functions,
#     classes, assignments, and statements that mutate a kept variable,
#     following the global names each one reads (bodies, decorators,
#     default values, annotations, base classes), transitively. Everything
#     else (tests, prints, `if __name__ == "__main__":`) is dropped. Kept
#     statements are sliced from the original lines, never re-printed.
import ast
import codeop
import json
import os
import symtable
import sys
import warnings

# Longer texts are only tried whole: searching them for code is not worth it.
MAX_CHARS = 4 << 20
# The characters ast.parse may read while searching one text for code; it
# bounds the search (each start line costs a parse of the rest of the text)
# deterministically.
SEARCH_BUDGET = 24 << 20
PYTHON_TAGS = ("python", "py", "python3", "py3")
# Calls on these are kept whole: dropping them changes how a program runs.
KEPT_CALLS = ("sys.setrecursionlimit", "sys.set_int_max_str_digits")


def main():
    spec = json.loads(sys.stdin.buffer.read())
    out = sys.stdout
    out.write('{"ready": true}\n')
    out.flush()
    warnings.simplefilter("ignore")
    for i, item in enumerate(spec["items"]):
        try:
            res = sanitize(item.get("code") or "", item.get("entry_point") or "", item.get("prompt") or "")
        except Exception as e:  # a text the parser cannot take (too deep, ...)
            res = {"error": "%s: %s" % (type(e).__name__, str(e)[:200])}
        res["i"] = i
        out.write(json.dumps(res) + "\n")
        out.flush()
    out.write("\n" + spec["marker"] + "\n")
    out.flush()


def parse(text):
    """The module's AST, or None when text is not Python."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
        return None


def sanitize(text, entry, prompt):
    norm = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    tree = parse(norm)
    if is_body(norm, tree):
        return {"code": text, "defines": False}
    code = norm
    if tree is None:
        fenced = fenced_code(norm)
        if fenced is not None:
            code = fenced
            tree = parse(code)
            if is_body(code, tree):
                return {"code": code, "defines": False}
        if tree is None and len(code) <= MAX_CHARS:
            code, tree = longest_run(code)
    if tree is None:
        return {"error": "no Python code found"}
    roots = {entry} | prompt_names(prompt)
    out, defines, whole = prune(code, tree, entry, roots)
    if whole and code is norm:
        out = text  # nothing dropped: the text exactly as it came
    elif out.strip():
        out = out.strip("\n").rstrip() + "\n"
    return {"code": out, "defines": defines}


def is_body(text, tree):
    """Whether text is the body of a function: it does not parse alone, or
    has a top-level return, and parses as a function's body."""
    if tree is not None and not any(isinstance(s, ast.Return) for s in tree.body):
        return False
    first = next((l for l in text.split("\n") if l.strip()), "")
    if not first:
        return False
    if first[0] in " \t":
        wrapped = "def _scalebox_body():\n" + text
    else:
        wrapped = "def _scalebox_body():\n" + "\n".join(" " + l for l in text.split("\n"))
    return parse(wrapped) is not None


def fenced_code(text):
    """The code of the markdown fenced blocks in text, or None when it has
    none. Fences follow ExtractCode (benchmarks/extract.go)."""
    lines = text.split("\n")
    fences = []
    for i, l in enumerate(lines):
        t = l.lstrip(" ")
        if len(l) - len(t) <= 3 and t.startswith("```"):
            words = t.strip().strip("`").strip().lower().split()
            fences.append((i, words[0] if words else ""))
    if not fences:
        return None
    blocks = []
    # A completion that finishes the prompt's code, then closes a fence.
    if len(fences) % 2 == 1 and fences[0][1] == "" and "\n".join(lines[: fences[0][0]]).strip():
        blocks.append(("", lines[: fences[0][0]]))
        fences = fences[1:]
    for k in range(0, len(fences), 2):
        end = fences[k + 1][0] if k + 1 < len(fences) else len(lines)
        blocks.append((fences[k][1], lines[fences[k][0] + 1 : end]))
    chosen = [b for t, b in blocks if t in PYTHON_TAGS] or [b for t, b in blocks if t == ""] or [b for t, b in blocks]
    chosen = ["\n".join(b) + "\n" for b in chosen]
    valid = [b for b in chosen if parse(b) is not None and b.strip()]
    if not valid:
        return max(chosen, key=len)
    joined = "\n".join(valid)
    return joined if parse(joined) is not None else max(valid, key=len)


def plausible_start(line):
    """Whether a line may begin a module: it is complete or incomplete
    Python, not an error (prose such as "Here is the code:")."""
    try:
        codeop.compile_command(line, "<line>", "exec")
        return True
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return False


def longest_run(text):
    """The longest run of whole lines of text (counting non-blank lines)
    that parses, and its AST; ("", None) when there is none. From each
    plausible start line (at column 0), the run grows to the end of the text
    and shrinks to before each syntax error; the next start is after the
    run. The characters parsed are bounded by SEARCH_BUDGET."""
    lines = text.split("\n")
    n = len(lines)
    off = [0]
    for l in lines:
        off.append(off[-1] + len(l) + 1)
    # ast.parse rejects NUL characters: no run crosses a line holding one.
    barrier = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        barrier[i] = i if "\0" in lines[i] else barrier[i + 1]
    budget = SEARCH_BUDGET
    best, best_score = ("", None), 0
    s = 0
    while s < n and budget > 0:
        line = lines[s]
        if not line.strip() or line[0] in " \t\f" or barrier[s] == s or not plausible_start(line):
            s += 1
            continue
        e, tree = barrier[s], None
        while e > s and budget > 0:
            chunk = text[off[s] : off[e]]
            budget -= len(chunk)
            try:
                tree = ast.parse(chunk)
                break
            except SyntaxError as err:
                k = err.lineno
            except (ValueError, MemoryError, RecursionError, OverflowError):
                k = None
            e = min(s + k - 1, e - 1) if k and k >= 1 else e - 1
        if tree is None:
            s += 1
            continue
        score = sum(1 for l in lines[s:e] if l.strip())
        if score > best_score:
            best, best_score = (text[off[s] : off[e]], tree), score
        s = e
    return best


def prompt_names(prompt):
    """Names the prompt defines at top level: tests may call them (HumanEval's
    check of decode_cyclic calls encode_cyclic)."""
    if not prompt:
        return set()
    # A prompt may end with the header of the function to complete.
    tree = parse(prompt) or parse(prompt.rstrip("\n") + "\n    pass\n")
    if tree is None:
        return set()
    names = set()
    for st in tree.body:
        kind, bound = classify(st, {})
        if kind in ("def", "assign"):
            names.update(bound)
    return names


def target_names(t):
    """The names a target binds, or None when it is not made of names."""
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, ast.Starred):
        return target_names(t.value)
    if isinstance(t, (ast.Tuple, ast.List)):
        out = []
        for e in t.elts:
            sub = target_names(e)
            if sub is None:
                return None
            out += sub
        return out
    return None


def root_name(t):
    """The variable at the root of x.a[i].b, or None."""
    while isinstance(t, (ast.Attribute, ast.Subscript)):
        t = t.value
    return t.id if isinstance(t, ast.Name) else None


def dotted(t):
    parts = []
    while isinstance(t, ast.Attribute):
        parts.append(t.attr)
        t = t.value
    if not isinstance(t, ast.Name):
        return None
    parts.append(t.id)
    return ".".join(reversed(parts))


def import_names(st):
    if isinstance(st, ast.Import):
        return [(a.asname or a.name.split(".")[0], a.name) for a in st.names]
    if st.level == 0 and st.module:
        return [(a.asname or a.name, st.module + "." + a.name) for a in st.names if a.name != "*"]
    return [(a.asname or a.name, a.name) for a in st.names if a.name != "*"]


def classify(st, imports):
    """A top-level statement's kind and the names it binds (def, assign) or
    changes (mutate: an assignment to an item or attribute, or an augmented
    one; method: a method call): import, def, assign, mutate, method, call
    (kept whole) or None (dropped). imports maps names bound by imports to
    their dotted origin."""
    if isinstance(st, (ast.Import, ast.ImportFrom)):
        return "import", [n for n, _ in import_names(st)]
    if isinstance(st, ast.Try) and st.body and all(isinstance(b, (ast.Import, ast.ImportFrom)) for b in st.body):
        return "import", []
    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return "def", [st.name]
    if isinstance(st, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = st.targets if isinstance(st, ast.Assign) else [st.target]
        names = []
        for t in targets:
            sub = target_names(t)
            if sub is None:
                break
            names += sub
        else:
            return ("mutate" if isinstance(st, ast.AugAssign) else "assign"), names
        roots = [root_name(t) for t in targets]
        if all(roots):
            return "mutate", roots
        return None, []
    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
        f = st.value.func
        name = dotted(f)
        if name:
            head, _, rest = name.partition(".")
            origin = imports.get(head)
            full = origin + ("." + rest if rest else "") if origin else name
            if full in KEPT_CALLS:
                return "call", []
        if isinstance(f, ast.Attribute) and root_name(f):
            return "method", [root_name(f)]
    return None, []


def first_line(st):
    decos = getattr(st, "decorator_list", None)
    return min([st.lineno] + [d.lineno for d in decos]) if decos else st.lineno


def names_in(node):
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            out.update(n.names)
    return out


def scope_globals(table):
    """The global names read or written in a symbol table and its children."""
    out = set()
    stack = [table]
    while stack:
        t = stack.pop()
        out.update(s.get_name() for s in t.get_symbols() if s.is_global())
        stack.extend(t.get_children())
    return out


def def_deps(st, tables):
    """The global names a def or class statement depends on: what its
    decorators, defaults, annotations and bases read when it runs, and the
    globals of its body (and nested scopes) from the symbol table."""
    if tables is None:
        return names_in(st)
    out = set()
    parts = list(st.decorator_list)
    if isinstance(st, ast.ClassDef):
        parts += st.bases + [k.value for k in st.keywords]
    else:
        a = st.args
        parts += a.defaults + [d for d in a.kw_defaults if d is not None]
        parts += [x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs if x.annotation is not None]
        parts += [x.annotation for x in (a.vararg, a.kwarg) if x is not None and x.annotation is not None]
        if st.returns is not None:
            parts.append(st.returns)
    for p in parts:
        out |= names_in(p)
    lo, hi = first_line(st), st.end_lineno
    for t in tables:
        if lo <= t.get_lineno() <= hi:
            out |= scope_globals(t)
    return out


def prune(code, tree, entry, roots):
    """The code with only what roots reach kept, whether it defines entry,
    and whether every statement was kept."""
    stmts = tree.body
    imports = {}
    for st in stmts:
        if isinstance(st, (ast.Import, ast.ImportFrom)):
            imports.update(import_names(st))
    kinds = [classify(st, imports) for st in stmts]
    defined = {n for (k, names) in kinds if k in ("def", "assign") for n in names}
    by_def = {n for (k, names), st in zip(kinds, stmts) if k == "def" for n in names}
    defines = entry in defined
    keep = [False] * len(stmts)
    for i, (k, names) in enumerate(kinds):
        if k == "call":
            keep[i] = True
        elif k == "import":
            # `from solution import add` beside a def of add is a test's
            # import of the answer, which fails: the def is what counts.
            keep[i] = not any(n in by_def for n in names)
        elif k in ("def", "assign") and not defines:
            keep[i] = True
    if defines:
        try:
            tables = symtable.symtable(code, "<sanitize>", "exec").get_children()
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tables = None
        # Where each name is bound or changed. A change counts only on what
        # the code defines, a method call only on a variable
        # (cache.update(...)), never on a module or a function
        # (sys.exit(main()), unittest.main()).
        variables = {n for (k, names) in kinds if k == "assign" for n in names}
        sites = {}
        for i, (k, names) in enumerate(kinds):
            for n in names:
                if k in ("def", "assign") or k == "mutate" and n in defined or k == "method" and n in variables:
                    sites.setdefault(n, []).append(i)
        queue = [r for r in roots if r in defined]
        seen = set(queue)
        while queue:
            name = queue.pop()
            for i in sites.get(name, ()):
                if keep[i]:
                    continue
                keep[i] = True
                st = stmts[i]
                deps = def_deps(st, tables) if kinds[i][0] == "def" else names_in(st)
                for d in deps:
                    if d in sites and d not in seen:
                        seen.add(d)
                        queue.append(d)
    if all(keep):
        return code, defines, True
    lines = code.split("\n")
    out, done = [], 0
    for i, st in enumerate(stmts):
        if not keep[i]:
            continue
        lo, hi = first_line(st), st.end_lineno
        if i > 0:
            lo = stmts[i - 1].end_lineno + 1  # with the comments and blank lines before it
        if hi <= done:
            continue  # on a line already kept (a; b)
        out += lines[max(lo, done + 1) - 1 : hi]
        done = hi
    return "\n".join(out) + "\n" if out else "", defines, False


if __name__ == "__main__":
    main()
