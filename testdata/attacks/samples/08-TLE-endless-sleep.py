# task: atk/double
import time
time.sleep(10**6)
