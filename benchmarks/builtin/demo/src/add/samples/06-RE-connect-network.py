# Tries to phone home before answering. The sandbox has its own network
# namespace with only a loopback device: the connection fails at once.
import socket

s = socket.create_connection(("1.1.1.1", 53), timeout=3)
s.close()

a, b = map(int, input().split())
print(a + b)
