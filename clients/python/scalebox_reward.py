"""A reward function and client for `scalebox serve`, standard library only.

Point verl's custom reward function at this file:

    custom_reward_function.path=clients/python/scalebox_reward.py
    custom_reward_function.name=compute_score
    +custom_reward_function.reward_kwargs.scalebox_url=http://127.0.0.1:8080

compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)
judges the model's answer against the test cases in ground_truth (verl's
code datasets: a JSON object or string with "inputs" and "outputs", and
"fn_name" for call-based problems; ScaleBox's "input"/"output" also work)
through POST /v1/evaluate, and returns 1.0 or 0.0 (or the fraction of tests
passed with partial=True). A system error of the sandbox is not a wrong
answer: it is retried, then, by default, scored 0.0 with a warning on
stderr (on_system_error="raise" raises SystemErrorVerdict instead).

See docs/rl.md.
"""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

DEFAULT_URL = os.environ.get("SCALEBOX_URL", "http://127.0.0.1:8080")

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_FENCE = re.compile(r"```(\w[\w+#-]*)")

# Fence tags to scalebox's languages.
_LANGUAGES = {
    "python": "python3", "py": "python3", "python3": "python3",
    "cpp": "cpp", "c++": "cpp", "cc": "cpp",
    "c": "c", "java": "java", "go": "go", "rust": "rust", "rs": "rust",
    "javascript": "javascript", "js": "javascript", "typescript": "typescript", "ts": "typescript",
    "php": "php", "ruby": "ruby", "lua": "lua", "bash": "bash", "sh": "bash", "csharp": "csharp", "cs": "csharp",
}


class ScaleboxError(Exception):
    """The server could not be reached or refused the request."""


class SystemErrorVerdict(ScaleboxError):
    """The sandbox failed (verdict SE): the answer was neither right nor wrong."""


class Client:
    """A client of one scalebox server.

    retries is how many times a request refused with 503 (the server's
    queue is full, or it is shutting down) or lost to a connection error
    is sent again, waiting as the server's Retry-After says.
    """

    def __init__(self, url=DEFAULT_URL, token=None, timeout=600.0, retries=5):
        self.url = url.rstrip("/")
        self.token = token if token is not None else os.environ.get("SCALEBOX_TOKEN")
        self.timeout = timeout
        self.retries = retries

    def post(self, path, body):
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        wait = 1.0
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.url + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as e:
                detail = e.read().decode("utf-8", "replace")
                if e.code == 503 and attempt < self.retries:
                    wait = float(e.headers.get("Retry-After") or wait)
                    time.sleep(min(wait, 60.0))
                    wait = min(wait * 2, 60.0)
                    continue
                raise ScaleboxError("%s %s: HTTP %d: %s" % ("POST", path, e.code, detail.strip())) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if attempt < self.retries:
                    time.sleep(min(wait, 60.0))
                    wait = min(wait * 2, 60.0)
                    continue
                raise ScaleboxError("POST %s%s: %s" % (self.url, path, e)) from None
        raise ScaleboxError("unreachable")

    def evaluate(self, samples, problems=None, benchmark=None, language=None, cpu_time=None,
                 memory=None, comparator=None, all_tests=False):
        """POST /v1/evaluate; returns the list of results, one per sample, in order."""
        body = {"samples": samples, "all_tests": all_tests}
        if problems is not None:
            body["problems"] = problems
            if language:
                body["language"] = language
            limits = {}
            if cpu_time is not None:
                limits["cpu_time"] = "%gs" % cpu_time
            if memory is not None:
                limits["memory"] = memory
            if limits:
                body["limits"] = limits
            if comparator:
                body["comparator"] = comparator
        if benchmark:
            body["benchmark"] = benchmark
        out = self.post("/v1/evaluate", body)
        results = sorted(out["results"], key=lambda r: r["index"])
        if len(results) != len(samples):
            raise ScaleboxError("%d results for %d samples" % (len(results), len(samples)))
        return results

    def run_code(self, code, language="python", stdin="", run_timeout=10, memory_limit_mb=1024):
        """POST /run_code (SandboxFusion's API); returns its answer."""
        return self.post("/run_code", {"code": code, "language": language, "stdin": stdin,
                                       "run_timeout": run_timeout, "compile_timeout": run_timeout,
                                       "memory_limit_MB": memory_limit_mb, "files": {}, "fetch_files": []})


