def run_length(text: str) -> str:
    """Encode `text` by run-length encoding: each maximal run of a repeated
    character becomes the character followed by the length of the run.

    >>> run_length("aaabcc")
    'a3b1c2'
    >>> run_length("")
    ''
    """
