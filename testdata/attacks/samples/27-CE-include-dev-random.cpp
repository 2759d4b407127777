// task: atk/double
#include </dev/urandom>
int main() {}
