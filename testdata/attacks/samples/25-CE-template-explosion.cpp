// task: atk/double
// 2^N distinct instantiations: stopped by the compile limits.
template <int N, int... Bits> struct Bomb : Bomb<N - 1, Bits..., 0>, Bomb<N - 1, Bits..., 1> {};
template <int... Bits> struct Bomb<0, Bits...> {};
int main() { Bomb<40> b; (void)b; }
