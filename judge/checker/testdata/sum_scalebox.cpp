// ScaleBox's three-file protocol: stdin.txt, stdout.txt (expected),
// answer.txt (the contestant's) in the working directory.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ifstream in("stdin.txt"), out("answer.txt");
    double sum = 0, x;
    while (in >> x) sum += x;
    vector<string> toks;
    string t;
    while (out >> t) toks.push_back(t);
    if (toks.size() != 1) return 1;
    char* end;
    double got = strtod(toks[0].c_str(), &end);
    if (*end != 0 || fabs(got - sum) > 1e-9) return 1;
    ifstream exp("stdout.txt");
    double jury;
    if (!(exp >> jury) || fabs(jury - sum) > 1e-9) return 1;
    return 0;
}
