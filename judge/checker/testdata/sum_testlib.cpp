// A testlib-protocol checker written without testlib.h: argv[1] input,
// argv[2] the contestant's output, argv[3] the jury's answer. The output
// must be one number equal to the sum of the input's numbers.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    if (argc < 4) { std::cerr << "usage: checker in out ans\n"; return 3; }
    std::ifstream in(argv[1]), out(argv[2]), ans(argv[3]);
    double sum = 0, x, jury;
    while (in >> x) sum += x;
    if (!(ans >> jury) || std::fabs(jury - sum) > 1e-9) { std::cerr << "FAIL the jury's answer is not the sum\n"; return 3; }
    std::string tok;
    if (!(out >> tok)) { std::cerr << "wrong answer: empty output\n"; return 1; }
    double got;
    try { got = std::stod(tok); } catch (...) { std::cerr << "wrong output format: not a number\n"; return 2; }
    if (std::fabs(got - sum) > 1e-9) { std::cerr << "wrong answer: " << got << " is not the sum\n"; return 1; }
    if (out >> tok) { std::cerr << "wrong answer: extra output\n"; return 1; }
    std::cerr << "ok the sum\n";
    return 0;
}
