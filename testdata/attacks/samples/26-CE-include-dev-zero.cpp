// task: atk/double
#include "/dev/zero"
int main() {}
