#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    std::vector<long long> a(n);
    for (auto& x : a) std::scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    long long pairs = 0;
    for (int i = 0, j; i < n; i = j) {
        for (j = i; j < n && a[j] == a[i]; j++) {}
        long long k = j - i;
        pairs += k * (k - 1) / 2;
    }
    std::printf("%lld\n", pairs);
}
