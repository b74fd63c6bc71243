"""Types shared by every layer, kept low so the access log (a sink) need not import access."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

type AnyUser = AbstractBaseUser | AnonymousUser
