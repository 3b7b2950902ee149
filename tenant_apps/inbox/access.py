"""Whose notices: each belongs to one user at one provider (its schema holds it). Nobody else
sees or marks it: anyone else's notice answers 404, its id never confirmed."""

from django.db.models import QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.inbox.models import Notice


def own_notices(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user)


def notice_for(user: User, pk: int) -> Notice:
    """One of the user's own notices, or 404."""
    notice = own_notices(user).filter(pk=pk).first()
    if notice is None:
        raise Http404("Ingen sådan notis")
    return notice
