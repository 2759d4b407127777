def is_palindrome(text: str) -> bool:
    """Return True if `text` reads the same forwards and backwards once letter
    case and every character that is not a letter or a digit are ignored.

    >>> is_palindrome("A man, a plan, a canal: Panama")
    True
    >>> is_palindrome("scalebox")
    False
    """
