"""Password policy: long enough and not one of the passwords everyone tries first.

No composition rules (they make passwords harder to remember, not harder to guess).
"""

MIN_LENGTH = 10

_COMMON = """
password password1 password12 password123 password1234 passw0rd123 1234567890 0123456789
12345678910 1111111111 0000000000 1234512345 qwertyuiop qwertyuiop1 qwerty1234 qwerty12345
asdfghjkl1 azertyuiop azerty1234 iloveyou12 letmein123 welcome123 welcome1234 bienvenue1
motdepasse motdepasse1 changeme123 administrator admin12345 adminadmin football12 baseball12
sunshine12 princess12 dragon1234 monkey1234 superman12 trustno123 abcdefghij abcd123456
abc1234567 1q2w3e4r5t 1qaz2wsx3e zaq12wsx34 q1w2e3r4t5 987654321 9876543210 11223344556
passwort12 contrasena1 contraseña password! password01 starwars12 computer12 whatever12
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())


def password_problem(password: str) -> str | None:
    """A short code for what is wrong with a new password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if password.strip().lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        return "too_common"
    return None
