from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost, for tests only (the algorithm is the same as production's)."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
