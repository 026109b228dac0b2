"""A map of the accounts rules, and the names the CLI and the tests reach through it.

The rules live by concern; each module's public functions take the session first, and the
settings they need as an argument:
  validation    AccountError, addresses and names
  tokens        signed links
  registration  register, verify_email, resend_verification
  sessions      sign_in, start_session, load_session, end_session, purge_expired_sessions
  passwords     the password policy, reset links, change_password
  account       update_profile, update_settings, export_data, delete_account
  roles         set_role, create_admin
  queries       count_members, public_member, demo_inbox
Other code imports the module that holds what it needs; `flask portal create-admin` and older tests
use the names re-exported here.
"""
from __future__ import annotations

from .account import AVATAR_SIDE, BIO_MAX, delete_account, update_profile
from .models import User
from .passwords import PASSWORD_MIN_LENGTH
from .queries import count_members
from .roles import create_admin
from .sessions import load_session, purge_expired_sessions, start_session
from .validation import AccountError, normalise_email

__all__ = [
    "AVATAR_SIDE",
    "BIO_MAX",
    "PASSWORD_MIN_LENGTH",
    "AccountError",
    "User",
    "count_members",
    "create_admin",
    "delete_account",
    "load_session",
    "normalise_email",
    "purge_expired_sessions",
    "start_session",
    "update_profile",
]
