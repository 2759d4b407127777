    return list(set(items))