def language_of(text, default="python3"):
    """The language of the answer's first tagged code fence."""
    m = _FENCE.search(text)
    if m:
        return _LANGUAGES.get(m.group(1).lower(), default)
    return default


def problem_from_ground_truth(ground_truth, task_id="task"):
    """A scalebox problem from verl's test cases ({"inputs", "outputs", "fn_name"})."""
    tc = ground_truth
    if isinstance(tc, (str, bytes)):
        tc = json.loads(tc)
    inputs = tc.get("inputs", tc.get("input"))
    outputs = tc.get("outputs", tc.get("output"))
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs) or not inputs:
        raise ValueError("ground_truth needs lists 'inputs' and 'outputs' of the same, non-zero length")
    fn_name = tc.get("fn_name")
    if fn_name:
        tests = []
        for args, want in zip(inputs, outputs):
            if isinstance(args, str):
                lines = args
            else:
                lines = "\n".join(json.dumps(a) for a in args)
            tests.append({"input": lines, "output": want if isinstance(want, str) else json.dumps(want)})
        return {"task_id": task_id, "kind": "lcb-function", "entry_point": fn_name, "tests": tests}
    tests = [{"input": _text(i), "output": _text(o)} for i, o in zip(inputs, outputs)]
    return {"task_id": task_id, "kind": "stdio", "tests": tests}


def _text(x):
    if isinstance(x, str):
        return x
    if isinstance(x, list):
        return "\n".join(str(v) for v in x)
    return str(x)


_clients = {}


def compute_score(data_source=None, solution_str="", ground_truth=None, extra_info=None,
                  scalebox_url=None, token=None, language=None, timeout=10.0, memory_limit_mb=1024,
                  partial=False, comparator=None, return_dict=False, on_system_error="zero",
                  retries=5, **_):
    """verl's custom reward function: the score of solution_str on ground_truth's tests.

    partial=True scores the fraction of tests passed (every test runs);
    otherwise 1.0 when all pass, else 0.0 (stopping at the first failure).
    comparator names a scalebox comparator ("lines" by default; "tokens",
    "float", "scalebox", ...). With return_dict the verdict comes along:
    {"score", "verdict", "message", "pass_fraction"}.
    """
    url = scalebox_url or DEFAULT_URL
    client = _clients.get((url, token))
    if client is None:
        client = _clients[(url, token)] = Client(url, token=token, retries=retries)
    answer = _THINK.sub("", solution_str or "")
    lang = language or language_of(answer)
    problem = problem_from_ground_truth(ground_truth)
    if problem["kind"] == "lcb-function":
        lang = "python3"
    sample = {"task_id": problem["task_id"], "solution": answer, "language": lang}
    result = None
    for _attempt in range(2):
        result = client.evaluate([sample], problems=[problem], language=lang, cpu_time=timeout,
                                 memory="%dMiB" % memory_limit_mb, comparator=comparator, all_tests=partial)[0]
        if result["verdict"] != "SE":
            break
    if result["verdict"] == "SE":
        if on_system_error == "raise":
            raise SystemErrorVerdict(result.get("message", ""))
        print("scalebox_reward: system error, scored 0.0: %s" % result.get("message", ""), file=sys.stderr)
        score = 0.0
    else:
        score = float(result["reward"])
    if return_dict:
        return {"score": score, "verdict": result["verdict"], "message": result.get("message", ""),
                "pass_fraction": result.get("pass_fraction")}
    return score
