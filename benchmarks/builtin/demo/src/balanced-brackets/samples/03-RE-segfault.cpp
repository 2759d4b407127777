// A linked-list stack that pops without checking for an empty stack: right
// on the first test, then a closing bracket with nothing open dereferences a
// null pointer and the program dies with SIGSEGV.
#include <iostream>
#include <string>

struct Node {
    char c;
    Node* next;
};

int main() {
    int t;
    std::cin >> t;
    while (t--) {
        std::string s;
        std::cin >> s;
        Node* head = nullptr;
        bool ok = true;
        for (char c : s) {
            if (c == '(' || c == '[' || c == '{') {
                head = new Node{c, head};
                continue;
            }
            char open = head->c;  // head is null when nothing is open
            head = head->next;
            if ((c == ')' && open != '(') || (c == ']' && open != '[') || (c == '}' && open != '{')) {
                ok = false;
                break;
            }
        }
        std::cout << (ok && head == nullptr ? "YES" : "NO") << "\n";
    }
}
