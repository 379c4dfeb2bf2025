import hashlib


def token_digest(key):
    """What is stored of an API token's key (the key itself is shown once, never stored)."""
    return hashlib.sha256(key.encode()).hexdigest()
