"""Tests of scalebox_reward.py against a live `scalebox serve` at $SCALEBOX_URL.

    SCALEBOX_URL=http://127.0.0.1:8080 python3 -m unittest test_scalebox_reward

(server/python_client_test.go starts a server and runs them.)
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scalebox_reward as sr  # noqa: E402

URL = os.environ.get("SCALEBOX_URL")

TESTS = json.dumps({"inputs": ["3\n", "10\n", "-4\n"], "outputs": ["6\n", "20\n", "-8\n"]})


def answer(lang, code):
    return "<think>I should double it.</think>Here is the program:\n```%s\n%s\n```\nIt doubles n." % (lang, code)


@unittest.skipUnless(URL, "SCALEBOX_URL is not set")
class ComputeScore(unittest.TestCase):
    def score(self, solution, ground_truth=TESTS, **kw):
        return sr.compute_score("test", solution, ground_truth, None, scalebox_url=URL, **kw)

    def test_right_python(self):
        self.assertEqual(self.score(answer("python", "print(2 * int(input()))")), 1.0)

    def test_wrong_python(self):
        self.assertEqual(self.score(answer("python", "print(int(input()) + 3)")), 0.0)

    def test_partial_credit(self):
        # Right on 3 -> 6 only.
        self.assertAlmostEqual(self.score(answer("python", "print(int(input()) + 3)"), partial=True), 1 / 3)

    def test_cpp(self):
        code = "#include <cstdio>\nint main(){int n; scanf(\"%d\", &n); printf(\"%d\\n\", 2 * n);}"
        self.assertEqual(self.score(answer("cpp", code)), 1.0)

    def test_verdicts_come_along(self):
        d = self.score(answer("python", "while True: pass"), timeout=1, return_dict=True)
        self.assertEqual(d["score"], 0.0)
        self.assertEqual(d["verdict"], "TLE")
        d = self.score(answer("python", "print(2 * int(input()))"), return_dict=True)
        self.assertEqual((d["score"], d["verdict"], d["pass_fraction"]), (1.0, "AC", 1.0))

    def test_reward_hack_fails(self):
        self.assertEqual(self.score(answer("python", "import sys\nsys.exit(0)")), 0.0)

    def test_call_based(self):
        gt = {"fn_name": "add", "inputs": [[1, 2], [3, 4]], "outputs": [3, 7]}
        self.assertEqual(self.score(answer("python", "def add(a, b):\n    return a + b"), gt), 1.0)
        self.assertEqual(self.score(answer("python", "class Solution:\n    def add(self, a, b):\n        return a - b"), gt), 0.0)

    def test_bad_ground_truth(self):
        with self.assertRaises(ValueError):
            self.score(answer("python", "print(1)"), {"inputs": ["1"], "outputs": []})

    def test_run_code(self):
        out = sr.Client(URL).run_code("print(input()[::-1])", stdin="abc")
        self.assertEqual(out["status"], "Success")
        self.assertEqual(out["run_result"]["stdout"], "cba\n")

    def test_unknown_language_is_an_error(self):
        with self.assertRaises(sr.ScaleboxError):
            self.score(answer("python", "print(1)"), language="cobol")


class Offline(unittest.TestCase):
    def test_language_of(self):
        self.assertEqual(sr.language_of("```cpp\nx\n```"), "cpp")
        self.assertEqual(sr.language_of("no fence"), "python3")
        self.assertEqual(sr.language_of("```Python\nx```"), "python3")

    def test_problem_from_ground_truth(self):
        p = sr.problem_from_ground_truth('{"inputs": ["1"], "outputs": ["2"]}')
        self.assertEqual(p["kind"], "stdio")
        self.assertEqual(p["tests"], [{"input": "1", "output": "2"}])
        p = sr.problem_from_ground_truth({"fn_name": "f", "inputs": [[1, "a"]], "outputs": [[1]]})
        self.assertEqual(p["tests"], [{"input": '1\n"a"', "output": "[1]"}])


if __name__ == "__main__":
    unittest.main()
