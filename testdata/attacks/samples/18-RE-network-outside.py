# task: atk/double
import socket
socket.create_connection(("1.1.1.1", 443), timeout=2)
