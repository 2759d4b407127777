    return list(dict.fromkeys(items))
