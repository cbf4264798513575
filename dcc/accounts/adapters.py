from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the regional administrators: no self sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_login(self, request, user, **kwargs):
        """An account past its expiry date is treated like a deactivated one."""
        if user.is_expired():
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def pre_authenticate(self, request, **credentials):
        """The lockout per account, and per address with a much higher limit (``dcc.accounts.lockout``)."""
        from django import forms

        from dcc.accounts import lockout
        from dcc.accounts.models import User
        from dcc.accounts.signals import security_event

        login = str(credentials.get("email") or credentials.get("username") or "")
        ip_address = request.META.get("REMOTE_ADDR") if request is not None else None
        seconds, scope = lockout.lockout_wait(login=login, ip_address=ip_address)
        if seconds:
            account = User.objects.filter(email__iexact=login.strip()).first() if login else None
            security_event.send(
                sender=User,
                user=account,
                action="login_failed",
                request=request,
                detail=f"connexion refusée ({'compte' if scope == 'account' else 'adresse'} verrouillé) : "
                f"identifiant saisi {login[:200]}",
                coalesce=True,
            )
            raise forms.ValidationError(lockout.lockout_message(seconds, scope))
        return super().pre_authenticate(request, **credentials)

    def get_logout_redirect_url(self, request) -> str:
        """After a Pro Santé Connect login, logging out of the DCC ends the PSC session too."""
        from dcc.accounts.psc import psc_logout_url

        return psc_logout_url(request) or super().get_logout_redirect_url(request)
