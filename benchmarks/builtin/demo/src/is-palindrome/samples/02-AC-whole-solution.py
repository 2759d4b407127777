import re


def is_palindrome(text: str) -> bool:
    cleaned = re.sub(r"[^0-9a-z]", "", text.lower())
    return cleaned == cleaned[::-1]
