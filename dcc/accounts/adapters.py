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

    def get_logout_redirect_url(self, request) -> str:
        """After a Pro Santé Connect login, logging out of the DCC ends the PSC session too."""
        from dcc.accounts.psc import psc_logout_url

        return psc_logout_url(request) or super().get_logout_redirect_url(request)
