# task: atk/double
import sys
sys.stdout.buffer.write(b"\xff\xfe\xfd\n\x00\x80")
