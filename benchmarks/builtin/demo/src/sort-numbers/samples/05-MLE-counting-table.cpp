// Counting sort with one counter per value in [-5*10^7, 5*10^7]: a 400 MB
// table, far over the 128 MiB memory limit. The constructor zero-fills it,
// so its pages are really used.
#include <cstdio>
#include <vector>

int main() {
    const int offset = 50'000'000;
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    std::vector<int> count(2 * offset + 1);
    for (int i = 0; i < n; i++) {
        int x;
        std::scanf("%d", &x);
        count[x + offset]++;
    }
    for (int v = 0; v <= 2 * offset; v++)
        for (int k = 0; k < count[v]; k++) std::printf("%d ", v - offset);
    std::printf("\n");
}
