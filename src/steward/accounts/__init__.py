"""People: the user account (e-mail login). Membership of organisations lives in ``organisations``."""
