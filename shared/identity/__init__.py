"""Who is calling (tokens, API keys, Easy Auth) and what they may do."""

from shared.identity.authenticator import Authenticator, credential_of
from shared.identity.authorization import require
from shared.identity.caller import Caller, CallerKind, Capability
from shared.identity.jwt_validation import TokenValidator

__all__ = ["Authenticator", "Caller", "CallerKind", "Capability", "TokenValidator", "credential_of", "require"]
