import factory

from dcc.accounts.enums import Profile
from dcc.accounts.models import ProfileGrant, User

PASSWORD = "Mot-de-passe-de-test-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@demo.dcc.test")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileGrant
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    profile = Profile.MEDECIN

    @factory.post_generation
    def three_cs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.three_cs.set(extracted)

    @factory.post_generation
    def establishments(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.establishments.set(extracted)


def totp_codes(secret: str) -> tuple[str, str]:
    """(a code valid now, a code valid in no accepted time window) for a TOTP secret."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    # allauth accepts the current 30 s window only: a code taken in its last seconds expired before a loaded
    # machine's browser had submitted it. Start from a fresh window then.
    remaining = 30 - time.time() % 30
    if remaining < 10:
        time.sleep(remaining + 0.2)
    counter = int(time.time()) // 30
    accepted = {format_hotp_value(hotp_value(secret, counter + shift)) for shift in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)
    return format_hotp_value(hotp_value(secret, counter)), wrong
