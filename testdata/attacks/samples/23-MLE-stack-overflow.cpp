// task: atk/double
// Endless recursion: the stack grows until the memory limit (the stack
// limit equals it, and the rest of the process counts too).
#include <cstdio>
int f(volatile int n) { volatile char pad[1024]; pad[0] = n; return f(n + 1) + pad[0]; }
int main() { printf("%d\n", f(0)); }
