    from itertools import groupby

    return "".join(ch + str(len(list(run))) for ch, run in groupby(text))
