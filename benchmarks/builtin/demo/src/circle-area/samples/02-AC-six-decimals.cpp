// Six decimals only: the error stays under the absolute tolerance of 1e-6.
#include <cmath>
#include <cstdio>

int main() {
    int t;
    if (std::scanf("%d", &t) != 1) return 1;
    while (t--) {
        double r;
        std::scanf("%lf", &r);
        std::printf("%.6f\n", M_PI * r * r);
    }
}
